import { performance } from 'node:perf_hooks';
import t from 'tap';
import { EpochClock } from '../../lib/pcap/epoch-clock';

t.test('epoch seconds and fractions of performance.now() times, exact to the unit', async (t) => {
  const ns = new EpochClock(true);
  const us = new EpochClock(false);
  const origin = performance.timeOrigin;
  for (const nowMs of [0, 0.000001, 1.5, 999.999999, 123456.789012345, 86_400_000 * 3 + 0.25]) {
    ns.set(nowMs);
    us.set(nowMs);
    const epochMs = origin + nowMs;
    t.ok(ns.fraction >= 0 && ns.fraction < 1e9 && Number.isInteger(ns.fraction), `${nowMs}: a whole number of ns below 1e9`);
    t.ok(us.fraction >= 0 && us.fraction < 1e6 && Number.isInteger(us.fraction), `${nowMs}: a whole number of us below 1e6`);
    t.equal(us.seconds, ns.seconds, 'the same second');
    t.equal(us.fraction, Math.floor(ns.fraction / 1000), 'microseconds are the nanoseconds truncated');
    // One double of epoch ms is exact to about 0.25 us: the split clock agrees with it that closely.
    t.ok(Math.abs(ns.seconds * 1000 + ns.fraction / 1e6 - epochMs) < 0.001, `${nowMs}: within 1 us of timeOrigin + now`);
  }
  ns.set(0.000001);
  const a = ns.fraction;
  ns.set(0.000002);
  t.equal((ns.fraction - a + 1e9) % 1e9, 1, 'one nanosecond later is one nanosecond later');
});

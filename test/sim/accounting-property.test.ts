// Issue 12, counters that balance, as a property: for random generator rates (up to line rate),
// frame sizes (some above the maximum frame size, which the port drops), counts, batch sizes, apps
// (stats, capture with a count below what is sent) and injected rx errors, once the run has drained:
//   peer sent == received + rx_missed + rx_errors + rx_dropped + rx_discarded, exactly,
// and along the way every interval record leaves a non-negative number of frames in flight.
// Seeded and replayable: TSNIC_ACCOUNTING_SEED=<seed> reruns the cases of a failure's seed.
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCapture } from '../../lib/apps/capture';
import type { IntervalStats } from '../../lib/apps/interval-stats';
import type { TrafficSource } from '../../lib/apps/peer';
import { runStatsMonitor } from '../../lib/apps/stats-monitor';
import { defaultSimCard, lineRatePps, type SimGeneratorOptions } from '../../lib/bus/sim';
import { openDevice } from '../../lib/open';
import { balanceText, unaccounted } from './balance';
import { watchRun } from './traffic-watch';

const CASES = 14;
/** Longest a case's generator runs, seconds (keeps the whole test within a minute or so). */
const MAX_CASE_SECONDS = 0.4;
const seed = Number(process.env.TSNIC_ACCOUNTING_SEED ?? 20261126) >>> 0;

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(s: number): () => number {
  let a = s;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  app: 'stats' | 'capture';
  rate: number | 'line';
  frameSize: number;
  count: number;
  batch: number;
  rxErrorEvery: number;
  /** capture only: its --count, at most the generator's count. */
  captureCount: number;
}

function makeCase(rand: () => number): Case {
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const frameSize = rand() < 0.15 ? int(1515, 9018) : rand() < 0.3 ? 60 : int(60, 1514);
  // A rate above line rate for the frame size is refused by the tester: such draws become 'line'.
  const drawn = Math.round(10 ** (4 + rand() * 2.5));
  const rate = rand() < 0.25 || drawn > lineRatePps(frameSize) ? 'line' : drawn;
  const pps = rate === 'line' ? lineRatePps(frameSize) : rate;
  const count = int(1, Math.max(1, Math.min(20_000, Math.floor(pps * MAX_CASE_SECONDS))));
  const app = rand() < 0.5 ? 'stats' : 'capture';
  return {
    app, rate, frameSize, count, batch: int(1, 256), rxErrorEvery: rand() < 0.25 ? int(2, 40) : 0,
    captureCount: rand() < 0.5 ? count : int(1, count),
  };
}

t.test(`balance over ${CASES} random runs (seed ${seed})`, async (t) => {
  const dev = await openDevice('sim:0');
  const card = defaultSimCard();
  t.teardown(() => {
    if (!dev.closed) dev.close();
    card.setFaults(0, { rxErrorEvery: 0 });
  });
  const tester = card.tester(0);
  const rand = prng(seed);
  const file = path.join(os.tmpdir(), `tsnic-accounting-${process.pid}.pcap`);
  for (let k = 0; k < CASES; k++) {
    const c = makeCase(rand);
    const label = `case ${k} (seed ${seed}): ${JSON.stringify(c)}`;
    card.setFaults(0, { rxErrorEvery: c.rxErrorEvery });
    const gen: SimGeneratorOptions = { ratePps: c.rate, frameSize: c.frameSize, count: c.count };
    const source: TrafficSource = {
      start: () => tester.startGenerator(gen),
      stop: () => tester.stopGenerator(),
      finished: () => !tester.stats().generatorRunning,
    };
    const intervals: IntervalStats[] = [];
    const total = await watchRun(label, { card, devs: [dev] }, (signal) =>
      c.app === 'stats'
        ? runStatsMonitor(dev, { source, signal, batch: c.batch, intervalS: 0.05, onInterval: (s) => intervals.push(s) })
        : runCapture(dev, { source, signal, batch: c.batch, out: file, count: c.captureCount }),
    );
    t.equal(unaccounted(total), 0, `${label}: ${balanceText(total)}`);
    if (c.app === 'stats') t.equal(total.peer_tx_packets, c.count, `${label}: the generator sent its count`);
    else t.equal(total.rx_packets, Math.min(c.captureCount, total.rx_packets + (total.rx_discarded ?? 0)), `${label}: captured at most its count`);
    if (c.frameSize > 1514) t.equal(total.rx_dropped, total.peer_tx_packets, `${label}: oversize frames are all dropped by the port`);
    if (c.rxErrorEvery > 0 && total.rx_packets + total.rx_errors >= 2 * c.rxErrorEvery) t.ok(total.rx_errors > 0, `${label}: rx errors counted`);
    t.comment(`${label}: ${balanceText(total)}`);
    let inFlight = 0;
    for (const r of intervals) {
      inFlight += unaccounted(r);
      if (inFlight < 0) t.fail(`${label}: an interval left ${inFlight} frames in flight: ${balanceText(r)}`);
    }
  }
  card.setFaults(0, { rxErrorEvery: 0 });
});

import t from 'tap';
import { runPktgen } from '../../lib/apps/pktgen';
import type { IntervalStats } from '../../lib/apps/interval-stats';
import { defaultSimCard } from '../../lib/bus/sim';
import type { NetDevice } from '../../lib/device';
import { openDevice } from '../../lib/open';
import { watchRun } from './traffic-watch';

/** Runs pktgen for `count` frames; fails within seconds, with the counters, if transmission stops. */
function send(dev: NetDevice, count: number, opts: Parameters<typeof runPktgen>[1] = {}): ReturnType<typeof runPktgen> {
  return watchRun(`pktgen: ${count} frames`, { card: defaultSimCard(), devs: [dev] }, (signal) => runPktgen(dev, { ...opts, count, signal }));
}

t.test('pktgen on sim:0: the tester receives every frame, in sequence, with valid checksums', async (t) => {
  const dev = await openDevice('sim:0');
  t.teardown(() => {
    if (!dev.closed) dev.close();
  });
  const totals = await send(dev, 200_000);
  t.match(totals, {
    type: 'total', device: 'sim:0', tx_packets: 200_000, tx_bytes: 200_000 * 60,
    peer_rx_packets: 200_000, peer_seq_gaps: 0, peer_bad_checksums: 0, link_up: true,
  });
  t.ok(totals.seconds > 0 && totals.mpps > 0);

  await t.test('a second run on the same device starts the sequence again and is counted on its own', async (t) => {
    const again = await send(dev, 5000, { size: 1514, batch: 7 });
    t.match(again, { tx_packets: 5000, tx_bytes: 5000 * 1514, peer_rx_packets: 5000, peer_seq_gaps: 0, peer_bad_checksums: 0 });
  });

  await t.test('every frame size from 60 to 1514 passes the checker', async (t) => {
    for (const size of [60, 61, 64, 127, 128, 511, 1000, 1513, 1514]) {
      const r = await send(dev, 1000, { size });
      t.match(r, { tx_packets: 1000, tx_bytes: 1000 * size, peer_rx_packets: 1000, peer_seq_gaps: 0, peer_bad_checksums: 0 }, `size ${size}`);
    }
  });

  await t.test('an aborted run stops early and reports exactly what was sent', async (t) => {
    const controller = new AbortController();
    const run = runPktgen(dev, { signal: controller.signal, rate: '0.5Mpps' });
    setTimeout(() => controller.abort(), 50);
    const r = await run;
    t.ok(r.tx_packets > 0, 'something was sent before the abort');
    t.equal(r.peer_rx_packets, r.tx_packets);
    t.equal(r.peer_seq_gaps, 0);
  });

  await t.test('--duration ends the run, and intervals are reported while it runs', async (t) => {
    const intervals: IntervalStats[] = [];
    const r = await runPktgen(dev, { durationS: 1.2, rate: '200kpps', onInterval: (s) => intervals.push(s) });
    t.equal(intervals.length, 1, 'one interval report in 1.2 s');
    t.match(intervals[0], { type: 'interval', device: 'sim:0' });
    t.ok(intervals[0].tx_packets > 0 && intervals[0].tx_packets <= r.tx_packets);
    t.equal(r.peer_rx_packets, r.tx_packets);
    t.ok(r.seconds >= 1.2);
  });

  await t.test('bad options are refused before anything is sent', async (t) => {
    await t.rejects(runPktgen(dev, { count: 0 }), { code: 'ERR_INVALID_ARG' });
    await t.rejects(runPktgen(dev, { size: 59 }), { code: 'ERR_INVALID_ARG' });
    await t.rejects(runPktgen(dev, { batch: 0 }), { code: 'ERR_INVALID_ARG' });
    await t.rejects(runPktgen(dev, { queue: 1 }), { code: 'ERR_INVALID_ARG' });
    await t.rejects(runPktgen(dev, { dstMac: 'nope' }), { code: 'ERR_INVALID_ARG' });
    await t.rejects(runPktgen(dev, { durationS: -1 }), { code: 'ERR_INVALID_ARG' });
    await t.rejects(runPktgen(dev, { rate: '-1Mpps' }), { code: 'ERR_INVALID_ARG' });
  });

  dev.close();
  t.throws(() => dev.close(), { code: 'ERR_DEVICE_CLOSED' });
});

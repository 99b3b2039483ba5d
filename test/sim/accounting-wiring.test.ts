// Issue 12, counters that balance on every wiring: with loopback or cross wiring the far end of a
// port is the port itself or the other port, and the apps count against it as against the tester.
// pktgen feeds the receiving app (as its traffic source); once the run has drained, the receiver's
// totals balance exactly: what the transmitting port put on the wire = received + rx_missed +
// rx_errors + rx_dropped (+ rx_discarded), and that is every frame pktgen handed to its ring. A
// capture whose count misses made unreachable ends once its source has sent everything.
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCapture } from '../../lib/apps/capture';
import type { TrafficSource } from '../../lib/apps/peer';
import { runPktgen, type PktgenOptions, type PktgenTotals } from '../../lib/apps/pktgen';
import { runStatsMonitor } from '../../lib/apps/stats-monitor';
import { defaultSimCard } from '../../lib/bus/sim';
import type { NetDevice } from '../../lib/device';
import { openDevice } from '../../lib/open';
import { balanceText, unaccounted } from './balance';
import { watchRun } from './traffic-watch';

/** pktgen on `dev` as a traffic source; `totals()` resolves with its totals once it finished. */
function pktgenSource(dev: NetDevice, opts: PktgenOptions): TrafficSource & { totals(): Promise<PktgenTotals> } {
  const controller = new AbortController();
  let run: Promise<PktgenTotals> | undefined;
  let finished = false;
  return {
    start: () => {
      run = runPktgen(dev, { ...opts, signal: controller.signal }).finally(() => {
        finished = true;
      });
    },
    stop: () => controller.abort(),
    finished: () => finished,
    totals: () => run ?? Promise.reject(new Error('pktgen never started')),
  };
}

const card = defaultSimCard({ linkUpDelayMs: 2 });
const file = path.join(os.tmpdir(), `tsnic-wiring-${process.pid}.pcap`);

for (const wiring of ['cross', 'loopback'] as const) {
  t.test(`${wiring}: pktgen into stats, then into a capture that stops short of the count`, async (t) => {
    const tx = await openDevice(`sim:0,wiring=${wiring}`);
    const rx = wiring === 'cross' ? await openDevice('sim:1') : tx;
    t.teardown(() => {
      for (const d of [tx, rx]) if (!d.closed) d.close();
      card.setWiring(0, 'tester');
      card.setWiring(1, 'tester');
    });
    const watched = { card, devs: wiring === 'cross' ? [tx, rx] : [tx] };
    for (const [app, rate] of [['stats', 2], ['stats', 0.05], ['capture', 0.5]] as const) {
      const n = 30_000;
      const source = pktgenSource(tx, { count: n, rate: `${rate}Mpps`, size: 100, dstMac: rx.mac });
      const label = `${wiring}, ${app}, pktgen at ${rate} Mpps`;
      const total = await watchRun(label, watched, (signal) =>
        app === 'stats'
          ? runStatsMonitor(rx, { source, signal, batch: 32 })
          : runCapture(rx, { source, signal, out: file, count: n / 2 }),
      );
      const sent = await source.totals();
      t.comment(`${label}: pktgen sent ${sent.tx_packets}; ${balanceText(total)}`);
      t.equal(unaccounted(total), 0, `${label}: every frame on the wire received or counted lost`);
      t.equal(total.peer_tx_packets, sent.tx_packets, `${label}: the wire carried every frame pktgen queued`);
      t.equal(sent.peer_rx_packets, sent.tx_packets, `${label}: pktgen's peer (the receiving port) saw them all`);
      if (app === 'stats') t.equal(sent.tx_packets, n, `${label}: pktgen sent its count`);
      else if (total.rx_packets < n / 2) {
        // Misses made the count unreachable: the capture ends once the source sent everything.
        t.equal(sent.tx_packets, n, `${label}: capture ran until pktgen had sent everything`);
        t.equal(total.rx_discarded, 0, `${label}: nothing discarded short of the count`);
      } else t.equal(total.rx_packets, n / 2, `${label}: capture stopped at its count`);
    }
  });
}

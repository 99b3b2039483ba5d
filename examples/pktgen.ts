/**
 * Send frames from a script and check what arrived: pktgen on a simulated port, then the totals with
 * the far-end tester's view. Run: npx ts-node-transpile-only examples/pktgen.ts [dev] [count]
 */
import { openDevice, runPktgen } from '../lib';

async function main(): Promise<void> {
  const spec = process.argv[2] ?? 'sim:0';
  const count = Number(process.argv[3] ?? 1_000_000);
  const dev = await openDevice(spec);
  try {
    const totals = await runPktgen(dev, {
      count,
      size: 60,
      onInterval: (s) => console.log(`${s.mpps.toFixed(2)} Mpps`),
    });
    console.log(`sent ${totals.tx_packets} frames at ${totals.mpps.toFixed(2)} Mpps`);
    if (totals.peer_rx_packets !== undefined) {
      console.log(`the tester received ${totals.peer_rx_packets}, ${totals.peer_seq_gaps} gaps, ${totals.peer_bad_checksums} bad checksums`);
    }
  } finally {
    dev.close();
  }
}

void main();

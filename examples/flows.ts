/**
 * Generate a traffic mix: 4 x 4 flows (source addresses by destination ports), IMIX frame sizes, an
 * 802.1Q tag, at 2 Gbit/s on the wire; on a simulated port its tester checks every frame's checksums
 * (tagged frames are counted, not parsed, by it).
 * Run: npx ts-node-transpile-only examples/flows.ts [dev] [count]
 */
import { openDevice, runPktgen } from '../lib';

async function main(): Promise<void> {
  const spec = process.argv[2] ?? 'sim:0';
  const count = Number(process.argv[3] ?? 100_000);
  const dev = await openDevice(spec);
  try {
    const totals = await runPktgen(dev, {
      count,
      rate: '2Gbps',
      size: 'imix',
      flows: { srcIp: '10.0.0.1-10.0.0.4', dstPort: '5001-5004' },
      vlan: { id: 100, priority: 5 },
    });
    console.log(`sent ${totals.tx_packets} frames, ${totals.tx_bytes} bytes, ${totals.gbps_wire} Gbit/s on the wire (${totals.gbps} of frames)`);
    if (totals.peer_rx_packets !== undefined) console.log(`the far end received ${totals.peer_rx_packets}`);
  } finally {
    dev.close();
  }
}

void main();

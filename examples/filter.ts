/**
 * Capture with a tcpdump filter into rotated pcapng files: four UDP flows arrive (source ports
 * 1024..1027), the filter keeps one. Needs libpcap0.8 (apt-get install libpcap0.8).
 * Run: npx ts-node-transpile-only examples/filter.ts [dev] [file.pcapng] [count] [filter]
 */
import { defaultSimCard, openDevice, runCapture } from '../lib';

async function main(): Promise<void> {
  const spec = process.argv[2] ?? 'sim:0';
  const file = process.argv[3] ?? 'filtered.pcapng';
  const count = Number(process.argv[4] ?? 250);
  const filter = process.argv[5] ?? 'udp src port 1025';
  const dev = await openDevice(spec);
  // On the simulated card, the port's tester sends four flows until the capture has its frames.
  const tester = spec.startsWith('sim:') ? defaultSimCard().tester(Number(spec[4]) as 0 | 1) : undefined;
  tester?.startGenerator({ flows: 4, ratePps: 100_000 });
  const totals = await runCapture(dev, { out: file, filter, count, durationS: 30, rotate: { maxFrames: 100 } });
  tester?.stopGenerator();
  dev.close();
  console.log(`kept ${totals.rx_packets} frames of '${filter}' in ${totals.files?.length ?? 1} files: ${(totals.files ?? [file]).join(' ')}`);
  console.log(`the filter rejected ${totals.rx_filtered ?? 0} frames`);
}

void main();

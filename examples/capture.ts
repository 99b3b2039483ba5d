/**
 * Capture to a pcap file with the async iterator and PcapWriter, keeping only UDP frames.
 * Run: npx ts-node-transpile-only examples/capture.ts [dev] [file] [count]
 */
import { defaultSimCard, openDevice, packetBytes, PcapWriter, receive } from '../lib';

async function main(): Promise<void> {
  const spec = process.argv[2] ?? 'sim:0';
  const file = process.argv[3] ?? 'capture.pcap';
  const count = Number(process.argv[4] ?? 100);
  const dev = await openDevice(spec);
  if (spec.startsWith('sim:')) defaultSimCard().tester(Number(spec[4]) as 0 | 1).startGenerator({ count, frameSize: 128 });
  const writer = PcapWriter.open(file);
  for await (const batch of receive(dev)) {
    const now = Date.now();
    for (let i = 0; i < batch.count && writer.frames < count; i++) {
      const frame = packetBytes(batch, i);
      if (frame[23] === 17) writer.write(frame, 0, frame.length, Math.floor(now / 1000), (now % 1000) * 1000);
    }
    if (writer.frames >= count) break;
  }
  writer.close();
  dev.close();
  console.log(`wrote ${writer.frames} frames to ${file}`);
}

void main();

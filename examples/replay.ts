/**
 * Replay a capture file on one port and capture it on another, then compare the two files frame by
 * frame. On the simulated card sim:0 is wired across to sim:1; without a file, one is captured first
 * from sim:0's tester (test frames with sequence numbers).
 * Run: npx ts-node-transpile-only examples/replay.ts [file] [txDev] [rxDev]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDevice, readCaptureFile, runCapture, runReplay } from '../lib';

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-replay-example-'));
  let file = process.argv[2];
  const txSpec = process.argv[3] ?? 'sim:0,wiring=cross';
  const rxSpec = process.argv[4] ?? 'sim:1';
  if (file === undefined) {
    // A file to replay: 100 frames from sim:0's tester, before the ports are wired across.
    file = path.join(tmp, 'original.pcap');
    const src = await openDevice('sim:0,count=100,rate=100kpps');
    await runCapture(src, { out: file, count: 100, durationS: 30 });
    src.close();
  }
  const original = readCaptureFile(file);
  const tx = await openDevice(txSpec);
  const rx = await openDevice(rxSpec);
  const copy = path.join(tmp, 'copy.pcap');
  // Capture and replay run side by side; the rate leaves the capture time to keep up.
  const captured = runCapture(rx, { out: copy, count: original.count, durationS: 30 });
  const sent = await runReplay(tx, original, { rate: '50kpps' });
  const got = await captured;
  tx.close();
  rx.close();
  const back = readCaptureFile(copy);
  let same = back.count === original.count;
  for (let i = 0; same && i < back.count; i++) {
    const a = original.bytes.subarray(original.offsets[i], original.offsets[i] + original.lengths[i]);
    const b = back.bytes.subarray(back.offsets[i], back.offsets[i] + back.lengths[i]);
    same = Buffer.from(a).equals(b);
  }
  console.log(`replayed ${sent.tx_packets} frames of ${file}; ${rxSpec} captured ${got.rx_packets}`);
  console.log(`identical frame by frame: ${same ? 'yes' : 'no'}`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

void main();

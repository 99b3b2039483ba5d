/**
 * ixy-fwd on the batch API: receive on one port, touch one byte of each frame, transmit on the other,
 * both directions, free what the tx ring did not take; the rate once per second.
 * Run: npx ts-node-transpile-only examples/fwd.ts [devA] [devB] [seconds]
 * (default sim:0 and sim:1, whose far-end testers generate the traffic; or two PCI addresses)
 */
import { defaultSimCard, openDevice, PacketBatch, type NetDevice } from '../lib';

function forward(from: NetDevice, to: NetDevice, batch: PacketBatch): number {
  const n = from.rxBatch(0, batch);
  if (n === 0 || batch.pool === null) return 0;
  const { data, bufferSize } = batch.pool;
  for (let i = 0; i < n; i++) data[batch.ids[i] * bufferSize + 1] ^= 1;
  const sent = to.txBatch(0, batch);
  batch.freeAll();
  return sent;
}

async function main(): Promise<void> {
  const [specA, specB] = [process.argv[2] ?? 'sim:0', process.argv[3] ?? 'sim:1'];
  const seconds = Number(process.argv[4] ?? 2);
  const a = await openDevice(specA);
  const b = await openDevice(specB);
  // On the simulator, let the testers at the far ends generate the traffic.
  if (specA.startsWith('sim:') && specB.startsWith('sim:')) {
    defaultSimCard().tester(0).startGenerator({ ratePps: 1e6 });
    defaultSimCard().tester(1).startGenerator({ ratePps: 1e6 });
  }
  const batchA = new PacketBatch(64);
  const batchB = new PacketBatch(64);
  const end = Date.now() + seconds * 1000;
  let forwarded = 0;
  let reported = 0;
  let nextReport = Date.now() + 1000;
  while (Date.now() < end) {
    for (let k = 0; k < 1000; k++) forwarded += forward(a, b, batchA) + forward(b, a, batchB);
    if (Date.now() >= nextReport) {
      console.log(`${((forwarded - reported) / 1e6).toFixed(2)} Mpps forwarded`);
      reported = forwarded;
      nextReport += 1000;
    }
    await new Promise((resolve) => setImmediate(resolve));  // let timers and Ctrl-C run
  }
  console.log(`forwarded ${forwarded} frames in ${seconds} s`);
  a.close();
  b.close();
}

void main();

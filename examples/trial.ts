/**
 * Send on one port and receive on another in one loop, and read per flow what arrived: on the
 * simulated card, sim:0 and sim:1 wired to each other (cross), 8 flows at line rate. On hardware, give
 * the two PCI addresses and cable them (or put a device under test between them).
 * Run: npx ts-node-transpile-only examples/trial.ts [txDev] [rxDev] [count]
 */
import { openDevice, runTrial } from '../lib';

async function main(): Promise<void> {
  const txSpec = process.argv[2] ?? 'sim:0,wiring=cross';
  const rxSpec = process.argv[3] ?? 'sim:1';
  const count = Number(process.argv[4] ?? 1_000_000);
  const tx = await openDevice(txSpec);
  // The receiver shares the sender's loop: a ring that holds every frame in flight misses none.
  const rx = await openDevice(rxSpec, { rxRingSize: 4096, mempoolSize: 8192 });
  try {
    const r = await runTrial(tx, rx, { count, rate: 'line', flows: { srcPort: '1024-1031' }, dstMac: rx.mac });
    const t = r.total;
    console.log(`sent ${t.sent}, received ${t.received}, lost ${t.lost}, reordered ${t.reordered}, duplicated ${t.duplicated}, corrupted ${t.corrupted}`);
    for (const f of r.flows) console.log(`flow ${f.tuple}: ${f.received}/${f.sent}, latency avg ${((f.latency_avg_ns ?? 0) / 1000).toFixed(1)} us (software)`);
  } finally {
    tx.close();
    rx.close();
  }
}

void main();

/**
 * The measured TypeScript loops in lockstep (docs/benchmark.md, "Driver cost in lockstep"): each
 * iteration runs one pass of the model on this thread ({@link SimCard.step}, timed natively) and then the
 * driver's batch, so that the driver's share is the loop's time minus the passes'. Same hot-path rules
 * as modes.ts: nothing allocated per packet or per batch, the clock read once every 64 iterations.
 */
import { performance } from 'node:perf_hooks';
import type { SimCard } from '../bus/sim';
import { simNative } from '../bus/sim-binding';
import type { NetDevice } from '../device';
import type { PacketBatch } from '../memory/batch';
import type { Mempool } from '../memory/mempool';
import { fillTxBatch, forwardOnce, limitOf, type LoopLimit } from './modes';

/** What a lockstep loop did. */
export interface LockstepResult {
  packets: number;
  /** The whole loop, ns. */
  ns: number;
  /** The part of `ns` spent inside model passes, ns. */
  modelNs: number;
  /** Loop iterations, one model pass (one `step()` call) each. */
  passes: number;
}

/** What the lockstep pktgen did, and the sequence number its next run starts from (the checker's next). */
export interface TxLockstepResult extends LockstepResult {
  nextSeq: number;
}

const CLOCK_EVERY = 63;

/** The native pass function, called as `pass(card.handle, 1)`; returns the ns spent inside the pass. */
export type ModelPass = (handle: number, passes: number) => number;

/**
 * The model's pass for a loop over `card`: one checked {@link SimCard.step} (it throws unless `card` is a
 * lockstep card with its thread stopped), then the native function itself, so that each iteration pays
 * for the call into the model and not for SimCard's argument checks and the addon's lazy-load proxy.
 */
export function modelPass(card: SimCard): ModelPass {
  card.step();
  return simNative.simStep;
}

/**
 * pktgen in lockstep: as modes.ts txLoop, one model pass before each txBatch, sequence numbers from
 * `firstSeq` (frames left unsent at the end are freed and their numbers reused by the next run).
 */
export function txLockstep(card: SimCard, dev: NetDevice, pool: Mempool, batch: PacketBatch, frameSize: number, limit: LoopLimit, firstSeq: number): TxLockstepResult {
  const maxPackets = limitOf(limit);
  batch.pool = pool;
  batch.count = 0;
  let packets = 0;
  let seq = firstSeq;
  let iter = 0;
  let modelNs = 0;
  const pass = modelPass(card);
  const handle = card.handle;
  const start = performance.now();
  const deadline = start + limit.seconds * 1000;
  while (packets < maxPackets) {
    if ((++iter & CLOCK_EVERY) === 0 && performance.now() >= deadline) break;
    modelNs += pass(handle, 1);
    seq = fillTxBatch(pool, batch, frameSize, seq);
    packets += dev.txBatch(0, batch);
  }
  const ns = (performance.now() - start) * 1e6;
  const nextSeq = (seq - batch.count) >>> 0;
  batch.freeAll();
  return { packets, ns, modelNs, passes: iter, nextSeq };
}

/** rx only in lockstep: one model pass, then rxBatch, frames freed straight back. */
export function rxLockstep(card: SimCard, dev: NetDevice, batch: PacketBatch, limit: LoopLimit): LockstepResult {
  const maxPackets = limitOf(limit);
  let packets = 0;
  let iter = 0;
  let modelNs = 0;
  const pass = modelPass(card);
  const handle = card.handle;
  const start = performance.now();
  const deadline = start + limit.seconds * 1000;
  while (packets < maxPackets) {
    if ((++iter & CLOCK_EVERY) === 0 && performance.now() >= deadline) break;
    modelNs += pass(handle, 1);
    packets += dev.rxBatch(0, batch);
    batch.freeAll();
  }
  return { packets, ns: (performance.now() - start) * 1e6, modelNs, passes: iter };
}

/** Bidirectional forwarding in lockstep: one model pass, then a batch each way. */
export function forwardLockstep(card: SimCard, a: NetDevice, b: NetDevice, batchA: PacketBatch, batchB: PacketBatch, limit: LoopLimit): LockstepResult {
  const poolA = a.rxPool(0);
  const poolB = b.rxPool(0);
  const dataA = poolA.data;
  const dataB = poolB.data;
  const sizeA = poolA.bufferSize;
  const sizeB = poolB.bufferSize;
  const maxPackets = limitOf(limit);
  let packets = 0;
  let iter = 0;
  let modelNs = 0;
  const pass = modelPass(card);
  const handle = card.handle;
  const start = performance.now();
  const deadline = start + limit.seconds * 1000;
  while (packets < maxPackets) {
    if ((++iter & CLOCK_EVERY) === 0 && performance.now() >= deadline) break;
    modelNs += pass(handle, 1);
    packets += forwardOnce(a, b, batchA, dataA, sizeA);
    packets += forwardOnce(b, a, batchB, dataB, sizeB);
  }
  return { packets, ns: (performance.now() - start) * 1e6, modelNs, passes: iter };
}

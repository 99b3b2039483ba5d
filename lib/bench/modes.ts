/**
 * The measured TypeScript loops: pktgen (tx only), rx only, and a two-port forwarder, each over the
 * NetDevice API exactly as an application would call it. Hot-path rules (docs/benchmark.md): nothing is
 * allocated per packet or per batch, no closures, no try/catch, one monomorphic call site per device
 * method, and the clock is read once every 64 iterations.
 */
import { performance } from 'node:perf_hooks';
import type { NetDevice } from '../device';
import type { PacketBatch } from '../memory/batch';
import type { Mempool } from '../memory/mempool';
import { SEQ_OFFSET } from './frame';

/** When a loop stops: after `seconds` or after `packets` (0: no packet limit), whichever comes first. */
export interface LoopLimit {
  seconds: number;
  packets: number;
}

/** What a loop did. */
export interface LoopResult {
  packets: number;
  ns: number;
}

const CLOCK_EVERY = 63;

/** The packet limit of `limit` as a number (no limit: MAX_SAFE_INTEGER). */
export function limitOf(limit: LoopLimit): number {
  return limit.packets > 0 ? limit.packets : Number.MAX_SAFE_INTEGER;
}

/**
 * Tops `batch` up from `pool` (buffers already hold the test frame), writing sequence numbers from `seq`
 * at SEQ_OFFSET; returns the next sequence number.
 */
export function fillTxBatch(pool: Mempool, batch: PacketBatch, frameSize: number, seq: number): number {
  const data = pool.data;
  const bufSize = pool.bufferSize;
  const ids = batch.ids;
  const lengths = batch.lengths;
  const have = batch.count;
  const got = pool.allocBulk(ids, have, batch.capacity - have);
  let s = seq;
  for (let i = have; i < have + got; i++) {
    const off = ids[i] * bufSize + SEQ_OFFSET;
    data[off] = s >>> 24;
    data[off + 1] = (s >>> 16) & 0xff;
    data[off + 2] = (s >>> 8) & 0xff;
    data[off + 3] = s & 0xff;
    lengths[i] = frameSize;
    s = (s + 1) >>> 0;
  }
  batch.count = have + got;
  return s;
}

/**
 * pktgen: fills `batch` from `pool` (whose buffers already hold the test frame), writes a sequence
 * number into each frame and transmits on queue 0 of `dev`. Unsent packets stay in the batch for the
 * next round, so the sequence stays in order.
 */
export function txLoop(dev: NetDevice, pool: Mempool, batch: PacketBatch, frameSize: number, limit: LoopLimit): LoopResult {
  const maxPackets = limitOf(limit);
  batch.pool = pool;
  batch.count = 0;
  let packets = 0;
  let seq = 0;
  let iter = 0;
  const start = performance.now();
  const deadline = start + limit.seconds * 1000;
  while (packets < maxPackets) {
    if ((++iter & CLOCK_EVERY) === 0 && performance.now() >= deadline) break;
    seq = fillTxBatch(pool, batch, frameSize, seq);
    packets += dev.txBatch(0, batch);
  }
  const ns = (performance.now() - start) * 1e6;
  batch.freeAll();
  return { packets, ns };
}

/** rx only: receives batches on queue 0 of `dev` and frees them straight back to their pool. */
export function rxLoop(dev: NetDevice, batch: PacketBatch, limit: LoopLimit): LoopResult {
  const maxPackets = limitOf(limit);
  let packets = 0;
  let iter = 0;
  const start = performance.now();
  const deadline = start + limit.seconds * 1000;
  while (packets < maxPackets) {
    if ((++iter & CLOCK_EVERY) === 0 && performance.now() >= deadline) break;
    packets += dev.rxBatch(0, batch);
    batch.freeAll();
  }
  return { packets, ns: (performance.now() - start) * 1e6 };
}

/** One direction of the forwarder: rx on `from`, touch byte 1 of each frame, tx on `to`, drop what did not fit. */
export function forwardOnce(from: NetDevice, to: NetDevice, batch: PacketBatch, data: Uint8Array, bufSize: number): number {
  const n = from.rxBatch(0, batch);
  if (n === 0) return 0;
  const ids = batch.ids;
  // Math.imul: a Uint32Array element times a number is a double multiply in V8; the offset fits 32 bits.
  const size = bufSize | 0;
  for (let i = 0; i < n; i++) {
    const off = Math.imul(ids[i], size) + 1;
    data[off] = (data[off] + 1) & 0xff;
  }
  const sent = to.txBatch(0, batch);
  batch.freeAll();
  return sent;
}

/** Bidirectional forwarding between `a` and `b` (queue 0 each); counts frames forwarded both ways. */
export function forwardLoop(a: NetDevice, b: NetDevice, batchA: PacketBatch, batchB: PacketBatch, limit: LoopLimit): LoopResult {
  const poolA = a.rxPool(0);
  const poolB = b.rxPool(0);
  const dataA = poolA.data;
  const dataB = poolB.data;
  const sizeA = poolA.bufferSize;
  const sizeB = poolB.bufferSize;
  const maxPackets = limitOf(limit);
  let packets = 0;
  let iter = 0;
  const start = performance.now();
  const deadline = start + limit.seconds * 1000;
  while (packets < maxPackets) {
    if ((++iter & CLOCK_EVERY) === 0 && performance.now() >= deadline) break;
    packets += forwardOnce(a, b, batchA, dataA, sizeA);
    packets += forwardOnce(b, a, batchB, dataB, sizeB);
  }
  return { packets, ns: (performance.now() - start) * 1e6 };
}

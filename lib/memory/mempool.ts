/**
 * Packet memory: one DMA region cut into fixed-size buffers. Buffer `i` starts at byte `i * bufferSize`
 * of the region, so its bus address is computed, never looked up. Free buffers are a stack of ids in a
 * Uint32Array: alloc and free are an index move and one typed-array access, with no garbage.
 * A pool spans at most 4 GiB, so a buffer's bus address is the base's low word plus a 32-bit offset,
 * with at most a carry into the high word: descriptor rings compute both words in integer arithmetic
 * ({@link Mempool.iovaLow}, {@link Mempool.iovaHigh}).
 */
import type { DmaOptions, DmaRegion, PciFunction } from '../bus/types';
import { checkInteger, TsnicError } from '../errors';

/** Options for {@link Mempool.create}. */
export interface MempoolOptions extends DmaOptions {
  /** Number of buffers, 1 to 2^20. */
  count: number;
  /** Bytes per buffer, a multiple of 128 from 256 to 16384; 2048 by default (one 82599 rx buffer). */
  bufferSize?: number;
}

/** Largest pool in bytes: every buffer offset fits 32 bits (see the file header). */
export const MEMPOOL_MAX_BYTES = 2 ** 32;

/** A pool of packet buffers in DMA memory. */
export class Mempool {
  /** Every live pool by {@link index}, so a tx ring can return a buffer to the pool it came from. */
  static readonly registry: (Mempool | undefined)[] = [];

  /** This pool's slot in {@link Mempool.registry}. */
  readonly index: number;
  /** The DMA region holding every buffer. */
  readonly region: DmaRegion;
  /** All packet bytes: buffer `id` is `data[offsetOf(id) .. offsetOf(id) + bufferSize)`. */
  readonly data: Uint8Array;
  /** Bytes per buffer. */
  readonly bufferSize: number;
  /** Number of buffers. */
  readonly count: number;
  /** Bus address of buffer 0. */
  readonly iovaBase: number;
  /** Low 32 bits of {@link iovaBase}. */
  readonly iovaLow: number;
  /** High 32 bits of {@link iovaBase}. */
  readonly iovaHigh: number;

  /**
   * The stack of free buffer ids, valid in `[0, top)`. Ring code (the drivers' rx and tx loops) pops and
   * pushes it inline instead of calling {@link alloc}/{@link free} per packet; everyone else uses the
   * methods. Int32Array, not Uint32Array: ids are below 2^20, and V8 keeps an int32 element in a
   * machine register where a uint32 one may need a check or a double.
   */
  readonly freeIds: Int32Array;
  /** Free buffers: the stack's height (see {@link freeIds}). */
  top: number;
  private readonly owner: PciFunction;

  private constructor(owner: PciFunction, region: DmaRegion, count: number, bufferSize: number, index: number) {
    this.owner = owner;
    this.region = region;
    this.data = new Uint8Array(region.bytes);
    this.bufferSize = bufferSize;
    this.count = count;
    this.iovaBase = region.iova;
    this.iovaLow = region.iova >>> 0;
    this.iovaHigh = Math.floor(region.iova / 2 ** 32);
    this.index = index;
    this.freeIds = new Int32Array(count);
    // Lowest ids on top of the stack: a fresh pool hands out buffers in address order.
    for (let i = 0; i < count; i++) this.freeIds[i] = count - 1 - i;
    this.top = count;
  }

  /** Allocates a pool in DMA memory mapped for `pci` (and, over VFIO, for every device of the process). */
  static create(pci: PciFunction, options: MempoolOptions): Mempool {
    const count = checkInteger('mempool count', options.count, 1, 1 << 20);
    const bufferSize = checkInteger('mempool bufferSize', options.bufferSize ?? 2048, 256, 16384);
    if (bufferSize % 128 !== 0) {
      throw new TsnicError('ERR_INVALID_ARG', `mempool bufferSize must be a multiple of 128, got ${bufferSize}`);
    }
    if (count * bufferSize > MEMPOOL_MAX_BYTES) {
      throw new TsnicError('ERR_INVALID_ARG', `mempool of ${count} x ${bufferSize} bytes exceeds 4 GiB: use fewer or smaller buffers, or several pools`);
    }
    const region = pci.allocDma(count * bufferSize, options);
    let index = Mempool.registry.indexOf(undefined);
    if (index < 0) index = Mempool.registry.length;
    const pool = new Mempool(pci, region, count, bufferSize, index);
    Mempool.registry[index] = pool;
    return pool;
  }

  /** Byte offset of buffer `id` in {@link data}. */
  offsetOf(id: number): number {
    return id * this.bufferSize;
  }

  /** Bus address of buffer `id`. */
  iovaOf(id: number): number {
    return this.iovaBase + id * this.bufferSize;
  }

  /** Free buffers right now. */
  get available(): number {
    return this.top;
  }

  /** Takes one buffer; returns its id, or -1 when the pool is empty. */
  alloc(): number {
    if (this.top === 0) return -1;
    return this.freeIds[--this.top];
  }

  /** Takes up to `n` buffers into `ids[start..]`; returns how many it took. */
  allocBulk(ids: Uint32Array, start: number, n: number): number {
    const take = n < this.top ? n : this.top;
    const free = this.freeIds;
    let top = this.top;
    for (let i = 0; i < take; i++) ids[start + i] = free[--top];
    this.top = top;
    return take;
  }

  /** Returns buffer `id` to the pool. */
  free(id: number): void {
    this.freeIds[this.top++] = id;
  }

  /** Returns `n` buffers `ids[start..start+n)` to the pool. */
  freeBulk(ids: Uint32Array, start: number, n: number): void {
    const free = this.freeIds;
    let top = this.top;
    for (let i = 0; i < n; i++) free[top++] = ids[start + i];
    this.top = top;
  }

  /** Releases the pool's DMA memory. Every device using these buffers must be stopped first. */
  destroy(): void {
    if (Mempool.registry[this.index] === this) Mempool.registry[this.index] = undefined;
    this.owner.freeDma(this.region);
  }
}

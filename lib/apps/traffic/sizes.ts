/**
 * Frame sizes of generated traffic: fixed, swept, random in a range, or IMIX. Sizes count the whole
 * frame without FCS (an 802.1Q tag included), 60..1514: a "64-byte frame" on the wire is 60 here.
 *
 * Text form ({@link parseFrameSizes}, `pktgen --size`): `60`; `60-1514` or `60-1514:STEP` (a sweep:
 * from, from + step, ... up to the last size not above to, then again); `random:60-1514` (uniform);
 * `imix`: the simple IMIX, 7:4:1 of 64, 594 and 1518 bytes on the wire (60, 590, 1514 here), sent in
 * a fixed interleaved cycle of 12.
 */
import { checkInteger, TsnicError } from '../../errors';
import { MAX_FRAME_SIZE, MIN_FRAME_SIZE } from '../frame-builder';
import { XorShift32 } from './random';

/** How frame sizes are chosen, frame by frame. */
export type FrameSizes =
  /** Every frame `size` bytes. */
  | { readonly kind: 'fixed'; readonly size: number }
  /** from, from + step, ... (not above `to`), then from again. */
  | { readonly kind: 'sweep'; readonly from: number; readonly to: number; readonly step: number }
  /** Uniform in [min, max]. */
  | { readonly kind: 'random'; readonly min: number; readonly max: number }
  /** 7:4:1 of 60, 590 and 1514 bytes (64, 594, 1518 on the wire with FCS). */
  | { readonly kind: 'imix' };

/** The IMIX cycle: seven 60s, four 590s and one 1514, interleaved. */
const IMIX_CYCLE = [60, 590, 60, 60, 590, 60, 1514, 60, 590, 60, 60, 590];

/** The accepted text forms, for messages. */
export const SIZE_SYNTAX = '60, 60-1514 (a sweep), 60-1514:64 (a sweep by 64), random:60-1514 or imix';

function sizeOf(what: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new TsnicError('ERR_INVALID_ARG', `${what} must be frame sizes such as ${SIZE_SYNTAX}, got "${text}"`);
  return checkSize(what, Number(text));
}

function checkSize(what: string, n: number): number {
  if (!Number.isInteger(n) || n < MIN_FRAME_SIZE || n > MAX_FRAME_SIZE) {
    throw new TsnicError(
      'ERR_INVALID_ARG',
      `${what} must be a whole number from ${MIN_FRAME_SIZE} to ${MAX_FRAME_SIZE}, got "${String(n)}" (sizes without FCS: 64 on the wire is 60; or ${SIZE_SYNTAX})`,
    );
  }
  return n;
}

/** Parses the text form (see the module comment); ERR_INVALID_ARG naming `what` when malformed. */
export function parseFrameSizes(what: string, text: string): FrameSizes {
  const t = text.trim().toLowerCase();
  if (t === 'imix') return { kind: 'imix' };
  const random = /^random:(\d+)-(\d+)$/.exec(t);
  if (random !== null) return checkFrameSizes(what, { kind: 'random', min: sizeOf(what, random[1]), max: sizeOf(what, random[2]) });
  const sweep = /^(\d+)-(\d+)(?::(\d+))?$/.exec(t);
  if (sweep !== null) {
    return checkFrameSizes(what, { kind: 'sweep', from: sizeOf(what, sweep[1]), to: sizeOf(what, sweep[2]), step: Number(sweep[3] ?? 1) });
  }
  return { kind: 'fixed', size: sizeOf(what, t) };
}

/** Checks sizes given through the API: a number, a {@link FrameSizes} object or its text form. */
export function toFrameSizes(what: string, sizes: FrameSizes | number | string): FrameSizes {
  if (typeof sizes === 'number') return { kind: 'fixed', size: checkSize(what, sizes) };
  if (typeof sizes === 'string') return parseFrameSizes(what, sizes);
  return checkFrameSizes(what, sizes);
}

function checkFrameSizes(what: string, s: FrameSizes): FrameSizes {
  switch (s?.kind) {
    case 'fixed':
      checkSize(what, s.size);
      return s;
    case 'sweep':
      checkSize(what, s.from);
      checkSize(what, s.to);
      checkInteger(`${what} sweep step`, s.step, 1, MAX_FRAME_SIZE);
      if (s.to < s.from) throw new TsnicError('ERR_INVALID_ARG', `${what}: a sweep goes up, from the smaller size to the larger, got ${s.from}-${s.to}`);
      return s;
    case 'random':
      checkSize(what, s.min);
      checkSize(what, s.max);
      if (s.max < s.min) throw new TsnicError('ERR_INVALID_ARG', `${what}: random:MIN-MAX needs MIN <= MAX, got ${s.min}-${s.max}`);
      return s;
    case 'imix':
      return s;
    default:
      throw new TsnicError('ERR_INVALID_ARG', `${what} must be frame sizes such as ${SIZE_SYNTAX}, got ${JSON.stringify(s)}`);
  }
}

/** The sizes of one cycle (fixed, sweep, IMIX), or undefined for random sizes. */
function cycleOf(s: FrameSizes): number[] | undefined {
  switch (s.kind) {
    case 'fixed':
      return [s.size];
    case 'sweep': {
      const out: number[] = [];
      for (let n = s.from; n <= s.to; n += s.step) out.push(n);
      return out;
    }
    case 'imix':
      return IMIX_CYCLE;
    case 'random':
      return undefined;
  }
}

/** Mean frame size (without FCS) over a cycle, or of the random range: what a bit rate is paced with. */
export function meanFrameSize(s: FrameSizes): number {
  if (s.kind === 'random') return (s.min + s.max) / 2;
  const cycle = cycleOf(s) ?? [];
  return cycle.reduce((a, b) => a + b, 0) / cycle.length;
}

/** Largest size the sequence can produce. */
export function maxFrameSize(s: FrameSizes): number {
  if (s.kind === 'random') return s.max;
  return Math.max(...(cycleOf(s) ?? []));
}

/** A readable form, e.g. `60 bytes`, `IMIX`, `60-1514 by 4`. */
export function formatFrameSizes(s: FrameSizes): string {
  switch (s.kind) {
    case 'fixed':
      return `${s.size} bytes`;
    case 'sweep':
      return `${s.from}-${s.to}${s.step === 1 ? '' : ` by ${s.step}`} bytes, swept`;
    case 'random':
      return `random ${s.min}-${s.max} bytes`;
    case 'imix':
      return 'IMIX 7:4:1 of 64/594/1518 on the wire';
  }
}

/** Produces the size of each frame in turn, without allocation. */
export class SizeSequence {
  private readonly cycle: Uint16Array;
  private readonly min: number;
  private readonly span: number;
  private readonly rng: XorShift32;
  private index = 0;

  /** The sequence of `sizes`; random sizes draw from `rng`. */
  constructor(sizes: FrameSizes, rng: XorShift32) {
    const cycle = cycleOf(sizes);
    this.cycle = Uint16Array.from(cycle ?? []);
    this.min = sizes.kind === 'random' ? sizes.min : 0;
    this.span = sizes.kind === 'random' ? sizes.max - sizes.min + 1 : 0;
    this.rng = rng;
  }

  /** The next frame's size. */
  next(): number {
    if (this.span > 0) return this.min + this.rng.below(this.span);
    const size = this.cycle[this.index];
    this.index = this.index + 1 === this.cycle.length ? 0 : this.index + 1;
    return size;
  }
}

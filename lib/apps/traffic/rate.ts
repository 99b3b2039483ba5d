/**
 * The one rate syntax of tsnic, for command-line flags (`pktgen --rate`), simulated device specs
 * (`sim:0,rate=...`) and the API ({@link parseRate}):
 *
 * - packets per second: `14.88Mpps`, `500kpps`, `1000pps`;
 * - bits per second on the wire (L1): `5Gbps`, `800Mbps`, `100kbps`, `1000bps`: each frame counts with
 *   its 4-byte FCS, 8 bytes of preamble and SFD and the 12-byte inter-frame gap (802.3 clause 4.4.2),
 *   i.e. 24 bytes over its size without FCS, so `10Gbps` is line rate on a 10G link whatever the size;
 * - a share of line rate: `50%` (`100%` or `line`: line rate), of 10 Gbit/s on the 82599 and the
 *   simulated card, of the link speed otherwise.
 *
 * Units are case-insensitive (`mpps` = `Mpps`: there are no millipackets). A bare number is refused:
 * it meant Mpps on `pktgen --rate` and packets per second in a sim spec, so it must say which.
 */
import type { NetDevice } from '../../device';
import { TsnicError } from '../../errors';

/** Bytes a frame occupies on the wire besides its size without FCS: FCS 4, preamble and SFD 8, gap 12. */
export const WIRE_OVERHEAD_BYTES = 24;

/** A parsed rate: one of three units, turned into packets per second by {@link ratePps}. */
export type Rate =
  /** Packets per second. */
  | { readonly unit: 'pps'; readonly value: number }
  /** Bits per second on the wire (L1: frame, FCS, preamble, SFD and gap). */
  | { readonly unit: 'bps'; readonly value: number }
  /** Percent of line rate (0 < value <= 100). */
  | { readonly unit: 'percent'; readonly value: number };

const SCALE: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9 };

/** The accepted forms, for error messages. */
export const RATE_SYNTAX = '14.88Mpps, 500kpps, 1000pps, 5Gbps (on the wire), 800Mbps, 50% (of line rate) or line';

/**
 * Parses `text` as a rate (see the module comment). `what` names the argument in the error, e.g.
 * `--rate`. ERR_INVALID_ARG for anything else, including a bare number and a rate of 0.
 */
export function parseRate(what: string, text: string): Rate {
  const t = text.trim();
  if (t.toLowerCase() === 'line') return { unit: 'percent', value: 100 };
  const m = /^(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?\s*(%|[kmg]?pps|[kmg]?bps|[kmg]?bit\/s)?$/i.exec(t);
  if (m === null) throw new TsnicError('ERR_INVALID_ARG', `${what} must be a rate such as ${RATE_SYNTAX}, got "${text}"`);
  const value = Number(m[1]) * 10 ** Number(m[2] ?? 0);
  const unit = (m[3] ?? '').toLowerCase();
  if (unit === '') {
    const forms = [`${t}pps`, `${t}kpps`, `${t}Mpps`, `${t}Gbps`, ...(value <= 100 ? [`${t}%`] : [])];
    throw new TsnicError('ERR_INVALID_ARG', `${what} "${text}" has no unit: add one, e.g. ${forms.join(', ')}`);
  }
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new TsnicError('ERR_INVALID_ARG', `${what} must be above 0, got "${text}" (leave the rate out to send as fast as possible)`);
  }
  if (unit === '%') {
    if (value > 100) throw new TsnicError('ERR_INVALID_ARG', `${what} ${text} is above line rate: use at most 100%`);
    return { unit: 'percent', value };
  }
  const scale = SCALE[unit[0]] ?? 1;
  return unit.endsWith('pps') ? { unit: 'pps', value: value * scale } : { unit: 'bps', value: value * scale };
}

/** Checks a {@link Rate} given through the API (an object or the text {@link parseRate} reads). */
export function toRate(what: string, rate: Rate | string): Rate {
  if (typeof rate === 'string') return parseRate(what, rate);
  const ok = typeof rate === 'object' && rate !== null && ['pps', 'bps', 'percent'].includes(rate.unit) &&
    typeof rate.value === 'number' && rate.value > 0 && Number.isFinite(rate.value) && (rate.unit !== 'percent' || rate.value <= 100);
  if (!ok) throw new TsnicError('ERR_INVALID_ARG', `${what} must be a rate such as ${RATE_SYNTAX} or { unit: 'pps', value: 1e6 }, got ${JSON.stringify(rate)}`);
  return rate;
}

/** Line rate of a link of `lineBps` bits per second in frames per second, for frames of `meanSize` bytes (FCS excluded). */
export function lineRatePpsFor(lineBps: number, meanSize: number): number {
  return lineBps / ((meanSize + WIRE_OVERHEAD_BYTES) * 8);
}

/**
 * `rate` in packets per second, for frames whose mean size without FCS is `meanSize` on a link of
 * `lineBps` bits per second. A bit rate or a share of line rate is paced as packets per second of the
 * mean size: exact over a whole size cycle (sweep, IMIX) or on average (random sizes).
 */
export function ratePps(rate: Rate, meanSize: number, lineBps: number): number {
  if (rate.unit === 'pps') return rate.value;
  const bps = rate.unit === 'bps' ? rate.value : (lineBps * rate.value) / 100;
  return lineRatePpsFor(bps, meanSize);
}

/** A readable form of a rate, e.g. `14.88 Mpps`, `5 Gbit/s on the wire`, `50% of line rate`. */
export function formatRate(rate: Rate): string {
  if (rate.unit === 'percent') return `${rate.value}% of line rate`;
  const units = rate.unit === 'pps' ? ['pps', 'kpps', 'Mpps', 'Gpps'] : ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
  let v = rate.value;
  let k = 0;
  while (v >= 1000 && k < 3) {
    v /= 1000;
    k++;
  }
  const text = `${Number(v.toPrecision(6))} ${units[k]}`;
  return rate.unit === 'bps' ? `${text} on the wire` : text;
}

/** The line rate for `%` rates on `dev`: `lineBps` if given, else the link's speed, else 10 Gbit/s. */
export function lineBpsOf(dev: NetDevice, lineBps: number | undefined): number {
  if (lineBps !== undefined) {
    if (typeof lineBps !== 'number' || !(lineBps > 0) || !Number.isFinite(lineBps)) {
      throw new TsnicError('ERR_INVALID_ARG', `lineBps must be a number of bits per second above 0, got ${String(lineBps)}`);
    }
    return lineBps;
  }
  const speed = dev.linkStatus().speedMbps;
  return speed > 0 ? speed * 1e6 : 10e9;
}

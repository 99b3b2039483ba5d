/**
 * The flows of generated traffic: every combination of a range of IPv4 source addresses, destination
 * addresses, UDP source ports and destination ports is one flow (at most 65536), numbered by flow id
 * with the destination port varying fastest, then the source port, the destination address, the source
 * address. Frames go to the flows in turn (`sequential`) or to a random flow each (`random`). The
 * header fields of each flow are computed once ({@link buildFlows}); per packet only a flow id is picked.
 *
 * Text forms (`pktgen --src-ip`, ...): an address `10.0.0.1` or a range `10.0.0.1-10.0.0.254`; a port
 * `1024` or a range `1024-1087`.
 */
import { TsnicError } from '../../errors';
import { MAX_FLOW_ID, type FlowFields } from '../frame-builder';

/** Which flows a generator sends (defaults: 10.0.0.1 -> 10.0.0.2, UDP 1024 -> 1024, one flow). */
export interface FlowSpec {
  /** IPv4 source address or range, e.g. `10.0.0.1` or `10.0.0.1-10.0.0.100`. Default 10.0.0.1. */
  srcIp?: string;
  /** IPv4 destination address or range. Default 10.0.0.2. */
  dstIp?: string;
  /** UDP source port or range (`1024`, `1024-1100`, or a number). Default 1024. */
  srcPort?: string | number;
  /** UDP destination port or range. Default 1024. */
  dstPort?: string | number;
  /** `sequential` (default): flow ids in turn; `random`: a uniformly random flow per frame. */
  order?: 'sequential' | 'random';
}

/** Flows resolved: their header fields by flow id, and the order. */
export interface Flows extends FlowFields {
  /** Number of flows. */
  readonly count: number;
  /** How frames are spread over them. */
  readonly order: 'sequential' | 'random';
}

/** An inclusive range of numbers. */
interface Range {
  first: number;
  last: number;
}

function ipv4(what: string, text: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  const bytes = m?.slice(1).map(Number);
  if (bytes === undefined || bytes.some((b) => b > 255)) {
    throw new TsnicError('ERR_INVALID_ARG', `${what} must be an IPv4 address or range such as 10.0.0.1 or 10.0.0.1-10.0.0.254, got "${text}"`);
  }
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}

function ipRange(what: string, text: string): Range {
  const [a, b, extra] = text.split('-');
  if (extra !== undefined) throw new TsnicError('ERR_INVALID_ARG', `${what} must be an address or one range FIRST-LAST, got "${text}"`);
  const first = ipv4(what, a.trim());
  const last = b === undefined ? first : ipv4(what, b.trim());
  if (last < first) throw new TsnicError('ERR_INVALID_ARG', `${what}: a range goes from the lower address to the higher, got "${text}"`);
  return { first, last };
}

function port(what: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new TsnicError('ERR_INVALID_ARG', `${what} must be a UDP port 0..65535 or a range such as 1024-1087, got "${text}"`);
  return n;
}

function portRange(what: string, value: string | number): Range {
  const text = String(value).trim();
  const [a, b, extra] = text.split('-');
  if (extra !== undefined) throw new TsnicError('ERR_INVALID_ARG', `${what} must be a port or one range FIRST-LAST, got "${text}"`);
  const first = port(what, a.trim());
  const last = b === undefined ? first : port(what, b.trim());
  if (last < first) throw new TsnicError('ERR_INVALID_ARG', `${what}: a range goes from the lower port to the higher, got "${text}"`);
  return { first, last };
}

/** Builds the flows of `spec`; ERR_INVALID_ARG when a field is malformed or the ranges make over 65536 flows. */
export function buildFlows(spec: FlowSpec = {}): Flows {
  if (typeof spec !== 'object' || spec === null) throw new TsnicError('ERR_INVALID_ARG', `flows must be an object such as { srcIp: '10.0.0.1-10.0.0.9' }, got ${String(spec)}`);
  const order = spec.order ?? 'sequential';
  if (order !== 'sequential' && order !== 'random') throw new TsnicError('ERR_INVALID_ARG', `flow order must be sequential or random, got ${String(order)}`);
  const ranges = [
    ipRange('source address', spec.srcIp ?? '10.0.0.1'),
    ipRange('destination address', spec.dstIp ?? '10.0.0.2'),
    portRange('source port', spec.srcPort ?? 1024),
    portRange('destination port', spec.dstPort ?? 1024),
  ];
  const sizes = ranges.map((r) => r.last - r.first + 1);
  const count = sizes.reduce((a, b) => a * b, 1);
  if (count > MAX_FLOW_ID + 1) {
    throw new TsnicError('ERR_INVALID_ARG', `the address and port ranges make ${count} flows (${sizes.join(' x ')}); at most ${MAX_FLOW_ID + 1}: narrow a range`);
  }
  const flows: Flows = {
    count, order,
    srcIp: new Uint32Array(count), dstIp: new Uint32Array(count), srcPort: new Uint16Array(count), dstPort: new Uint16Array(count),
  };
  for (let f = 0; f < count; f++) {
    let rest = f;
    const pick = (k: number): number => {
      const v = ranges[k].first + (rest % sizes[k]);
      rest = Math.floor(rest / sizes[k]);
      return v;
    };
    flows.dstPort[f] = pick(3);
    flows.srcPort[f] = pick(2);
    flows.dstIp[f] = pick(1);
    flows.srcIp[f] = pick(0);
  }
  return flows;
}

/** Dotted form of a 32-bit IPv4 address. */
export function formatIpv4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/** A flow's 4-tuple as text, e.g. `10.0.0.1:1024 -> 10.0.0.2:1024`. */
export function formatFlow(flows: FlowFields, f: number): string {
  return `${formatIpv4(flows.srcIp[f])}:${flows.srcPort[f]} -> ${formatIpv4(flows.dstIp[f])}:${flows.dstPort[f]}`;
}

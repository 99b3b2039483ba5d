/**
 * Live reporting of {@link IntervalStats}: one line rewritten in place on a terminal, one plain line per
 * interval when piped, or one JSON object per line (`--json`) with a last `"type":"total"` line.
 *
 * The live line says the same as the `--json` interval records, in the same units: per direction the
 * run's packets so far (the sum of the records' `tx_packets` / `rx_packets`), the interval's packet
 * rate (`mpps`, in the unit that suits it: pps, kpps or Mpps) and bit rates on the wire (`gbps_wire`,
 * L1) and of frame bytes (`gbps`, L2). On a terminal it fits the width (process.stdout.columns, 80
 * when unknown), dropping detail in steps so that it never wraps.
 */
import type { IntervalStats } from './interval-stats';
import { WIRE_OVERHEAD_BYTES } from './traffic/rate';
import type { TrialResult } from './traffic/trial';

/** How reports are written. */
export type ReportMode = 'tty' | 'plain' | 'json';

/** Where reports go: anything with a `write(text)` (process.stdout, a test collector). */
export interface ReportSink {
  /** Writes text. */
  write(text: string): unknown;
  /** Terminal width, when a terminal (process.stdout.columns); the live line fits it. */
  columns?: number;
}

function rate(n: number): string {
  return n.toFixed(2);
}

/** A packet rate in the unit that suits it: `812 pps`, `95.3 kpps`, `14.88 Mpps` (never "0.00 Mpps"). */
export function formatPps(pps: number): string {
  if (pps >= 1e6) return `${(pps / 1e6).toFixed(2)} Mpps`;
  if (pps >= 1e3) return `${(pps / 1e3).toFixed(1)} kpps`;
  return `${Math.round(pps)} pps`;
}

/** A count in a few characters: `812`, `95.3k`, `12.35M`, `4.10G`. */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** Detail levels of the live line, most detailed first. */
const LEVELS = 4;


/**
 * One direction of a record at detail `level` (0: most): `tx 1234567 pkts 1.23 Mpps 0.83 Gbit/s L1
 * 0.59 L2`, down to `tx 1.23M 1.23Mpps`.
 */
function direction(name: string, packets: number, pps: number, l1: number, l2: number, level: number): string {
  if (level === 0) return `${name} ${packets} pkts ${formatPps(pps)} ${rate(l1)} Gbit/s L1 ${rate(l2)} L2`;
  if (level === 1) return `${name} ${formatCount(packets)} pkts ${formatPps(pps)} ${rate(l1)} Gbit/s L1`;
  return `${name} ${formatCount(packets)} ${formatPps(pps).replace(' ', '')}`;
}

/**
 * One device's interval as text at detail `level` (0..3, 0 the most), given the run's packets so far
 * per direction (default: the interval's). Rates are the interval's; Gbit/s on the wire (L1: with FCS,
 * preamble, SFD and gap) and of frame bytes (L2). Levels 0-2 show each direction that carried packets
 * (rx alone when neither did); level 3 only the record's own direction (as `mpps`: tx when it sent).
 */
export function formatInterval(s: IntervalStats, txSoFar = s.tx_packets, rxSoFar = s.rx_packets, level = 0): string {
  const parts = [s.device];
  const pps = (n: number): number => (s.seconds > 0 ? n / s.seconds : 0);
  const l1 = (bytes: number, packets: number): number => (s.seconds > 0 ? ((bytes + packets * WIRE_OVERHEAD_BYTES) * 8) / s.seconds / 1e9 : 0);
  const l2 = (bytes: number): number => (s.seconds > 0 ? (bytes * 8) / s.seconds / 1e9 : 0);
  const showTx = txSoFar > 0;
  const showRx = level < 3 ? rxSoFar > 0 || !showTx : !showTx;
  if (showTx) parts.push(direction('tx', txSoFar, pps(s.tx_packets), l1(s.tx_bytes, s.tx_packets), l2(s.tx_bytes), level));
  if (showRx) parts.push(direction('rx', rxSoFar, pps(s.rx_packets), l1(s.rx_bytes, s.rx_packets), l2(s.rx_bytes), level));
  const count = (label: string, short: string, n: number): string => (level < 2 ? `${label} ${n}` : `${short} ${formatCount(n)}`);
  if (level < 2 || s.rx_missed > 0) parts.push(count('missed', 'miss', s.rx_missed));
  if (s.rx_errors > 0) parts.push(count('rx errors', 'err', s.rx_errors));
  if (s.rx_dropped !== undefined && s.rx_dropped > 0) parts.push(count('port dropped', 'pdrop', s.rx_dropped));
  if (s.tx_dropped > 0) parts.push(count('dropped', 'drop', s.tx_dropped));
  if (level < 2 || !s.link_up) parts.push(`link ${s.link_up ? 'up' : 'down'}`);
  return parts.join(level < 2 ? '  ' : ' ');
}

/** One device's totals as text, with the peer tester's view on simulated ports. */
export function formatTotal(s: IntervalStats): string {
  let line =
    `${s.device} total: ${s.seconds.toFixed(3)} s, tx ${s.tx_packets} packets ${s.tx_bytes} bytes, ` +
    `rx ${s.rx_packets} packets ${s.rx_bytes} bytes, missed ${s.rx_missed}`;
  if (s.rx_errors > 0) line += `, rx errors ${s.rx_errors}`;
  if (s.rx_dropped !== undefined && s.rx_dropped > 0) line += `, port dropped ${s.rx_dropped}`;
  if (s.rx_discarded !== undefined && s.rx_discarded > 0) line += `, discarded ${s.rx_discarded}`;
  if (s.tx_dropped > 0) line += `, dropped ${s.tx_dropped}`;
  // The rates' direction (as `mpps`): tx when the run sent, else rx.
  const packets = s.tx_packets > 0 ? s.tx_packets : s.rx_packets;
  const pps = s.seconds > 0 ? packets / s.seconds : 0;
  line += `, ${formatPps(pps)}, ${rate(s.gbps_wire)} Gbit/s on the wire (L1), ${rate(s.gbps)} Gbit/s of frames (L2)`;
  if (s.peer_tx_packets !== undefined && s.peer_tx_packets > 0) line += `; peer sent ${s.peer_tx_packets}`;
  if (s.peer_rx_packets !== undefined && (s.tx_packets > 0 || s.peer_rx_packets > 0)) {
    line += `; peer received ${s.peer_rx_packets}`;
    if (s.peer_seq_gaps !== undefined) line += ` (${s.peer_seq_gaps} sequence gaps, ${s.peer_bad_checksums ?? 0} bad checksums)`;
  }
  return line;
}

/** Writes interval and total reports in one {@link ReportMode}. */
export class Reporter {
  /** How reports are written. */
  readonly mode: ReportMode;
  private readonly out: ReportSink;
  /** Lines of the live display on the terminal (0: none open). */
  private linesOpen = 0;
  /** Packets so far per device (by position in the records) and direction, for the live line. */
  private readonly soFar: { tx: number; rx: number }[] = [];

  /** Reports to `out` (default process.stdout) in `mode`. */
  constructor(mode: ReportMode, out: ReportSink = process.stdout) {
    this.mode = mode;
    this.out = out;
  }

  /** The natural mode for `stream`: `json` when asked, `tty` on a terminal, `plain` otherwise. */
  static modeFor(json: boolean, stream: { isTTY?: boolean }): ReportMode {
    if (json) return 'json';
    return stream.isTTY === true ? 'tty' : 'plain';
  }

  /** Reports one interval of every device of the run (always the same devices in the same order). */
  interval(records: readonly IntervalStats[]): void {
    if (this.mode === 'json') {
      for (const r of records) this.out.write(`${JSON.stringify(r)}\n`);
      return;
    }
    records.forEach((r, k) => {
      const sum = (this.soFar[k] ??= { tx: 0, rx: 0 });
      sum.tx += r.tx_packets;
      sum.rx += r.rx_packets;
    });
    const line = (level: number): string =>
      records.map((r, k) => formatInterval(r, this.soFar[k].tx, this.soFar[k].rx, level)).join(level < 2 ? '  |  ' : ' | ');
    if (this.mode === 'plain') {
      this.out.write(`${line(0)}\n`);
      return;
    }
    // A terminal: the most detailed single line that fits without reaching the last column (some
    // terminals wrap a line that fills it); else one line per device, each as detailed as fits (cut
    // to fit at the least detail); rewritten in place.
    const width = Math.max(20, (this.out.columns ?? 80) - 1);
    const fit = (text: (level: number) => string): string | undefined => {
      for (let level = 0; level < LEVELS; level++) {
        const candidate = text(level);
        if (candidate.length <= width) return candidate;
      }
      return undefined;
    };
    let lines: string[];
    const single = records.length === 1 ? undefined : fit(line);
    if (single !== undefined) lines = [single];
    else {
      lines = records.map((r, k) => {
        const text = (level: number): string => formatInterval(r, this.soFar[k].tx, this.soFar[k].rx, level);
        return fit(text) ?? `${text(LEVELS - 1).slice(0, width - 1)}~`;
      });
    }
    const up = this.linesOpen > 1 ? `\x1b[${this.linesOpen - 1}A` : '';
    // Clear what is left of an earlier, taller block.
    const extra = this.linesOpen > lines.length ? '\n\x1b[K'.repeat(this.linesOpen - lines.length) + `\x1b[${this.linesOpen - lines.length}A` : '';
    this.out.write(`\r${up}${lines.map((l) => `${l}\x1b[K`).join('\n')}${extra}`);
    this.linesOpen = lines.length;
  }

  /** Reports the totals (ends the live line on a terminal). */
  total(records: readonly IntervalStats[]): void {
    this.endLine();
    for (const r of records) this.out.write(this.mode === 'json' ? `${JSON.stringify(r)}\n` : `${formatTotal(r)}\n`);
  }

  /** Writes `text` as it is (after ending the live line). */
  write(text: string): void {
    this.endLine();
    this.out.write(text);
  }

  private endLine(): void {
    if (this.linesOpen > 0) {
      this.out.write('\n');
      this.linesOpen = 0;
    }
  }
}

/** Microseconds with one decimal, from ns. */
function us(ns: number | undefined): string {
  return ns === undefined ? '-' : (ns / 1000).toFixed(1);
}

/** Flows listed one per line in the text report of a trial; the JSON lists every one. */
const LISTED_FLOWS = 16;

/**
 * A trial's report: with `json`, one line `{"type":"trial",...}` (the {@link TrialResult} without the
 * device totals, which have their own lines); else a summary, the software latency, and one line per
 * flow (up to 16).
 */
export function formatTrial(r: TrialResult, json: boolean): string {
  if (json) {
    const { tx, rx, ...rest } = r;
    return `${JSON.stringify({ type: 'trial', tx_device: tx.device, rx_device: rx.device, ...rest })}\n`;
  }
  const t = r.total;
  const odd = r.foreign > 0 || r.unexpected > 0 ? `, foreign ${r.foreign}, unexpected ${r.unexpected}` : '';
  const lines = [
    `trial ${r.tx.device} -> ${r.rx.device}: sent ${t.sent}, received ${t.received}, lost ${t.lost}, reordered ${t.reordered}, ` +
      `duplicated ${t.duplicated}, corrupted ${t.corrupted}${odd}`,
    `latency (software, us): min ${us(t.latency_min_ns)} avg ${us(t.latency_avg_ns)} p50 ${us(r.latency_p50_ns)} ` +
      `p99 ${us(r.latency_p99_ns)} max ${us(t.latency_max_ns)}`,
  ];
  for (const f of r.flows.slice(0, LISTED_FLOWS)) {
    lines.push(
      `  flow ${f.flow} ${f.tuple}: sent ${f.sent} received ${f.received} lost ${f.lost} reordered ${f.reordered} ` +
        `duplicated ${f.duplicated} corrupted ${f.corrupted}`,
    );
  }
  if (r.flows.length > LISTED_FLOWS) lines.push(`  ... ${r.flows.length - LISTED_FLOWS} more flows (--json lists each)`);
  return `${lines.join('\n')}\n`;
}

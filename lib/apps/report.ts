/**
 * Live reporting of {@link IntervalStats}: one line rewritten in place on a terminal, one plain line per
 * interval when piped, or one JSON object per line (`--json`) with a last `"type":"total"` line.
 */
import type { IntervalStats } from './interval-stats';

/** How reports are written. */
export type ReportMode = 'tty' | 'plain' | 'json';

/** Where reports go: anything with a `write(text)` (process.stdout, a test collector). */
export interface ReportSink {
  write(text: string): unknown;
}

function rate(n: number): string {
  return n.toFixed(2);
}

/**
 * One device's interval as text: `sim:0  tx 14.88 Mpps 7.14 Gbit/s  rx ...  missed 0  link up`. Gbit/s
 * counts frame bytes (L2); the totals add the wire rate (L1, with FCS, preamble and gap).
 */
export function formatInterval(s: IntervalStats): string {
  const txMpps = s.seconds > 0 ? s.tx_packets / s.seconds / 1e6 : 0;
  const rxMpps = s.seconds > 0 ? s.rx_packets / s.seconds / 1e6 : 0;
  const txGbps = s.seconds > 0 ? (s.tx_bytes * 8) / s.seconds / 1e9 : 0;
  const rxGbps = s.seconds > 0 ? (s.rx_bytes * 8) / s.seconds / 1e9 : 0;
  let line = `${s.device}  tx ${rate(txMpps)} Mpps ${rate(txGbps)} Gbit/s  rx ${rate(rxMpps)} Mpps ${rate(rxGbps)} Gbit/s`;
  line += `  missed ${s.rx_missed}`;
  if (s.rx_errors > 0) line += `  rx errors ${s.rx_errors}`;
  if (s.rx_dropped !== undefined && s.rx_dropped > 0) line += `  port dropped ${s.rx_dropped}`;
  if (s.tx_dropped > 0) line += `  dropped ${s.tx_dropped}`;
  line += `  link ${s.link_up ? 'up' : 'down'}`;
  return line;
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
  line += `, ${rate(s.mpps)} Mpps ${rate(s.gbps)} Gbit/s of frames (${rate(s.gbps_wire)} Gbit/s on the wire)`;
  if (s.peer_tx_packets !== undefined && s.peer_tx_packets > 0) line += `; peer sent ${s.peer_tx_packets}`;
  if (s.peer_rx_packets !== undefined && (s.tx_packets > 0 || s.peer_rx_packets > 0)) {
    line += `; peer received ${s.peer_rx_packets}`;
    if (s.peer_seq_gaps !== undefined) line += ` (${s.peer_seq_gaps} sequence gaps, ${s.peer_bad_checksums ?? 0} bad checksums)`;
  }
  return line;
}

/** Writes interval and total reports in one {@link ReportMode}. */
export class Reporter {
  private readonly mode: ReportMode;
  private readonly out: ReportSink;
  private lineOpen = false;

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

  /** Reports one interval of every device of the run. */
  interval(records: readonly IntervalStats[]): void {
    if (this.mode === 'json') {
      for (const r of records) this.out.write(`${JSON.stringify(r)}\n`);
      return;
    }
    const line = records.map(formatInterval).join('  |  ');
    if (this.mode === 'tty') {
      this.out.write(`\r${line}\x1b[K`);
      this.lineOpen = true;
    } else this.out.write(`${line}\n`);
  }

  /** Reports the totals (ends the live line on a terminal). */
  total(records: readonly IntervalStats[]): void {
    if (this.lineOpen) {
      this.out.write('\n');
      this.lineOpen = false;
    }
    for (const r of records) this.out.write(this.mode === 'json' ? `${JSON.stringify(r)}\n` : `${formatTotal(r)}\n`);
  }
}

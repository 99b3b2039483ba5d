/** The RFC 2544 result as a text table: one row per frame size (section 26 reporting formats). */
import { formatNs } from '../latency/stats';
import type { Rfc2544Result } from './index';

function mpps(pps: number): string {
  return (pps / 1e6).toFixed(3);
}

function pct(x: number): string {
  return `${x.toFixed(1)}%`;
}

/** The table: throughput (Mpps, % of line rate, Mbit/s of frames), latency at it, and loss at 100% of line rate. */
export function formatRfc2544Table(r: Rfc2544Result): string {
  const header = ['frame', 'line Mpps', 'throughput Mpps', '% line', 'Mbit/s', 'lat min', 'lat mean', 'lat p99', 'lat max', 'probes', 'loss@100%'];
  const rows = r.sizes.map((s) => {
    const l = s.latency;
    const full = s.loss.find((p) => p.percent === 100);
    return [
      String(s.frameSize), mpps(s.lineRatePps), mpps(s.throughputPps), pct(s.throughputPct),
      ((s.throughputPps * s.frameSize * 8) / 1e6).toFixed(1),
      l === undefined ? '-' : formatNs(l.minNs), l === undefined ? '-' : formatNs(l.meanNs),
      l === undefined ? '-' : formatNs(l.p99Ns), l === undefined ? '-' : formatNs(l.maxNs),
      l === undefined ? '-' : `${l.samples}/${l.probesSent}`,
      full === undefined ? '-' : pct(100 * full.trial.lossRatio),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  return [
    `RFC 2544: ${r.tx} -> device under test -> ${r.rx}, ${r.lineMbps} Mbit/s line, ${r.trialS} s trials, ` +
      `resolution ${r.resolutionPct}% of line rate, ${r.timestamps} timestamps`,
    line(header),
    ...rows.map(line),
    ...r.sizes.filter((s) => s.searchTrials.some((t) => t.senderLimited)).map((s) =>
      `note: ${s.frameSize} B: some trials could not offer their rate (the sender fell short: busy host or slow NIC); ` +
        'a throughput near the sender\'s limit is the tester\'s, not the device\'s'),
  ].join('\n') + '\n';
}

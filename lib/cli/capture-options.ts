/**
 * The capture command's file options (filter, format, rotation): their specs, checked once before any
 * device opens, and what they mean for runCapture.
 */
import { TsnicError } from '../errors';
import { numberOption, stringOption, type OptionSpec, type ParsedArgs } from './args';

/** `--filter`, `--format`, `--rotate-size`, `--rotate-count`. */
export const CAPTURE_FILE_OPTIONS: OptionSpec[] = [
  { name: 'filter', kind: 'string', value: 'EXPR', help: "Keep only frames this tcpdump-syntax filter accepts, e.g. 'udp port 53' (needs libpcap0.8)" },
  { name: 'format', kind: 'string', value: 'pcap|pcapng', help: 'File format (default: pcapng for a .pcapng file name, else pcap)' },
  { name: 'rotate-size', kind: 'number', value: 'MB', min: 0.001, max: 1e6, help: 'Start a new file before one would pass MB million bytes (names below)' },
  { name: 'rotate-count', kind: 'integer', value: 'N', min: 1, max: Number.MAX_SAFE_INTEGER, help: 'Start a new file after N frames' },
];

/** `--help` notes on the filter, the timestamps and rotation. */
export const CAPTURE_FILE_NOTES = [
  'The filter is compiled by libpcap (Debian: apt-get install libpcap0.8) to classic BPF and run on',
  'every frame before it is written; rejected frames count in rx_filtered (and rx_discarded). Every',
  'frame of one receive batch has the same timestamp: the clock read right after the batch was taken',
  'from the ring (see docs/capture.md). With rotation the files are named as tcpdump -C names them:',
  'FILE, FILE1, FILE2 ...; pcapng files each start with their own section and interface blocks.',
];

/** What the file options ask of runCapture. */
export interface CaptureFileSettings {
  filter?: string;
  format?: 'pcap' | 'pcapng';
  rotate?: { maxBytes?: number; maxFrames?: number };
}

/** Reads and checks the file options (usage errors name the option). */
export function captureFileSettings(args: ParsedArgs, out: string): CaptureFileSettings {
  const settings: CaptureFileSettings = {};
  const filter = stringOption(args, 'filter');
  if (filter !== undefined) {
    if (filter.trim() === '') throw new TsnicError('ERR_INVALID_ARG', "--filter needs an expression in tcpdump syntax, e.g. 'udp port 53' (see: tsnic capture --help)");
    settings.filter = filter;
  }
  const format = stringOption(args, 'format');
  if (format !== undefined) {
    if (format !== 'pcap' && format !== 'pcapng') throw new TsnicError('ERR_INVALID_ARG', `--format must be pcap or pcapng, got "${format}" (see: tsnic capture --help)`);
    settings.format = format;
  }
  const sizeMb = numberOption(args, 'rotate-size');
  const frames = numberOption(args, 'rotate-count');
  if (sizeMb !== undefined || frames !== undefined) {
    if (out === '-') throw new TsnicError('ERR_INVALID_ARG', '--rotate-size and --rotate-count need a file name in --out, not - (stdout is one stream) (see: tsnic capture --help)');
    settings.rotate = {
      ...(sizeMb === undefined ? {} : { maxBytes: Math.round(sizeMb * 1e6) }),
      ...(frames === undefined ? {} : { maxFrames: frames }),
    };
  }
  return settings;
}

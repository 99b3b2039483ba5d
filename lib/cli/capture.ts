/** `tsnic capture`: write received frames to a pcap file. */
import fs from 'node:fs';
import { TsnicError } from '../errors';
import { flagOption, numberOption, stringOption } from './args';
import {
  BATCH_OPTION, DEVICE_HELP, DURATION_OPTION, JSON_OPTION, LINK_TIMEOUT_OPTION, linkSetup, NO_LINK_WAIT_OPTION, RUN_NOTES, SIM_NOTES, type Command,
} from './command';
// pcapio: filter, format and rotation options.
import { CAPTURE_FILE_NOTES, CAPTURE_FILE_OPTIONS, captureFileSettings } from './capture-options';
import { BUSY_POLL_OPTION, rxModeOf } from './rx-mode';

/**
 * `--out -` reopens stdout through /dev/stdout (a blocking descriptor of its own, so a slow reader such
 * as `| tshark -r -` slows the writer down instead of failing it). Linux cannot reopen a socket that
 * way (ENXIO): say so before the run starts.
 */
function checkStdoutReopens(): void {
  if (fs.fstatSync(1).isSocket()) {
    throw new TsnicError(
      'ERR_INVALID_ARG',
      '--out -: stdout is a socket, which cannot take a pcap; pipe the output (| tshark -r -, | cat > x.pcap) or redirect it to a file',
    );
  }
}

/** The capture subcommand. */
export const captureCommand: Command = {
  spec: {
    name: 'capture',
    summary: 'Capture received frames into a pcap or pcapng file, optionally filtered (tcpdump syntax)',
    positionals: [{ name: 'dev', help: DEVICE_HELP }],
    options: [
      { name: 'out', kind: 'string', value: 'FILE.pcap', required: true, help: 'The file to write (.pcap or .pcapng); - writes it to stdout (reports then go to stderr)' },
      { name: 'count', kind: 'integer', value: 'N', min: 1, max: Number.MAX_SAFE_INTEGER, help: 'Stop after N frames' },
      DURATION_OPTION,
      { name: 'snaplen', kind: 'integer', value: 'N', min: 1, max: 262144, help: 'Bytes kept of each frame (default 65535)' },
      { name: 'nanosecond', kind: 'flag', help: 'Nanosecond timestamps (default: microseconds)' },
      // pcapio: filter, format and rotation.
      ...CAPTURE_FILE_OPTIONS,
      BATCH_OPTION,
      BUSY_POLL_OPTION,
      LINK_TIMEOUT_OPTION,
      NO_LINK_WAIT_OPTION,
      JSON_OPTION,
    ],
    notes: [
      'Without --count or --duration, captures until Ctrl-C. On a simulated port wired to its tester,',
      "the tester's generator feeds the port (60-byte frames at 10 Gbit/s line rate until the capture ends,",
      'or what the spec sets up) from the moment the capture starts; at the end, frames still in flight are received',
      '(past --count: counted as rx_discarded) so that peer_tx_packets = rx_packets + rx_missed +',
      'rx_errors + rx_dropped + rx_discarded.',
      '',
      ...CAPTURE_FILE_NOTES,
      '',
      ...RUN_NOTES,
      '',
      ...SIM_NOTES,
    ],
    examples: [
      'tsnic capture sim:0 --count 1000 --out x.pcap && tshark -r x.pcap',
      'tsnic capture sim:0 --count 100 --out - | tshark -r -',
      "tsnic capture sim:0 --count 100 --filter 'udp port 1024' --out x.pcapng",
      'tsnic capture sim:0 --duration 10 --rotate-size 100 --out ring.pcap',
      'tsnic capture 0000:03:00.0 --duration 5 --out trace.pcap'],
  },
  async run(args, io) {
    const { checkDeviceArgs, withDevices, deviceSpec, simSource } = await import('./devices');
    const { runCapture } = await import('../apps/capture');
    const { Reporter } = await import('../apps/report');
    const spec = args.positionals.dev ?? '';
    checkDeviceArgs('capture', [['dev', spec]]);
    const out = stringOption(args, 'out') ?? '';
    if (out === '') throw new TsnicError('ERR_INVALID_ARG', '--out needs a file name, or - for stdout (see: tsnic capture --help)');
    // With the pcap on stdout, the reports go to stderr.
    const reports = out === '-' ? io.stderr : io.stdout;
    // pcapio: the file options, and the filter compiled before any device opens (a typo is a usage error).
    const files = captureFileSettings(args, out);
    if (out === '-') checkStdoutReopens();
    const { compileFilter } = await import('../pcap/filter');
    const snaplen = numberOption(args, 'snaplen');
    const filter = files.filter === undefined ? undefined : compileFilter(files.filter, { snaplen });
    const count = numberOption(args, 'count');
    const reporter = new Reporter(Reporter.modeFor(flagOption(args, 'json'), reports), reports);
    const totals = await withDevices([deviceSpec(spec)], { io, ...linkSetup(args), rxMode: rxModeOf(args) }, ([dev], signal) =>
      runCapture(dev, {
        out: out === '-' ? '/dev/stdout' : out,
        count,
        durationS: numberOption(args, 'duration'),
        snaplen,
        filter,
        format: files.format,
        rotate: files.rotate,
        interfaceName: spec,
        nanosecond: flagOption(args, 'nanosecond'),
        batch: numberOption(args, 'batch'),
        signal,
        source: simSource(spec, 0),
        onInterval: (s) => reporter.interval([s]),
      }),
    );
    reporter.total([totals]);
    return 0;
  },
};

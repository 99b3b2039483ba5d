/** `tsnic replay`: send the frames of a pcap or pcapng file. */
import { flagOption, numberOption, stringOption } from './args';
import {
  BATCH_OPTION, DEVICE_HELP, DURATION_OPTION, JSON_OPTION, LINK_TIMEOUT_OPTION, linkSetup, NO_LINK_WAIT_OPTION, RUN_NOTES, SIM_NOTES, type Command,
} from './command';
import { TsnicError } from '../errors';

/** The replay subcommand. */
export const replayCommand: Command = {
  spec: {
    name: 'replay',
    summary: 'Send the frames of a pcap or pcapng file (Ethernet), in order, once or in a loop',
    positionals: [
      { name: 'dev', help: DEVICE_HELP },
      { name: 'file', help: 'The capture to send: pcap (microsecond or nanosecond) or pcapng, link type Ethernet' },
    ],
    options: [
      { name: 'rate', kind: 'string', value: 'R', help: 'Rate: 14.88Mpps, 500kpps, 1000pps, 5Gbps (on the wire), 50% (of line rate), line (default: as fast as possible)' },
      { name: 'loop', kind: 'integer', value: 'N', min: 0, max: Number.MAX_SAFE_INTEGER, help: 'Send the file N times; 0: until Ctrl-C or --duration (default 1)' },
      { name: 'preserve-timing', kind: 'flag', help: "Keep the capture's gaps between frames (not with --rate)" },
      DURATION_OPTION,
      BATCH_OPTION,
      LINK_TIMEOUT_OPTION,
      NO_LINK_WAIT_OPTION,
      JSON_OPTION,
    ],
    notes: [
      'The frames are loaded into a tx mempool once, before the run, then sent in file order. Frames the',
      "capture's snaplen cut are sent as captured (file_truncated counts them, with a warning); frames",
      'longer than 1514 bytes (offloaded segments) are refused. With --preserve-timing each frame leaves',
      'at its capture time after the first (within the poll loop\'s granularity, a few microseconds), and',
      'a loop starts one mean gap after the previous pass\'s last frame. On a simulated port the totals',
      "include what the far end received (peer_rx_packets).",
      '',
      ...RUN_NOTES,
      '',
      ...SIM_NOTES,
    ],
    examples: [
      'tsnic replay sim:0 trace.pcap',
      'tsnic replay sim:0 trace.pcapng --loop 100 --rate 1Mpps --json',
      'tsnic replay 0000:03:00.0 trace.pcap --preserve-timing',
    ],
  },
  async run(args, io) {
    const { checkDeviceArgs, withDevices } = await import('./devices');
    const { readCaptureFile } = await import('../pcap/reader');
    const { runReplay } = await import('../apps/replay');
    const { Reporter } = await import('../apps/report');
    const spec = args.positionals.dev ?? '';
    checkDeviceArgs('replay', [['dev', spec]]);
    const rateText = stringOption(args, 'rate');
    const { parseRate } = await import('../apps/traffic/rate');
    const rate = rateText === undefined ? undefined : parseRate('--rate', rateText);
    const preserveTiming = flagOption(args, 'preserve-timing');
    if (preserveTiming && rate !== undefined) {
      throw new TsnicError('ERR_INVALID_ARG', "--rate and --preserve-timing exclude each other: the capture's gaps set the rate (see: tsnic replay --help)");
    }
    const file = args.positionals.file ?? '';
    if (file === '') throw new TsnicError('ERR_INVALID_ARG', '<file> needs a capture file name (see: tsnic replay --help)');
    // Read (and checked) before the device opens: a wrong file is reported at once.
    const capture = readCaptureFile(file);
    const reporter = new Reporter(Reporter.modeFor(flagOption(args, 'json'), io.stdout), io.stdout);
    const totals = await withDevices([spec], { io, ...linkSetup(args) }, ([dev], signal) =>
      runReplay(dev, capture, {
        loop: numberOption(args, 'loop'),
        rate,
        preserveTiming,
        durationS: numberOption(args, 'duration'),
        batch: numberOption(args, 'batch'),
        signal,
        onInterval: (s) => reporter.interval([s]),
      }),
    );
    if (totals.file_truncated > 0) {
      io.stderr.write(`tsnic: warning: ${totals.file_truncated} of the ${totals.file_frames} frames of ${file} were cut by the capture's snaplen and were sent as captured\n`);
    }
    reporter.total([totals]);
    return 0;
  },
};

/** `tsnic pktgen`: transmit test frames. */
import { flagOption, numberOption, stringOption } from './args';
import {
  BATCH_OPTION, DEVICE_HELP, DURATION_OPTION, JSON_OPTION, LINK_TIMEOUT_OPTION, linkSetup, NO_LINK_WAIT_OPTION, RUN_NOTES, SIM_NOTES, type Command,
} from './command';

/** The pktgen subcommand. */
export const pktgenCommand: Command = {
  spec: {
    name: 'pktgen',
    summary: 'Transmit UDP test frames (valid checksums, sequence numbers) as fast as possible or at a rate',
    positionals: [{ name: 'dev', help: DEVICE_HELP }],
    options: [
      { name: 'count', kind: 'integer', value: 'N', min: 1, max: Number.MAX_SAFE_INTEGER, help: 'Stop after N frames' },
      DURATION_OPTION,
      { name: 'rate', kind: 'number', value: 'MPPS', min: 0, max: 1000, help: 'Million frames per second (default: as fast as possible)' },
      { name: 'size', kind: 'integer', value: 'BYTES', min: 60, max: 1514, help: 'Frame size without FCS, 60..1514 (default 60)' },
      BATCH_OPTION,
      { name: 'dst-mac', kind: 'string', value: 'MAC', help: 'Destination MAC (default 02:00:00:00:ee:01)' },
      { name: 'src-mac', kind: 'string', value: 'MAC', help: "Source MAC (default: the device's own)" },
      LINK_TIMEOUT_OPTION,
      NO_LINK_WAIT_OPTION,
      JSON_OPTION,
    ],
    notes: [
      'Without --count or --duration, runs until Ctrl-C. On a simulated port the totals include what the',
      "far-end tester's checker saw: peer_rx_packets, peer_seq_gaps, peer_bad_checksums.",
      '',
      ...RUN_NOTES,
      '',
      ...SIM_NOTES,
    ],
    examples: ['tsnic pktgen sim:0 --count 1000000', 'tsnic pktgen 0000:03:00.0 --duration 10 --rate 5 --json'],
  },
  async run(args, io) {
    const { checkDeviceArgs, withDevices } = await import('./devices');
    const { runPktgen } = await import('../apps/pktgen');
    const { parseMac } = await import('../apps/frame-builder');
    const { Reporter } = await import('../apps/report');
    const spec = args.positionals.dev ?? '';
    checkDeviceArgs('pktgen', [['dev', spec]]);
    const dstMac = stringOption(args, 'dst-mac');
    const srcMac = stringOption(args, 'src-mac');
    if (dstMac !== undefined) parseMac('--dst-mac', dstMac);
    if (srcMac !== undefined) parseMac('--src-mac', srcMac);
    const reporter = new Reporter(Reporter.modeFor(flagOption(args, 'json'), io.stdout), io.stdout);
    const totals = await withDevices([spec], { io, ...linkSetup(args) }, ([dev], signal) =>
      runPktgen(dev, {
        count: numberOption(args, 'count'),
        durationS: numberOption(args, 'duration'),
        rateMpps: numberOption(args, 'rate'),
        size: numberOption(args, 'size'),
        batch: numberOption(args, 'batch'),
        dstMac,
        srcMac,
        signal,
        onInterval: (s) => reporter.interval([s]),
      }),
    );
    reporter.total([totals]);
    return 0;
  },
};

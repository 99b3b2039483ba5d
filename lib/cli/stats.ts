/** `tsnic stats`: receive and drop, reporting rates and counters. */
import { flagOption, numberOption } from './args';
import {
  BATCH_OPTION, DEVICE_HELP, DURATION_OPTION, JSON_OPTION, LINK_TIMEOUT_OPTION, linkSetup, NO_LINK_WAIT_OPTION, RUN_NOTES, SIM_NOTES, type Command,
} from './command';
import { BUSY_POLL_OPTION, rxModeOf } from './rx-mode';

/** The stats subcommand. */
export const statsCommand: Command = {
  spec: {
    name: 'stats',
    summary: 'Receive and drop frames, reporting rates, misses and link state every interval',
    positionals: [{ name: 'dev', help: DEVICE_HELP }],
    options: [
      { name: 'interval', kind: 'number', value: 'S', min: 0.01, max: 3600, help: 'Seconds between reports (default 1)' },
      DURATION_OPTION,
      BATCH_OPTION,
      BUSY_POLL_OPTION,
      LINK_TIMEOUT_OPTION,
      NO_LINK_WAIT_OPTION,
      JSON_OPTION,
    ],
    notes: [
      'Without --duration, runs until Ctrl-C. A simulated port wired to its tester gets traffic from the',
      "tester's generator (60-byte frames at 10 Gbit/s line rate, or what the spec sets up) from the moment",
      'the run starts; at the end, frames still in flight are received, so that the totals balance:',
      'peer_tx_packets = rx_packets + rx_missed + rx_errors + rx_dropped.',
      '',
      ...RUN_NOTES,
      '',
      ...SIM_NOTES,
    ],
    examples: ['tsnic stats sim:0,rate=1Mpps --duration 3', 'tsnic stats 0000:03:00.0 --interval 0.5 --json'],
  },
  async run(args, io) {
    const { checkDeviceArgs, withDevices, deviceSpec, simSource } = await import('./devices');
    const { runStatsMonitor } = await import('../apps/stats-monitor');
    const { Reporter } = await import('../apps/report');
    const spec = args.positionals.dev ?? '';
    checkDeviceArgs('stats', [['dev', spec]]);
    const reporter = new Reporter(Reporter.modeFor(flagOption(args, 'json'), io.stdout), io.stdout);
    const totals = await withDevices([deviceSpec(spec)], { io, ...linkSetup(args), rxMode: rxModeOf(args) }, ([dev], signal) =>
      runStatsMonitor(dev, {
        intervalS: numberOption(args, 'interval'),
        durationS: numberOption(args, 'duration'),
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

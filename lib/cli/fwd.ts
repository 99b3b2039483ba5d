/** `tsnic fwd`: forward frames between two devices, both ways. */
import type { IntervalStats } from '../apps/interval-stats';
import { flagOption, numberOption } from './args';
import {
  BATCH_OPTION, DEVICE_HELP, DURATION_OPTION, JSON_OPTION, LINK_TIMEOUT_OPTION, linkSetup, NO_LINK_WAIT_OPTION, RUN_NOTES, SIM_NOTES, type Command,
} from './command';

/** The fwd subcommand. */
export const fwdCommand: Command = {
  spec: {
    name: 'fwd',
    summary: 'Forward frames between two devices in both directions (touching one byte of each, as ixy does)',
    positionals: [
      { name: 'devA', help: DEVICE_HELP },
      { name: 'devB', help: 'The other device' },
    ],
    options: [
      DURATION_OPTION,
      { name: 'count', kind: 'integer', value: 'N', min: 1, max: Number.MAX_SAFE_INTEGER, help: 'Stop once N frames were received (both ways)' },
      BATCH_OPTION,
      LINK_TIMEOUT_OPTION,
      NO_LINK_WAIT_OPTION,
      JSON_OPTION,
    ],
    notes: [
      'Without --duration or --count, forwards until Ctrl-C. Frames the tx ring does not take are',
      "dropped and counted (tx_dropped). Simulated ports wired to their testers get traffic from the",
      "testers' generators unless the spec sets them up; the checkers count what was forwarded.",
      '',
      ...RUN_NOTES,
      '',
      ...SIM_NOTES,
    ],
    examples: ['tsnic fwd sim:0 sim:1 --duration 5', 'tsnic fwd 0000:03:00.0 0000:03:00.1 --json'],
  },
  async run(args, io) {
    const { checkDeviceArgs, withDevices, deviceSpec, simSource } = await import('./devices');
    const { runForwarder } = await import('../apps/forwarder');
    const { Reporter } = await import('../apps/report');
    const specs = [args.positionals.devA ?? '', args.positionals.devB ?? ''];
    checkDeviceArgs('fwd', [['devA', specs[0]], ['devB', specs[1]]]);
    const reporter = new Reporter(Reporter.modeFor(flagOption(args, 'json'), io.stdout), io.stdout);
    const pending: IntervalStats[] = [];
    const totals = await withDevices(specs.map(deviceSpec), { io, ...linkSetup(args) }, ([a, b], signal) =>
      runForwarder(a, b, {
        durationS: numberOption(args, 'duration'),
        count: numberOption(args, 'count'),
        batch: numberOption(args, 'batch'),
        signal,
        sources: specs.flatMap((spec) => simSource(spec, 0) ?? []),
        onInterval: (s) => {
          // Both devices' records arrive one after the other: report them as one line.
          pending.push(s);
          if (pending.length === 2) reporter.interval(pending.splice(0));
        },
      }),
    );
    reporter.total([totals.a, totals.b]);
    return 0;
  },
};

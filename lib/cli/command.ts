/**
 * What a subcommand is (its spec, from which parsing and `--help` come, and its run function) and the
 * help texts shared between subcommands.
 */
import type { CommandSpec, OptionSpec, ParsedArgs } from './args';

/** Where a command writes: process.stdout/stderr, or collectors in tests. */
export interface Io {
  /** Results and reports; `isTTY` selects the live single-line report. */
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** Warnings and errors. */
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /**
   * Aborted when stdout's reader went away (EPIPE, e.g. `| head -1`): the run then ends as on Ctrl-C
   * and what is still to be written (the totals) goes to stderr.
   */
  stdoutClosed?: AbortSignal;
  /** Where sysfs and procfs are (default /sys and /proc); tests point `bind`, `unbind` and `hugepages` at a fake tree. */
  roots?: { sys?: string; proc?: string };
}

/** A `tsnic` subcommand. Its module imports only light modules; `run` loads the native parts. */
export interface Command {
  /** Arguments, options and help. */
  spec: CommandSpec;
  /** Runs with validated arguments; resolves with the exit code. */
  run(args: ParsedArgs, io: Io): Promise<number>;
}

/** Help for a `<dev>` argument. */
export const DEVICE_HELP = 'PCI address (0000:03:00.0) or simulated port (sim:0, sim:1; see below)';

/** Notes on simulated device specs, shared by the device commands' `--help`. */
export const SIM_NOTES = [
  'Simulated ports: sim:0 and sim:1 are the two ports of a simulated 82599 whose far ends are wired to',
  'a built-in tester (a generator feeding the port and a checker validating what it sends). Options',
  'follow the port after commas: wiring=tester|loopback|cross|unplugged, linkUpDelayMs=N,',
  'rxErrorEvery=N (every Nth received frame gets a CRC error), and for the tester generator',
  'rate=RATE (1000pps, 1.5Mpps, 5Gbps on the wire, 50% of line rate, line; a bare number is',
  'refused), frameSize=N, count=N, flows=N. Example: sim:0,rate=line,frameSize=60',
];

/** Notes on the link wait, Ctrl-C and a closed stdout, shared by the device commands' `--help`. */
export const RUN_NOTES = [
  'Before the run, waits for link (up to --link-timeout S, default 10; after a second it says so on',
  'stderr), or not with --no-link-wait. Ctrl-C stops at any moment and prints the totals. When stdout',
  'closes (| head -1), the run ends and prints its totals on stderr, exit status 0.',
];

/** `--json`: one JSON object per line. */
export const JSON_OPTION: OptionSpec = {
  name: 'json', kind: 'flag', help: 'One JSON object per line, per interval, and a last line with "type":"total"',
};

/** `--duration S`. */
export const DURATION_OPTION: OptionSpec = {
  name: 'duration', kind: 'number', value: 'S', min: 0.001, max: 31536000, help: 'Stop after S seconds',
};

/** `--batch N`. */
export const BATCH_OPTION: OptionSpec = {
  name: 'batch', kind: 'integer', value: 'N', min: 1, max: 1024, help: 'Frames per driver call (default 64)',
};

/** `--link-timeout S`. */
export const LINK_TIMEOUT_OPTION: OptionSpec = {
  name: 'link-timeout', kind: 'number', value: 'S', min: 0.001, max: 3600, help: 'Seconds to wait for link before giving up (default 10)',
};

/** `--no-link-wait`. */
export const NO_LINK_WAIT_OPTION: OptionSpec = {
  name: 'no-link-wait', kind: 'flag', help: 'Start at once, without waiting for link (a port without link sends and receives nothing)',
};

/** How a device command waits for link, from `--link-timeout` and `--no-link-wait`. */
export function linkSetup(args: ParsedArgs): { linkTimeoutS?: number; linkWait: boolean } {
  const timeout = args.options['link-timeout'];
  return { linkTimeoutS: typeof timeout === 'number' ? timeout : undefined, linkWait: args.options['no-link-wait'] !== true };
}

#!/usr/bin/env node
/**
 * The `tsnic` command: picks the subcommand, parses its arguments, runs it. Errors print one line,
 * `tsnic: <message>`, on stderr and exit non-zero: 2 for bad usage (ERR_INVALID_ARG), 1 otherwise.
 * Subcommand modules are light; the native addon loads only when a subcommand runs.
 */
import { TsnicError } from '../errors';
import { helpText, parseArgs } from './args';
import { bindCommand, unbindCommand } from './bind';
import { captureCommand } from './capture';
import type { Command, Io } from './command';
import { fwdCommand } from './fwd';
import { hugepagesCommand } from './hugepages';
import { listCommand } from './list';
import { pktgenCommand } from './pktgen';
import { replayCommand } from './replay';
import { rfc2544Command } from './rfc2544';
import { statsCommand } from './stats';

/** Every subcommand, in the order `tsnic --help` lists them. */
export const commands: readonly Command[] = [
  pktgenCommand,
  fwdCommand,
  captureCommand,
  replayCommand,
  statsCommand,
  rfc2544Command,
  listCommand,
  bindCommand,
  unbindCommand,
  hugepagesCommand,
];

/** The top-level `--help` text. */
export function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.spec.name.length)) + 4;
  return [
    'Usage: tsnic <command> [options]',
    '',
    'Userspace poll-mode NIC drivers for Node.js: traffic generation, forwarding and capture on Intel',
    '82599 and e1000 NICs through VFIO, or on a simulated 82599 (sim:0, sim:1) with no hardware and no root.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`),
    '',
    'Run tsnic <command> --help for its options. Example: tsnic pktgen sim:0 --count 1000000',
    '',
  ].join('\n');
}

function version(): string {
  // dist/cli/main.js and lib/cli/main.ts both sit two levels below package.json.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}

/** Runs `tsnic` with `argv` (the words after `tsnic`); resolves with the exit code. */
export async function main(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.spec.name === rest[0]) : undefined;
    io.stdout.write(topic === undefined ? mainHelp() : helpText(topic.spec));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  try {
    const command = commands.find((c) => c.spec.name === name);
    if (command === undefined) {
      throw new TsnicError('ERR_INVALID_ARG', `unknown command "${name}": use one of ${commands.map((c) => c.spec.name).join(', ')} (see: tsnic --help)`);
    }
    const args = parseArgs(command.spec, rest);
    if (args.help) {
      io.stdout.write(helpText(command.spec));
      return 0;
    }
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof TsnicError) {
      io.stderr.write(`tsnic: ${err.message}\n`);
      return err.code === 'ERR_INVALID_ARG' ? 2 : 1;
    }
    io.stderr.write(`tsnic: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

/**
 * The process's {@link Io}: once stdout's reader has gone away (EPIPE), its `stdoutClosed` signal aborts
 * and later writes go to stderr, so a run piped into `head` ends quietly with its totals, status 0.
 */
export function processIo(): Io {
  const closed = new AbortController();
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed.abort();
  });
  return {
    stdout: {
      write: (text: string) => (closed.signal.aborted ? process.stderr.write(text) : process.stdout.write(text)),
      get isTTY() {
        return process.stdout.isTTY;
      },
      get columns() {
        return process.stdout.columns;
      },
    },
    stderr: process.stderr,
    stdoutClosed: closed.signal,
  };
}

if (require.main === module) {
  void main(process.argv.slice(2), processIo()).then((code) => {
    process.exitCode = code;
  });
}

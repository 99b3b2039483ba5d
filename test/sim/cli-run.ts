/**
 * Runs the `tsnic` command line (lib/cli/main.ts through the TypeScript loader tap itself uses) as a
 * child process with a hard timeout, for the cli-*.test.ts files.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** What a run printed and how it ended. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const MAIN = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.ts');
const LOADER = require.resolve('@isaacs/ts-node-temp-fork-for-pr-2009/register/transpile-only');
/**
 * The child runs main() from `-e`, not as the entry file: under tap, child processes get tap's ESM
 * loader hooks, and an entry file would go through the ESM loader, which has no TypeScript support.
 */
const ENTRY = `const m = require(${JSON.stringify(MAIN)}); m.main(process.argv.slice(1), m.processIo()).then((code) => { process.exitCode = code; })`;

/** Runs `tsnic ...args` in `cwd`; kills it after `timeoutMs`. */
export function tsnic(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', LOADER, '-e', ENTRY, ...args],
      { cwd: options.cwd, timeout: options.timeoutMs ?? 30_000, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown; signal?: NodeJS.Signals | null }) | null;
        resolve({
          code: e === null ? 0 : typeof e.code === 'number' ? e.code : null,
          signal: e?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** Runs `file` with `args` (e.g. tshark); resolves with its exit code and output. */
export function run(file: string, args: readonly string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown; signal?: NodeJS.Signals | null }) | null;
      resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

/** Starts `tsnic ...args` without waiting (for signal tests); stdout and stderr are piped. */
export function startTsnic(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['-r', LOADER, '-e', ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The command line that runs `tsnic ...args` (node with the TypeScript loader), for shell pipelines. */
export function tsnicArgv(args: readonly string[]): string[] {
  return [process.execPath, '-r', LOADER, '-e', ENTRY, ...args];
}

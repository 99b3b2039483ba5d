/**
 * The frame of a QEMU suite's guest side: named scenarios run one after the other, each result (or
 * its error) logged on the console and collected, and all of them written as JSON to
 * $TSNIC_JOB_DIR/results.json for the host-side test to judge.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openDevice } from '../../../lib/open';
import { startWatchdog } from './watchdog';

/** A NIC as the harness placed it (TSNIC_GUEST_NICS). */
export interface Nic { address: string; mac: string }

/** The guest's NICs, in the order the test declared them. */
export const nics = JSON.parse(process.env.TSNIC_GUEST_NICS ?? '[]') as Nic[];

const results: Record<string, unknown> = {};
const started = Date.now();

/** A console line with the time since the program started. */
export function log(line: string): void {
  process.stdout.write(`[guest ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
}

/** Records `value` under `name` in the results. */
export function record(name: string, value: unknown): void {
  results[name] = value;
}

/** Runs one scenario; its result, or `{ error }`, is recorded with its duration. */
export async function scenario(name: string, body: () => Promise<Record<string, unknown>>): Promise<void> {
  const t0 = Date.now();
  try {
    results[name] = { ...(await body()), ms: Date.now() - t0 };
  } catch (err) {
    const e = err as Error & { code?: string };
    results[name] = { error: `${e.code ?? e.name}: ${e.message}`, ms: Date.now() - t0 };
  }
  log(`${name}: ${JSON.stringify(results[name])}`);
}

/** The error opening `address` gives (code and message), or a note that it opened. */
export async function errorOf(address: string): Promise<{ code?: string; message: string }> {
  try {
    const dev = await openDevice(address, { waitForLink: false });
    dev.close();
    return { message: 'opened without error' };
  } catch (err) {
    const e = err as Error & { code?: string };
    return { code: e.code, message: e.message };
  }
}

/** The code of the error `fn` throws, or `no error`. */
export function codeOf(fn: () => void): string {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return (err as Error & { code?: string }).code ?? 'error without code';
  }
}

/**
 * Runs `main` under the stall watchdog, records an uncaught error as `fatal`, and writes results.json
 * whatever happened.
 */
export function runSuite(main: () => Promise<void>): void {
  startWatchdog();
  main()
    .catch((err: unknown) => {
      results.fatal = String((err as Error).stack ?? err);
    })
    .finally(() => {
      fs.writeFileSync(path.join(process.env.TSNIC_JOB_DIR ?? '.', 'results.json'), JSON.stringify(results, null, 2));
      log('results written');
    });
}

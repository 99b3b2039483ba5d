/**
 * Booting a QEMU suite's guest from the host-side test: the guest programs and image prepared, one
 * run of `test/qemu/guest/<program>.js` with the NICs given, and its results.json read back.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import { runInGuest, type GuestRunResult } from '../../tools/qemu/harness';
import type { GuestNic } from '../../tools/qemu/machine';
import { GUEST_JS_ROOT, prepareHost } from '../../tools/qemu/prepare';

/** The run and what the guest wrote (empty when it wrote nothing). */
export interface SuiteRun<R> {
  run: GuestRunResult;
  results: R;
}

/** Runs the guest program `program` (a name under test/qemu/guest/) with `nics`; logs the guest's run time. */
export async function bootSuite<R>(t: Test, program: string, nics: GuestNic[], timeoutMs: number): Promise<SuiteRun<R>> {
  const image = prepareHost((line) => t.comment(line));
  const run = await runInGuest({ script: path.join(GUEST_JS_ROOT, 'test', 'qemu', 'guest', `${program}.js`), image, timeoutMs, nics });
  t.comment(`guest run: ${(run.durationMs / 1000).toFixed(1)} s, exit ${String(run.exitCode)}`);
  const file = path.join(run.jobDir, 'results.json');
  const results = (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {}) as R;
  return { run, results };
}

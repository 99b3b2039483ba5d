/**
 * Starts the stall watchdog (watchdog-worker.ts) for a guest program. The host harness gives the
 * program's budget as TSNIC_GUEST_BUDGET_MS, counted from the guest's boot; what boot took is
 * subtracted here (/proc/uptime). TSNIC_GUEST_SILENT_MS shortens the silence it tolerates (for its test).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WatchdogData } from './watchdog-worker';

/** The main event loop may stay still this long (or TSNIC_GUEST_SILENT_MS) before the watchdog fires. */
const SILENT_MS = 30_000;

/** Starts the watchdog; it never keeps the process alive. */
export function startWatchdog(): void {
  const budget = Number(process.env.TSNIC_GUEST_BUDGET_MS ?? Infinity);
  const uptimeMs = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000;
  const beat = new Int32Array(new SharedArrayBuffer(4));
  setInterval(() => Atomics.add(beat, 0, 1), 500).unref();
  const data: WatchdogData = { beat, silentMs: Number(process.env.TSNIC_GUEST_SILENT_MS ?? SILENT_MS), budgetMs: budget - uptimeMs };
  new Worker(path.join(__dirname, 'watchdog-worker.js'), { workerData: data }).unref();
}

/**
 * How the receive apps (capture, stats) spend a slice in which a poll came back empty: with the queue
 * in `'poll'` mode they go on spinning; otherwise they sleep on the queue's interrupt
 * ({@link NetDevice.waitForRx}) until frames arrive, the next report is due, or the run is stopped.
 */
import type { NetDevice } from '../device';
import { yieldToEventLoop } from './loop';

/** Longest sleep, ms: end-of-run conditions that are polled (a traffic source finishing) are seen this soon. */
export const MAX_SLEEP_MS = 100;

/**
 * Ends a slice of a receive loop: when `idle` (the last poll came back empty) and the queue does not
 * poll, sleeps on its interrupt until `wakeByMs` (performance.now() time, at most {@link MAX_SLEEP_MS}
 * ahead) or `signal` aborts; otherwise just lets the event loop run.
 */
export async function endSlice(dev: NetDevice, queue: number, idle: boolean, nowMs: number, wakeByMs: number, signal?: AbortSignal): Promise<void> {
  if (!idle || dev.rxMode(queue) === 'poll') return yieldToEventLoop();
  const timeoutMs = Math.max(0, Math.min(MAX_SLEEP_MS, Math.ceil(wakeByMs - nowMs)));
  await dev.waitForRx(queue, signal === undefined ? { timeoutMs } : { timeoutMs, signal });
}

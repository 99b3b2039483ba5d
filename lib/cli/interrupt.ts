/**
 * Ctrl-C (and stdout closing) for the long-running subcommands: the first SIGINT or SIGTERM aborts the run (the app returns
 * its totals and the device is closed normally); a second one exits at once (status 130), after the
 * process-wide teardown in lib/lifecycle.ts has stopped and reset the open devices.
 */
import { closeAll } from '../lifecycle';

/** An AbortSignal that fires on SIGINT/SIGTERM while the returned handle is active. */
export interface Interrupt {
  /** Aborted on the first signal. */
  signal: AbortSignal;
  /** Removes the signal handlers. */
  dispose(): void;
}

/** Installs the handlers; the signal also aborts when `also` does (stdout closed). */
export function onInterrupt(also?: AbortSignal): Interrupt {
  const controller = new AbortController();
  const follow = (): void => controller.abort();
  if (also?.aborted === true) controller.abort();
  also?.addEventListener('abort', follow);
  const handler = (): void => {
    if (!controller.signal.aborted) {
      controller.abort();
      return;
    }
    closeAll();
    process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.removeListener('SIGINT', handler);
      process.removeListener('SIGTERM', handler);
      also?.removeEventListener('abort', follow);
    },
  };
}

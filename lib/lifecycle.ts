/**
 * Process-wide ownership of open devices. Every device opened through {@link openDevice} is registered
 * here so that, whatever way the process ends — close(), a normal exit, SIGINT/SIGTERM/SIGHUP with no handler
 * of the application's own, or an uncaught exception — each NIC is stopped and reset before the
 * memory it could DMA into is released. Opening an address that is already open is refused.
 * SIGHUP (the terminal closed) is handled like SIGTERM.
 */
import { TsnicError } from './errors';

/** The signals that end a process by default and get a teardown first (SIGHUP: the terminal went away). */
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** What the registry needs of a device (a NetDevice qualifies through {@link trackDevice}'s caller). */
export interface Closable {
  /** PCI address or sim spec, the registry key. */
  readonly address: string;
  /** True once closed; closed devices are dropped from the registry lazily. */
  readonly closed: boolean;
  /** Stops, resets, then frees. */
  close(): void;
}

/** Why {@link closeAll} ran on its own: the process is ending. */
export type TeardownReason = 'exit' | 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'uncaughtException';

const open = new Map<string, Closable>();
const teardownListeners: ((reason: TeardownReason, closed: number) => void)[] = [];
let hooksInstalled = false;

/**
 * Calls `listener` after the process-end teardown closed every open device (at exit, on
 * SIGINT/SIGTERM/SIGHUP when tsnic handles them, on an uncaught exception), before the process goes: for a
 * last report. It must be synchronous (use fs.writeSync, not console.log, on the signal path).
 */
export function afterTeardown(listener: (reason: TeardownReason, closed: number) => void): void {
  teardownListeners.push(listener);
}

let tornDown = false;

function teardown(reason: TeardownReason): void {
  const closed = closeAll();
  // Once per process: an uncaught exception's teardown is followed by the exit event's.
  if (tornDown) return;
  tornDown = true;
  for (const listener of teardownListeners) listener(reason, closed);
}

/** Refuses a second open of `address` in this process. Call before touching the device. */
export function claimAddress(address: string): void {
  const current = open.get(address);
  if (current !== undefined && current.closed) open.delete(address);
  else if (current !== undefined) {
    throw new TsnicError(
      'ERR_DEVICE_BUSY',
      `${address} is already open in this process: close the first NetDevice before opening it again`,
    );
  }
}

/** Registers an opened device for teardown at exit. */
export function trackDevice(device: Closable): void {
  claimAddress(device.address);
  open.set(device.address, device);
  installHooks();
}

/** Addresses of the devices open right now. */
export function openAddresses(): string[] {
  return [...open.values()].filter((d) => !d.closed).map((d) => d.address);
}

/** Closes every open device, reporting (not throwing) failures. Returns how many were closed. */
export function closeAll(): number {
  let closed = 0;
  for (const device of [...open.values()]) {
    open.delete(device.address);
    if (device.closed) continue;
    try {
      device.close();
      closed++;
    } catch (err) {
      process.stderr.write(`tsnic: closing ${device.address} at exit failed: ${(err as Error).message}\n`);
    }
  }
  return closed;
}

/** How long an application's own SIGINT/SIGTERM/SIGHUP listener has to end the process before tsnic does. */
const SIGNAL_GRACE_MS = 2000;
let graceArmed = false;

function onSignal(signal: (typeof ENDING_SIGNALS)[number]): void {
  const reason = signal;
  if (process.listenerCount(signal) > 1) {
    // The application listens too: it owns shutdown (the devices are closed at exit at the latest).
    // Some listeners never end the process themselves (signal-exit, used by many libraries, waits for
    // the default action when it is not alone): if the process is still running after the grace
    // period, tsnic ends it as the default action would.
    if (graceArmed) return;
    graceArmed = true;
    setTimeout(() => endBySignal(signal, reason), SIGNAL_GRACE_MS).unref();
    return;
  }
  endBySignal(signal, reason);
}

function endBySignal(signal: NodeJS.Signals, reason: TeardownReason): void {
  teardown(reason);
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}

function onUncaught(err: Error): void {
  teardown('uncaughtException');
  // Keep Node's default behaviour for the error itself: print it and exit non-zero.
  if (process.listenerCount('uncaughtException') === 1) {
    process.stderr.write(`${err.stack ?? String(err)}\n`);
    process.exit(1);
  }
}

function onExit(): void {
  teardown('exit');
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', onExit);
  for (const signal of ENDING_SIGNALS) process.on(signal, onSignal);
  process.on('uncaughtException', onUncaught);
}

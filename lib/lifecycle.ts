/**
 * Process-wide ownership of open devices. Every device opened through {@link openDevice} is registered
 * here so that, whatever way the process ends — close(), a normal exit, SIGINT/SIGTERM with no handler
 * of the application's own, or an uncaught exception — each NIC is stopped and reset before the
 * memory it could DMA into is released. Opening an address that is already open is refused.
 */
import { TsnicError } from './errors';

/** What the registry needs of a device (a NetDevice qualifies through {@link trackDevice}'s caller). */
export interface Closable {
  /** PCI address or sim spec, the registry key. */
  readonly address: string;
  /** True once closed; closed devices are dropped from the registry lazily. */
  readonly closed: boolean;
  /** Stops, resets, then frees. */
  close(): void;
}

const open = new Map<string, Closable>();
let hooksInstalled = false;

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

function onSignal(signal: NodeJS.Signals): void {
  // Only act as the default handler: if the application listens for this signal, it owns shutdown.
  if (process.listenerCount(signal) > 1) return;
  closeAll();
  process.removeListener(signal, onSignal);
  process.kill(process.pid, signal);
}

function onUncaught(err: Error): void {
  closeAll();
  // Keep Node's default behaviour for the error itself: print it and exit non-zero.
  if (process.listenerCount('uncaughtException') === 1) {
    process.stderr.write(`${err.stack ?? String(err)}\n`);
    process.exit(1);
  }
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', closeAll);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', onUncaught);
}

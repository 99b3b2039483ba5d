/**
 * Errors thrown by tsnic. Every error carries a stable `code` (documented in docs/errors.md) and a
 * message that names the problem and says what to do about it.
 */

/** The stable error codes tsnic throws. Match on these, not on messages. */
export type TsnicErrorCode =
  | 'ERR_INVALID_ARG'
  | 'ERR_PCI_ADDRESS'
  | 'ERR_NO_DEVICE'
  | 'ERR_NO_IOMMU_GROUP'
  | 'ERR_GROUP_NOT_VIABLE'
  | 'ERR_BOUND_TO_KERNEL_DRIVER'
  | 'ERR_NOT_BOUND_TO_VFIO'
  | 'ERR_VFIO_UNAVAILABLE'
  | 'ERR_PERMISSION'
  | 'ERR_DMA_MAP'
  | 'ERR_DMA_ALLOC'
  | 'ERR_HUGEPAGES_EXHAUSTED'
  | 'ERR_UNSUPPORTED_DEVICE'
  | 'ERR_RESET_TIMEOUT'
  | 'ERR_EEPROM_TIMEOUT'
  | 'ERR_EEPROM_CHECKSUM'
  | 'ERR_INVALID_MAC'
  | 'ERR_DMA_INIT_TIMEOUT'
  | 'ERR_LINK_TIMEOUT'
  | 'ERR_QUEUE_TIMEOUT'
  | 'ERR_RX_ENABLE_TIMEOUT'
  | 'ERR_UNSUPPORTED_PLATFORM'
  | 'ERR_RING_SIZE'
  | 'ERR_QUEUE_ID'
  | 'ERR_BATCH'
  | 'ERR_FRAME_SIZE'
  | 'ERR_INTERRUPTS'
  | 'ERR_DEVICE_CLOSED'
  | 'ERR_DEVICE_BUSY'
  | 'ERR_UNSAFE'
  | 'ERR_SYSFS'
  | 'ERR_LIBPCAP'
  | 'ERR_PCAP_FILE';

/** An Error with a stable machine-readable `code`, plus `errno`/`syscall` when a system call failed. */
export class TsnicError extends Error {
  /** Stable identifier of the failure, e.g. `ERR_EEPROM_CHECKSUM`. */
  readonly code: TsnicErrorCode;
  /** The errno of the failed system call, when there was one. */
  readonly errno?: number;
  /** The failed system call, when there was one. */
  readonly syscall?: string;

  constructor(code: TsnicErrorCode, message: string, details?: { errno?: number; syscall?: string; cause?: unknown }) {
    super(message, details?.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TsnicError';
    this.code = code;
    if (details?.errno !== undefined) this.errno = details.errno;
    if (details?.syscall !== undefined) this.syscall = details.syscall;
  }
}

/** `value`, or `fallback` when undefined and one is given; throws ERR_INVALID_ARG unless it is a boolean. */
export function checkBoolean(name: string, value: unknown, fallback?: boolean): boolean {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'boolean') throw new TsnicError('ERR_INVALID_ARG', `${name} must be true or false, got ${String(value)}`);
  return value;
}

/** Throws ERR_INVALID_ARG unless `value` is an integer in [min, max]. */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TsnicError('ERR_INVALID_ARG', `${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

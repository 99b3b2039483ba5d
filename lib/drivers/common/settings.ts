/**
 * Open options validated against one NIC's limits, with the defaults filled in: the part of
 * {@link DeviceOptions} handling every multi-queue driver shares. Each driver passes its limits.
 */
import type { DeviceOptions } from '../../device';
import { checkBoolean, checkInteger, TsnicError } from '../../errors';

/** What a NIC allows. */
export interface QueueLimits {
  /** The chip's name in messages, e.g. `82576`. */
  chip: string;
  /** Queues per direction. */
  maxQueues: number;
  /**
   * Rx queues, when fewer than {@link maxQueues} can receive, with the reason for the messages (the
   * 82599 has 64 but RSS reaches 16).
   */
  rx?: { maxQueues: number; why: string };
  /** Smallest and largest ring (powers of two). */
  minRingSize: number;
  maxRingSize: number;
  /** Smallest and largest rx buffer, in bytes (multiples of 1024: SRRCTL.BSIZEPACKET units). */
  minBufferSize: number;
  maxBufferSize: number;
}

/** Validated open options. */
export interface QueueSettings {
  rxQueues: number;
  txQueues: number;
  rxRingSize: number;
  txRingSize: number;
  /** Buffers per rx queue. */
  mempoolSize: number;
  bufferSize: number;
  promiscuous: boolean;
  waitForLink: boolean;
  linkTimeoutMs: number;
  ignoreEepromChecksum: boolean;
  hugepages: NonNullable<DeviceOptions['hugepages']>;
}

/** Default ring size (ixy's). */
export const DEFAULT_RING_SIZE = 512;
/** Default mempool size per rx queue (at least). */
export const MIN_DEFAULT_MEMPOOL = 4096;

/** Validates a ring size: a power of two within the chip's limits ({@link DEFAULT_RING_SIZE} if absent). */
export function checkRingSize(name: string, value: unknown, l: QueueLimits): number {
  const size = value ?? DEFAULT_RING_SIZE;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < l.minRingSize || size > l.maxRingSize || (size & (size - 1)) !== 0) {
    throw new TsnicError(
      'ERR_RING_SIZE',
      `${name} must be a power of two from ${l.minRingSize} to ${l.maxRingSize} on the ${l.chip}, got ${String(value)}; ` +
        `${DEFAULT_RING_SIZE} is a good default`,
    );
  }
  return size;
}

function queues(name: string, value: unknown, l: QueueLimits, max: number, why: string): number {
  const n = value ?? 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) {
    throw new TsnicError('ERR_QUEUE_ID', `${name} must be 1 to ${max} on the ${l.chip}${why}, got ${String(value)}`);
  }
  return n;
}

/** Validates `options` against `limits` and fills in defaults. */
export function queueSettings(options: DeviceOptions, limits: QueueLimits): QueueSettings {
  const rxRingSize = checkRingSize('rxRingSize', options.rxRingSize, limits);
  const txRingSize = checkRingSize('txRingSize', options.txRingSize, limits);
  const bufferSize = checkInteger('bufferSize', options.bufferSize ?? limits.minBufferSize, limits.minBufferSize, limits.maxBufferSize);
  if (bufferSize % 1024 !== 0) {
    throw new TsnicError('ERR_INVALID_ARG', `bufferSize must be a multiple of 1024 on the ${limits.chip} (SRRCTL.BSIZEPACKET units), got ${bufferSize}`);
  }
  const mempoolSize = checkInteger(
    'mempoolSize', options.mempoolSize ?? Math.max(4 * rxRingSize, MIN_DEFAULT_MEMPOOL), rxRingSize + 1, 1 << 20,
  );
  const hugepages = options.hugepages ?? 'prefer';
  if (hugepages !== 'prefer' && hugepages !== 'require' && hugepages !== 'never') {
    throw new TsnicError('ERR_INVALID_ARG', `hugepages must be prefer, require or never, got ${String(hugepages)}`);
  }
  return {
    rxQueues: queues('rxQueues', options.rxQueues, limits, limits.rx?.maxQueues ?? limits.maxQueues, limits.rx === undefined ? '' : ` (${limits.rx.why})`),
    txQueues: queues('txQueues', options.txQueues, limits, limits.maxQueues, ''),
    rxRingSize,
    txRingSize,
    mempoolSize,
    bufferSize,
    promiscuous: checkBoolean('promiscuous', options.promiscuous, true),
    waitForLink: checkBoolean('waitForLink', options.waitForLink, true),
    linkTimeoutMs: checkInteger('linkTimeoutMs', options.linkTimeoutMs ?? 10_000, 0, 3_600_000),
    ignoreEepromChecksum: checkBoolean('ignoreEepromChecksum', options.ignoreEepromChecksum, false),
    hugepages,
  };
}

/**
 * Open options of the ixgbe driver, validated against the 82599's limits, with the defaults filled in.
 */
import type { DeviceOptions } from '../../device';
import { checkBoolean, checkInteger, TsnicError } from '../../errors';

/** Tx queues: the 82599 has 64 tx queues without virtualization (datasheet 1.3). */
export const MAX_TX_QUEUES = 64;
/**
 * Rx queues: the 82599 has 64, but without virtualization or flow director filters (which this driver
 * does not program) received frames reach only the 16 queues RSS can name (7.1.2.8.2).
 */
export const MAX_RX_QUEUES = 16;
/**
 * Smallest ring: RDLEN/TDLEN must be a multiple of 128 bytes (8 descriptors, datasheet 8.2.3.8.3), but
 * tx descriptors are cleaned in chunks of 32 and a ring always keeps one slot empty, so a ring needs
 * at least two chunks to ever clean one.
 */
export const MIN_RING_SIZE = 64;
/** Largest ring: the largest power of two whose length in bytes fits RDLEN/TDLEN (at most 0xFFF80). */
export const MAX_RING_SIZE = 32768;
/** Default ring size (ixy's). */
export const DEFAULT_RING_SIZE = 512;
/** Receive buffers are programmed in 1 KiB units (SRRCTL.BSIZEPACKET); 2 KiB holds a 1518-byte frame. */
export const MIN_BUFFER_SIZE = 2048;
/** Largest receive buffer SRRCTL.BSIZEPACKET can describe. */
export const MAX_BUFFER_SIZE = 16384;
/** Default mempool size per rx queue (at least). */
export const MIN_DEFAULT_MEMPOOL = 4096;

/** Validated open options. */
export interface IxgbeSettings {
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

/** Validates a ring size: a power of two from {@link MIN_RING_SIZE} to {@link MAX_RING_SIZE}. */
export function checkRingSize(name: string, value: unknown): number {
  const size = value ?? DEFAULT_RING_SIZE;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < MIN_RING_SIZE || size > MAX_RING_SIZE || (size & (size - 1)) !== 0) {
    throw new TsnicError(
      'ERR_RING_SIZE',
      `${name} must be a power of two from ${MIN_RING_SIZE} to ${MAX_RING_SIZE} on the 82599, got ${String(value)}; ` +
        `${DEFAULT_RING_SIZE} is a good default`,
    );
  }
  return size;
}

function checkQueues(name: string, value: unknown, max: number, why: string): number {
  const n = value ?? 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) {
    throw new TsnicError('ERR_QUEUE_ID', `${name} must be 1 to ${max} on the 82599${why}, got ${String(value)}`);
  }
  return n;
}

/** Validates `options` and fills in defaults. */
export function ixgbeSettings(options: DeviceOptions): IxgbeSettings {
  const rxRingSize = checkRingSize('rxRingSize', options.rxRingSize);
  const txRingSize = checkRingSize('txRingSize', options.txRingSize);
  const bufferSize = checkInteger('bufferSize', options.bufferSize ?? MIN_BUFFER_SIZE, MIN_BUFFER_SIZE, MAX_BUFFER_SIZE);
  if (bufferSize % 1024 !== 0) {
    throw new TsnicError('ERR_INVALID_ARG', `bufferSize must be a multiple of 1024 on the 82599 (SRRCTL.BSIZEPACKET units), got ${bufferSize}`);
  }
  const mempoolSize = checkInteger(
    'mempoolSize', options.mempoolSize ?? Math.max(4 * rxRingSize, MIN_DEFAULT_MEMPOOL), rxRingSize + 1, 1 << 20,
  );
  const hugepages = options.hugepages ?? 'prefer';
  if (hugepages !== 'prefer' && hugepages !== 'require' && hugepages !== 'never') {
    throw new TsnicError('ERR_INVALID_ARG', `hugepages must be prefer, require or never, got ${String(hugepages)}`);
  }
  return {
    rxQueues: checkQueues('rxQueues', options.rxQueues, MAX_RX_QUEUES, ' (RSS spreads received frames over at most 16 queues)'),
    txQueues: checkQueues('txQueues', options.txQueues, MAX_TX_QUEUES, ''),
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

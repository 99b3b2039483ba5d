/**
 * Open options of the ixgbe driver, validated against the 82599's limits, with the defaults filled in.
 */
import type { DeviceOptions } from '../../device';
import { checkRingSize as checkCommonRingSize, queueSettings, type QueueLimits, type QueueSettings } from '../common/settings';

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
/** Receive buffers are programmed in 1 KiB units (SRRCTL.BSIZEPACKET); 2 KiB holds a 1518-byte frame. */
export const MIN_BUFFER_SIZE = 2048;
/** Largest receive buffer SRRCTL.BSIZEPACKET can describe. */
export const MAX_BUFFER_SIZE = 16384;

/** The 82599's limits for the common open-option checks. */
export const IXGBE_LIMITS: QueueLimits = {
  chip: '82599',
  maxQueues: MAX_TX_QUEUES,
  rx: { maxQueues: MAX_RX_QUEUES, why: 'RSS spreads received frames over at most 16 queues' },
  minRingSize: MIN_RING_SIZE,
  maxRingSize: MAX_RING_SIZE,
  minBufferSize: MIN_BUFFER_SIZE,
  maxBufferSize: MAX_BUFFER_SIZE,
};

/** Validated open options. */
export type IxgbeSettings = QueueSettings;

/** Validates a ring size: a power of two from {@link MIN_RING_SIZE} to {@link MAX_RING_SIZE}. */
export function checkRingSize(name: string, value: unknown): number {
  return checkCommonRingSize(name, value, IXGBE_LIMITS);
}

/** Validates `options` and fills in defaults. */
export function ixgbeSettings(options: DeviceOptions): IxgbeSettings {
  return queueSettings(options, IXGBE_LIMITS);
}

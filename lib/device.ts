/**
 * The interface every NIC driver implements and every app uses. Apps never see registers: they open a
 * device, move packets with {@link NetDevice.rxBatch} / {@link NetDevice.txBatch}, read statistics and
 * close it.
 */
import type { HugepagePolicy, PciFunction } from './bus/types';
import type { PacketBatch } from './memory/batch';
import type { Mempool } from './memory/mempool';

/** Link state as the MAC reports it. */
export interface LinkStatus {
  /** True when the link is up. */
  up: boolean;
  /** Negotiated speed in Mbit/s (0 while down). */
  speedMbps: number;
}

/**
 * Counters accumulated since the device was opened (the hardware's clear-on-read registers are summed
 * on every read). Reading does not reset them.
 */
export interface DeviceStats {
  /** Good frames received. */
  rxPackets: number;
  /** Bytes of good frames received (as the NIC counts them, including FCS on the 82599). */
  rxBytes: number;
  /** Good frames transmitted. */
  txPackets: number;
  /** Bytes of good frames transmitted (as the NIC counts them). */
  txBytes: number;
  /**
   * Frames the NIC dropped because it could not take them: the packet buffer was full (MPC / RXMPC), or
   * a queue had no free descriptor and drops rather than waits (82599 SRRCTL.DROP_EN: QPRDC).
   */
  rxMissed: number;
  /** Frames the driver dropped because the descriptor reported an error (CRC, length, ...). */
  rxErrors: number;
  /** Frames the NIC dropped for CRC errors (CRCERRS). */
  rxCrcErrors: number;
}

/**
 * How an rx queue learns that frames arrived (docs/interrupts.md has the trade-off):
 * - `'poll'`: busy polling, the lowest latency and the highest rate, a core at 100% even when idle;
 * - `'interrupt'`: the queue's interrupt wakes the receiver for every batch (one batch per wake-up);
 * - `'adaptive'`: NAPI, as Linux drivers receive: poll in batches while frames keep coming, sleep on
 *   the interrupt once a poll comes back empty (re-armed, then the ring checked once more so a frame
 *   that arrived just before the re-arm is not missed). Costs nothing when idle, polls under load.
 */
export type RxMode = 'poll' | 'interrupt' | 'adaptive';

/** Options of {@link NetDevice.waitForRx}. */
export interface WaitForRxOptions {
  /** Give up after this many ms (resolve false). Default: wait until frames arrive, abort or close. */
  timeoutMs?: number;
  /** Give up when this aborts (resolve false). */
  signal?: AbortSignal;
}

/** Options accepted when a device is opened. Every field has a sensible default. */
export interface DeviceOptions {
  /** Receive queues, 1 to the NIC's maximum (64 on the 82599, 1 on the e1000). Default 1. */
  rxQueues?: number;
  /** Transmit queues, 1 to the NIC's maximum. Default 1. */
  txQueues?: number;
  /** Descriptors per rx ring, a power of two within the NIC's limits. Default 512. */
  rxRingSize?: number;
  /** Descriptors per tx ring, a power of two within the NIC's limits. Default 512. */
  txRingSize?: number;
  /** Buffers in each rx queue's mempool. Default: 4 x rxRingSize, at least 4096. */
  mempoolSize?: number;
  /** Bytes per packet buffer. Default 2048. */
  bufferSize?: number;
  /** Receive every frame regardless of destination MAC. Default true. */
  promiscuous?: boolean;
  /** Wait for link up during open. Default true. */
  waitForLink?: boolean;
  /** How long open waits for link, in ms. Default 10000. */
  linkTimeoutMs?: number;
  /**
   * Open a board whose EEPROM checksum does not match (a damaged or reprogrammed board). Default false:
   * a mismatch refuses with ERR_EEPROM_CHECKSUM.
   */
  ignoreEepromChecksum?: boolean;
  /** Hugepage policy for rings and buffers. Default 'prefer'. */
  hugepages?: HugepagePolicy;
  /**
   * How each rx queue learns of frames: one {@link RxMode} for all, or one per queue. Default `'poll'`.
   * `'interrupt'` and `'adaptive'` set up the NIC's interrupts (MSI-X on the 82599, INTx or MSI on the
   * e1000) and {@link NetDevice.waitForRx}. Drivers without interrupt support refuse them (ERR_INTERRUPTS).
   */
  rxMode?: RxMode | readonly RxMode[];
  /**
   * Interrupt moderation: the shortest time between two interrupts of one queue, in microseconds
   * (82599 EITR, e1000 ITR). 0 = none. Default 10. Longer saves wake-ups under load, costs latency.
   */
  interruptIntervalUs?: number;
}

/** A receive timestamp and the PTP sequence id of the frame it belongs to. */
export interface RxTimestamp {
  /** The clock's time in ns when the frame's start arrived. */
  ns: number;
  /** The frame's PTP sequenceId, as the NIC recorded it with the time. */
  sequenceId: number;
}

/**
 * A NIC's IEEE 1588 clock with hardware timestamps of selected frames (82599: datasheet 7.9). It holds
 * one transmit and one receive timestamp at a time; reading one frees its latch for the next frame.
 */
export interface HardwareClock {
  /** Always `'hardware'`. */
  readonly kind: 'hardware';
  /** Nanoseconds per clock increment: the timestamps' resolution. */
  readonly resolutionNs: number;
  /** The clock wraps to 0 every `wrapNs` nanoseconds. */
  readonly wrapNs: number;
  /** Starts the clock from 0 and turns timestamping of PTP event messages on. Idempotent. */
  enable(): void;
  /** The clock's time in ns. */
  now(): number;
  /** The next frame txBatch queues on tx queue `queue` gets a transmit timestamp when it leaves. */
  stampNextTx(queue: number): void;
  /** The latched transmit timestamp in ns (freeing the latch), or undefined when none is latched. */
  readTxStamp(): number | undefined;
  /** Reads the latched receive timestamp into `into` (freeing the latch); false when none is latched. */
  readRxStamp(into: RxTimestamp): boolean;
}

/** A NIC driven by tsnic. */
export interface NetDevice {
  /** Driver name, e.g. `ixgbe` or `e1000`. */
  readonly driver: string;
  /** The PCI function underneath. */
  readonly pci: PciFunction;
  /** Station MAC address, `aa:bb:cc:dd:ee:ff`. */
  readonly mac: string;
  /** Number of configured rx queues. */
  readonly rxQueueCount: number;
  /** Number of configured tx queues. */
  readonly txQueueCount: number;
  /** True once {@link close} ran. */
  readonly closed: boolean;
  /** The NIC's IEEE 1588 clock, on NICs that timestamp frames in hardware (82599); undefined elsewhere. */
  readonly timesync?: HardwareClock;

  /** The mempool feeding rx queue `queue`; received batches carry buffers of this pool. */
  rxPool(queue: number): Mempool;

  /**
   * Receives up to `max` (default: batch capacity) frames from rx queue `queue` into `batch`, which is
   * emptied first and then holds buffers of {@link rxPool}. Returns the number received. Never blocks.
   * The caller owns the received buffers: transmit them or free them to their pool.
   */
  rxBatch(queue: number, batch: PacketBatch, max?: number): number;

  /** The {@link RxMode} rx queue `queue` was opened with. */
  rxMode(queue: number): RxMode;

  /**
   * Resolves `true` once rx queue `queue` may hold received frames: at once when its ring already
   * holds one; otherwise after its interrupt fired (modes `'interrupt'` and `'adaptive'`: the interrupt
   * is armed, the ring checked once more, then the process sleeps; the event loop runs meanwhile and
   * the process is kept alive), or on the next turn of the event loop (mode `'poll'`). Resolves `false`
   * on timeout, abort or close. Then call {@link rxBatch}.
   */
  waitForRx(queue: number, options?: WaitForRxOptions): Promise<boolean>;

  /**
   * Queues the packets of `batch` for transmission on tx queue `queue`, as many as there are free
   * descriptors. The taken packets are removed from the front of the batch (their buffers now belong
   * to the ring and return to their pool once sent); what remains is the caller's. Returns the number taken.
   */
  txBatch(queue: number, batch: PacketBatch): number;

  /** Reads and accumulates the hardware counters. Pass `into` to avoid allocating. */
  readStats(into?: DeviceStats): DeviceStats;

  /** Current link state. */
  linkStatus(): LinkStatus;

  /** Resolves once the link is up, or rejects with ERR_LINK_TIMEOUT after `timeoutMs`. */
  waitForLink(timeoutMs: number): Promise<LinkStatus>;

  /** Turns promiscuous (unicast and multicast) receive on or off. */
  setPromiscuous(on: boolean): void;

  /**
   * Stops rx and tx, disables the queues, resets the NIC, and only then frees rings and mempools.
   * Idempotent only in the sense that a second call throws ERR_DEVICE_CLOSED.
   */
  close(): void;
}

/** A driver: the PCI ids it claims and how it opens a function. */
export interface Driver {
  /** Driver name. */
  readonly name: string;
  /** Human-readable name of a supported device id, or undefined when the driver does not claim it. */
  describe(vendorId: number, deviceId: number): string | undefined;
  /** Probes and initialises `pci`; the returned device is ready for rxBatch/txBatch. */
  open(pci: PciFunction, options: DeviceOptions): Promise<NetDevice>;
}

/** A zeroed {@link DeviceStats}. */
export function emptyStats(): DeviceStats {
  return { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, rxMissed: 0, rxErrors: 0, rxCrcErrors: 0 };
}

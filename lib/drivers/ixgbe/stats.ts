/**
 * The 82599's statistics registers are clear on read (datasheet 8.2.3.23): every read returns the
 * count since the previous one, so the driver adds them into running totals. GPRC/GPTC are 32 bits
 * and GORC/GOTC 36 bits (about 55 s of 10 Gbit/s line rate): the device reads them at least every
 * {@link STATS_INTERVAL_MS} while it is being polled.
 */
import type { DeviceStats } from '../../device';
import { REG, qprdc } from './registers';

/** Longest time between two reads of the counters while rx/tx are polled. */
export const STATS_INTERVAL_MS = 10_000;

const TWO_POW_32 = 4294967296;

/**
 * Reads every counter the driver reports and adds it to `into` (the low octet half before the high).
 * `rxQueues` is how many rx queues are in use.
 */
export function accumulateStats(bar0: Uint32Array, into: DeviceStats, rxQueues: number): void {
  // Frames the port could not take: those lost because packet buffer 0 (the only one without DCB) was
  // full, in RXMPC[0], and those a queue dropped for want of a descriptor (SRRCTL.DROP_EN), in QPRDC
  // of that queue (Linux's hw_rx_no_dma_resources).
  // QPRDC exists for queues 0..15, as many as the open options allow (MAX_RX_QUEUES).
  let missed = bar0[REG.RXMPC0 >>> 2];
  for (let q = 0; q < rxQueues; q++) missed += bar0[qprdc(q) >>> 2];
  into.rxMissed += missed;
  // The 82599 counts missed frames in GPRC too (Linux and FreeBSD ixgbe take RXMPC back out of it, a
  // documented hardware workaround): the frames that reached the host are GPRC less the missed ones.
  into.rxPackets += bar0[REG.GPRC >>> 2] - missed;
  into.txPackets += bar0[REG.GPTC >>> 2];
  const gorcl = bar0[REG.GORCL >>> 2];
  into.rxBytes += gorcl + bar0[REG.GORCH >>> 2] * TWO_POW_32;
  const gotcl = bar0[REG.GOTCL >>> 2];
  into.txBytes += gotcl + bar0[REG.GOTCH >>> 2] * TWO_POW_32;
  into.rxCrcErrors += bar0[REG.CRCERRS >>> 2];
}

/**
 * The 82576's statistics registers (datasheet 8.19) are clear on read: every read returns the count
 * since the previous one, so the driver adds them into running totals. GPRC/GPTC are 32 bits and the
 * octet counters 64 bits (GORCL before GORCH: reading the high half clears both); 32 bits of packets
 * last over 45 minutes at gigabit line rate, and the device reads them far more often than that.
 * (QEMU's model keeps CRCERRS and MPC without clearing them on read, but never counts either.)
 */
import type { DeviceStats } from '../../device';
import { REG } from './registers';

/** Longest time between two reads of the counters while rx/tx are polled. */
export const STATS_INTERVAL_MS = 10_000;

const TWO_POW_32 = 4294967296;

/** Reads every counter the driver reports and adds it to `into` (the low octet half before the high). */
export function accumulateStats(bar0: Uint32Array, into: DeviceStats): void {
  into.rxPackets += bar0[REG.GPRC >>> 2];
  into.txPackets += bar0[REG.GPTC >>> 2];
  const gorcl = bar0[REG.GORCL >>> 2];
  into.rxBytes += gorcl + bar0[REG.GORCH >>> 2] * TWO_POW_32;
  const gotcl = bar0[REG.GOTCL >>> 2];
  into.txBytes += gotcl + bar0[REG.GOTCH >>> 2] * TWO_POW_32;
  into.rxMissed += bar0[REG.MPC >>> 2];
  into.rxCrcErrors += bar0[REG.CRCERRS >>> 2];
}

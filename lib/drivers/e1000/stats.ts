/**
 * The e1000's statistics registers (SDM 13.7) summed into a {@link DeviceStats}. The SDM makes them
 * clear on read; the 64-bit octet counters clear when their high half is read, so the low half is read
 * first. (QEMU's model clears GPRC/GPTC and the octet pairs on read but keeps CRCERRS and MPC: on QEMU
 * those two would be over-counted once non-zero; the datasheet is followed here.)
 */
import type { DeviceStats } from '../../device';
import { REG } from './registers';

const TWO_TO_32 = 4294967296;

/** Adds the counters accumulated in hardware since the last call to `totals`. */
export function accumulateStats(bar0: Uint32Array, totals: DeviceStats): void {
  totals.rxPackets += bar0[REG.GPRC >>> 2];
  totals.txPackets += bar0[REG.GPTC >>> 2];
  const rxLow = bar0[REG.GORCL >>> 2];
  totals.rxBytes += rxLow + bar0[REG.GORCH >>> 2] * TWO_TO_32;
  const txLow = bar0[REG.GOTCL >>> 2];
  totals.txBytes += txLow + bar0[REG.GOTCH >>> 2] * TWO_TO_32;
  totals.rxMissed += bar0[REG.MPC >>> 2];
  totals.rxCrcErrors += bar0[REG.CRCERRS >>> 2];
}

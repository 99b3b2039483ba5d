/**
 * tsnic sending to a NIC left to Linux on the same wire, paced by Linux's count (paced-tx.ts), and
 * everything needed to explain a difference: Linux's rx counters and drop counters before and after.
 */
import type { DeviceStats, NetDevice } from '../../../lib/device';
import { counters, dropCounters, dropDelta, macOf, waitForCount } from './linux-nic';
import { sendPaced, type PacedOptions } from './paced-tx';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What A sent and Linux on `iface` counted, with every counter that explains a difference. */
export async function toLinux(dev: NetDevice, iface: string, o: Omit<PacedOptions, 'dstMac' | 'peerCount' | 'timeoutMs'>): Promise<Record<string, unknown>> {
  const before = counters(iface);
  const dropsBefore = dropCounters(iface);
  const stats: DeviceStats = dev.readStats();
  const run = await sendPaced(dev, { ...o, dstMac: macOf(iface), peerCount: () => counters(iface).rxPackets, timeoutMs: 10_000 });
  await waitForCount(() => counters(iface).rxPackets - before.rxPackets, run.sent, 10_000);
  // A little longer, so that a surplus frame would be seen too.
  await delay(300);
  const after = counters(iface);
  const statsAfter = dev.readStats();
  return {
    sent: run.sent,
    stalled: run.stalled,
    linuxRxPackets: after.rxPackets - before.rxPackets,
    linuxRxBytes: after.rxBytes - before.rxBytes,
    linuxDrops: dropDelta(dropsBefore, dropCounters(iface)),
    tsnicTxPackets: statsAfter.txPackets - stats.txPackets,
  };
}

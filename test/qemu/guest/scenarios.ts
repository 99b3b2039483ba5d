/** Scenarios both QEMU suites run the same way, whatever the NIC model. */
import { runForwarder } from '../../../lib/apps/forwarder';
import type { NetDevice } from '../../../lib/device';
import { rawsend, waitForCount } from './linux-nic';
import { receiveTestFrames } from './traffic';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Linux on `iface` sends `count` raw test frames of `size` to `dev`, one every `gapUs`; tsnic checks every byte. */
export async function rxFromLinux(dev: NetDevice, iface: string, p: { count: number; size: number; gapUs: number }): Promise<Record<string, unknown>> {
  const statsBefore = dev.readStats();
  const receiving = receiveTestFrames(dev, p.count, p.size, 60_000);
  const sender = await rawsend(iface, dev.mac, p.count, p.size, p.gapUs);
  const report = await receiving;
  const stats = dev.readStats();
  return {
    sender, ...report, tsnicRxPackets: stats.rxPackets - statsBefore.rxPackets,
    tsnicMissed: stats.rxMissed - statsBefore.rxMissed, tsnicErrors: stats.rxErrors - statsBefore.rxErrors,
  };
}

/**
 * tsnic forwards `from` -> `to` while Linux on `iface` sends `count` frames to `dstMac` (paced: under
 * software emulation the busy-polling forwarder and Linux's softirq share a vCPU).
 */
export async function forward(
  from: NetDevice, to: NetDevice, iface: string, p: { count: number; size: number; gapUs: number; dstMac: string },
): Promise<Record<string, unknown>> {
  const stop = new AbortController();
  const forwarding = runForwarder(from, to, { signal: stop.signal, batch: 32 });
  const before = to.readStats().txPackets;
  const sender = await rawsend(iface, p.dstMac, p.count, p.size, p.gapUs);
  const sentByTo = await waitForCount(() => to.readStats().txPackets, before + p.count, 30_000);
  // A little longer, so that a surplus frame would be forwarded too.
  await delay(300);
  stop.abort();
  const totals = await forwarding;
  return { sender, aToC: totals.b.tx_packets, cToA: totals.a.tx_packets, dropped: totals.b.tx_dropped, waitedFor: sentByTo - before };
}

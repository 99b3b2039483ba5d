/**
 * The qemu suite's guest side (run by test/qemu/e1000-vfio.test.ts through tools/qemu/harness.ts): one
 * boot, four scenarios, results written as JSON to $TSNIC_JOB_DIR/results.json for the host to judge.
 *
 * NICs (TSNIC_GUEST_NICS): 0 = A (vfio, wire 0), 1 = B (Linux, wire 0), 2 = C (vfio, wire 1, captured
 * on the host), 3 = F (no driver, no IOMMU group).
 */
import { runForwarder } from '../../../lib/apps/forwarder';
import type { NetDevice } from '../../../lib/device';
import { openDevice } from '../../../lib/open';
import { interfaceOf, macOf, rawsend, waitForCount } from './linux-nic';
import { codeOf, errorOf, log, nics, record, runSuite, scenario } from './runner';
import { PLAN } from './suite-plan';
import { toLinux } from './to-linux';
import { receiveTestFrames } from './traffic';

async function main(): Promise<void> {
  record('plan', PLAN);
  const [a, b, c, f] = nics;
  const ifB = interfaceOf(b.address);
  let devA: NetDevice | undefined;
  let devC: NetDevice | undefined;
  log(`A=${a.address} B=${b.address}(${ifB}) C=${c.address} F=${f.address}`);

  await scenario('open', async () => {
    devA = await openDevice(a.address);
    devC = await openDevice(c.address);
    return { macA: devA.mac, macB: macOf(ifB), macC: devC.mac, linkA: devA.linkStatus(), driver: devA.driver };
  });

  await scenario('txToLinux', async () => {
    if (devA === undefined) throw new Error('A did not open');
    return toLinux(devA, ifB, PLAN.tx);
  });

  await scenario('rxFromLinux', async () => {
    if (devA === undefined) throw new Error('A did not open');
    const statsBefore = devA.readStats();
    const receiving = receiveTestFrames(devA, PLAN.rx.count, PLAN.rx.size, 60_000);
    const sender = await rawsend(ifB, devA.mac, PLAN.rx.count, PLAN.rx.size, PLAN.rx.gapUs);
    const report = await receiving;
    const stats = devA.readStats();
    return {
      sender, ...report, tsnicRxPackets: stats.rxPackets - statsBefore.rxPackets,
      tsnicMissed: stats.rxMissed - statsBefore.rxMissed, tsnicErrors: stats.rxErrors - statsBefore.rxErrors,
    };
  });

  await scenario('forward', async () => {
    if (devA === undefined || devC === undefined) throw new Error('A or C did not open');
    const stop = new AbortController();
    const forwarding = runForwarder(devA, devC, { signal: stop.signal, batch: 32 });
    const before = devC.readStats().txPackets;
    // Paced: under software emulation the busy-polling forwarder and Linux's softirq share a vCPU.
    const sender = await rawsend(ifB, PLAN.fwd.dstMac, PLAN.fwd.count, PLAN.fwd.size, PLAN.fwd.gapUs);
    const sentByC = await waitForCount(() => devC?.readStats().txPackets ?? 0, before + PLAN.fwd.count, 30_000);
    // A little longer, so that a surplus frame would be forwarded too.
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop.abort();
    const totals = await forwarding;
    return { sender, aToB: totals.b.tx_packets, bToA: totals.a.tx_packets, dropped: totals.b.tx_dropped, waitedFor: sentByC - before };
  });

  await scenario('errors', async () => ({
    boundToKernel: await errorOf(b.address),
    absent: await errorOf('0000:00:1e.0'),
    noIommuGroup: await errorOf(f.address),
  }));

  await scenario('close', async () => {
    const dev = devA;
    dev?.close();
    devC?.close();
    return { closedA: dev?.closed, closedC: devC?.closed, secondClose: dev === undefined ? 'A did not open' : codeOf(() => dev.close()) };
  });
}

runSuite(main);

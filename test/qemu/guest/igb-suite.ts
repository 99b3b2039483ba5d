/**
 * The igb suite's guest side (run by test/qemu/igb-vfio.test.ts through tools/qemu/harness.ts): one
 * boot, every scenario, results in $TSNIC_JOB_DIR/results.json for the host to judge.
 *
 * NICs (all QEMU igb, Intel 82576): 0 = A (vfio, wire 0, captured), 1 = B (Linux's igb, wire 0),
 * 2 = C (vfio, wire 1, captured), 3 = F (no driver, no IOMMU group).
 */
import path from 'node:path';
import { runCapture } from '../../../lib/apps/capture';
import { runPktgen } from '../../../lib/apps/pktgen';
import type { NetDevice } from '../../../lib/device';
import { openDevice } from '../../../lib/open';
import { IGB_PLAN } from './igb-plan';
import { counters, dropCounters, dropDelta, interfaceOf, macOf, rawsend, waitForCarrier, waitForCount } from './linux-nic';
import { codeOf, errorOf, log, nics, record, runSuite, scenario } from './runner';
import { toLinux } from './to-linux';
import { forward, rxFromLinux } from './scenarios';
import { receivePerQueue } from './traffic';
import { configureSender, sendUdpFlows } from './udp-flows';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const [a, b, c, f] = nics;
  const ifB = interfaceOf(b.address);
  let devA: NetDevice | undefined;
  let devC: NetDevice | undefined;
  log(`A=${a.address} B=${b.address}(${ifB}) C=${c.address} F=${f.address}`);
  const need = (dev: NetDevice | undefined, name: string): NetDevice => {
    if (dev === undefined) throw new Error(`${name} did not open`);
    return dev;
  };

  await scenario('open', async () => {
    devA = await openDevice(a.address, { rxQueues: 2, txQueues: 2 });
    devC = await openDevice(c.address);
    const carrier = await waitForCarrier(ifB, 30_000);
    return {
      macA: devA.mac, macB: macOf(ifB), macC: devC.mac, linkA: devA.linkStatus(), linkC: devC.linkStatus(), driver: devA.driver,
      rxQueues: devA.rxQueueCount, txQueues: devA.txQueueCount, linuxCarrier: carrier,
    };
  });

  await scenario('txToLinux', () => toLinux(need(devA, 'A'), ifB, IGB_PLAN.tx));
  await scenario('chained', () => toLinux(need(devA, 'A'), ifB, IGB_PLAN.chained));
  await scenario('txQueue1', () => toLinux(need(devA, 'A'), ifB, { ...IGB_PLAN.txQueue1, queue: 1 }));

  await scenario('rxFromLinux', () => rxFromLinux(need(devA, 'A'), ifB, IGB_PLAN.rx));
  await scenario('capture', async () => {
    const dev = need(devA, 'A');
    const p = IGB_PLAN.capture;
    const capturing = runCapture(dev, { out: path.join(process.env.TSNIC_JOB_DIR ?? '/tmp', p.file), count: p.count, durationS: 60 });
    const sender = await rawsend(ifB, dev.mac, p.count, p.size, p.gapUs);
    const totals = await capturing;
    return { sender, captured: totals.rx_packets };
  });
  await scenario('forward', () => forward(need(devA, 'A'), need(devC, 'C'), ifB, IGB_PLAN.fwd));

  await scenario('rss', async () => {
    const dev = need(devA, 'A');
    configureSender(ifB, dev.mac);
    const p = IGB_PLAN.rss;
    // IPv4 (EtherType 0x0800), UDP (17) to port 9000: Linux's datagrams, nothing else on the wire.
    const isFlow = (d: Uint8Array, o: number, len: number): boolean =>
      len > 42 && d[o + 12] === 0x08 && d[o + 13] === 0 && d[o + 23] === 17 && ((d[o + 36] << 8) | d[o + 37]) === p.port;
    const receiving = receivePerQueue(dev, 2, p.count, isFlow, 60_000);
    const sent = await sendUdpFlows(p.count, p.payload, p.flows, p.gapMs);
    const got = await receiving;
    return { sent, ...got };
  });

  await scenario('errors', async () => ({
    boundToKernel: await errorOf(b.address),
    absent: await errorOf('0000:00:1e.0'),
    noIommuGroup: await errorOf(f.address),
  }));

  await scenario('reopen', async () => {
    need(devA, 'A').close();
    const closedA = devA?.closed;
    devA = await openDevice(a.address);
    // tsnic's own pktgen this time (a burst smaller than Linux's rx ring, so no pacing is needed).
    const before = counters(ifB);
    const dropsBefore = dropCounters(ifB);
    const stats = devA.readStats();
    const p = IGB_PLAN.reopen;
    const totals = await runPktgen(devA, { count: p.count, size: p.size, dstMac: macOf(ifB), batch: 32 });
    await waitForCount(() => counters(ifB).rxPackets - before.rxPackets, p.count, 10_000);
    await delay(300);
    const after = counters(ifB);
    return {
      closedA, linkAfterReopen: devA.linkStatus(), macAfterReopen: devA.mac,
      sent: totals.tx_packets, linuxRxPackets: after.rxPackets - before.rxPackets, linuxRxBytes: after.rxBytes - before.rxBytes,
      linuxDrops: dropDelta(dropsBefore, dropCounters(ifB)), tsnicTxPackets: devA.readStats().txPackets - stats.txPackets,
    };
  });

  await scenario('close', async () => {
    const dev = need(devA, 'A');
    dev.close();
    need(devC, 'C').close();
    return { closedA: dev.closed, closedC: devC?.closed, secondClose: codeOf(() => dev.close()) };
  });
  record('linuxDropCountersAtEnd', dropCounters(ifB));
}

runSuite(main);

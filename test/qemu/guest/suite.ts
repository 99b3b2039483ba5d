/**
 * The qemu suite's guest side (run by test/qemu/e1000-vfio.test.ts through tools/qemu/harness.ts): one
 * boot, four scenarios, results written as JSON to $TSNIC_JOB_DIR/results.json for the host to judge.
 *
 * NICs (TSNIC_GUEST_NICS): 0 = A (vfio, wire 0), 1 = B (Linux, wire 0), 2 = C (vfio, wire 1, captured
 * on the host), 3 = F (no driver, no IOMMU group).
 */
import fs from 'node:fs';
import path from 'node:path';
import { runForwarder } from '../../../lib/apps/forwarder';
import { runPktgen } from '../../../lib/apps/pktgen';
import type { NetDevice } from '../../../lib/device';
import { openDevice } from '../../../lib/open';
import { counters, interfaceOf, macOf, rawsend, waitForCount } from './linux-nic';
import { PLAN } from './suite-plan';
import { receiveTestFrames } from './traffic';


interface Nic { address: string; mac: string }
const nics = JSON.parse(process.env.TSNIC_GUEST_NICS ?? '[]') as Nic[];
const results: Record<string, unknown> = { plan: PLAN };
const started = Date.now();

function log(line: string): void {
  process.stdout.write(`[guest ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
}

async function scenario(name: string, body: () => Promise<Record<string, unknown>>): Promise<void> {
  const t0 = Date.now();
  try {
    results[name] = { ...(await body()), ms: Date.now() - t0 };
  } catch (err) {
    const e = err as Error & { code?: string };
    results[name] = { error: `${e.code ?? e.name}: ${e.message}`, ms: Date.now() - t0 };
  }
  log(`${name}: ${JSON.stringify(results[name])}`);
}

async function errorOf(address: string): Promise<{ code?: string; message: string }> {
  try {
    const dev = await openDevice(address, { waitForLink: false });
    dev.close();
    return { message: 'opened without error' };
  } catch (err) {
    const e = err as Error & { code?: string };
    return { code: e.code, message: e.message };
  }
}

async function main(): Promise<void> {
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
    const before = counters(ifB);
    const statsBefore = devA.readStats();
    const totals = await runPktgen(devA, { count: PLAN.tx.count, size: PLAN.tx.size, dstMac: macOf(ifB), batch: 32 });
    const sent = totals.tx_packets;
    const rx = await waitForCount(() => counters(ifB).rxPackets - before.rxPackets, PLAN.tx.count, 30_000);
    // A little longer, so that a surplus frame would be seen too.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = counters(ifB);
    const stats = devA.readStats();
    return {
      sent,
      linuxRxPackets: after.rxPackets - before.rxPackets,
      linuxRxBytes: after.rxBytes - before.rxBytes,
      waitedFor: rx,
      tsnicTxPackets: stats.txPackets - statsBefore.txPackets,
      tsnicTxBytes: stats.txBytes - statsBefore.txBytes,
    };
  });

  await scenario('rxFromLinux', async () => {
    if (devA === undefined) throw new Error('A did not open');
    const statsBefore = devA.readStats();
    const receiving = receiveTestFrames(devA, PLAN.rx.count, PLAN.rx.size, 60_000);
    const sender = await rawsend(ifB, devA.mac, PLAN.rx.count, PLAN.rx.size);
    const report = await receiving;
    const stats = devA.readStats();
    return { sender, ...report, tsnicRxPackets: stats.rxPackets - statsBefore.rxPackets };
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
    devA?.close();
    devC?.close();
    let secondClose = 'no error';
    try {
      devA?.close();
    } catch (err) {
      secondClose = (err as Error & { code?: string }).code ?? 'error without code';
    }
    return { closedA: devA?.closed, closedC: devC?.closed, secondClose };
  });
}

main()
  .catch((err: unknown) => {
    results.fatal = String((err as Error).stack ?? err);
  })
  .finally(() => {
    const dir = process.env.TSNIC_JOB_DIR ?? '.';
    fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(results, null, 2));
    log('results written');
  });

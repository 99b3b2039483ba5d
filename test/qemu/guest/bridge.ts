/**
 * The bridge suite's guest side (run by test/qemu/bridge-rfc2544.test.ts): Linux bridges two
 * kernel-bound NICs (X and Y, `ip link add br0 type bridge`), the device under test; tsnic drives a
 * vfio-bound NIC on each side (A on X's wire, B on Y's) and measures the bridge: one trial at a low
 * rate, latency probes (software timestamps: the e1000 has no IEEE 1588 unit), and RFC 2544 at the
 * small scale software emulation allows. Results go to $TSNIC_JOB_DIR/results.json.
 *
 * NICs (TSNIC_GUEST_NICS): 0 = A (vfio, wire 0), 1 = X (Linux, wire 0), 2 = Y (Linux, wire 1),
 * 3 = B (vfio, wire 1).
 */
import { execFileSync } from 'node:child_process';
import { measureLatency } from '../../../lib/apps/latency';
import { formatRfc2544Table, runRfc2544, runTrial } from '../../../lib/apps/rfc2544';
import { parseMac } from '../../../lib/apps/frame-builder';
import type { NetDevice } from '../../../lib/device';
import { openDevice } from '../../../lib/open';
import { dropCounters, interfaceOf } from './linux-nic';
import { log, nics, record, runSuite, scenario } from './runner';
import { BRIDGE_PLAN } from './bridge-plan';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

async function main(): Promise<void> {
  record('plan', BRIDGE_PLAN);
  const [a, x, y, b] = nics;
  const ifX = interfaceOf(x.address);
  const ifY = interfaceOf(y.address);
  let devA: NetDevice | undefined;
  let devB: NetDevice | undefined;
  log(`A=${a.address} X=${x.address}(${ifX}) Y=${y.address}(${ifY}) B=${b.address}`);

  await scenario('bridge', async () => {
    // No STP, no forward delay: the ports forward at once; no multicast snooping.
    ip('link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0', 'mcast_snooping', '0');
    ip('link', 'set', ifX, 'master', 'br0');
    ip('link', 'set', ifY, 'master', 'br0');
    ip('link', 'set', 'br0', 'up');
    return { links: execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' }).trim().split('\n') };
  });

  await scenario('open', async () => {
    devA = await openDevice(a.address, { rxRingSize: 4096 });
    devB = await openDevice(b.address, { rxRingSize: 4096 });
    return { macA: devA.mac, macB: devB.mac, linkA: devA.linkStatus(), linkB: devB.linkStatus(), timesync: devA.timesync !== undefined };
  });

  await scenario('lowRate', async () => {
    if (devA === undefined || devB === undefined) throw new Error('A or B did not open');
    const p = BRIDGE_PLAN.lowRate;
    return { ...(await runTrial(devA, devB, {
      ratePps: p.ratePps, durationS: p.durationS, size: 60, dstMac: parseMac('dst', devB.mac), srcMac: parseMac('src', devA.mac), drainMs: p.drainMs,
    })) };
  });

  await scenario('latency', async () => {
    if (devA === undefined || devB === undefined) throw new Error('A or B did not open');
    const p = BRIDGE_PLAN.latency;
    const r = await measureLatency(devA, devB, { ratePps: p.ratePps, durationS: p.durationS, intervalMs: p.intervalMs });
    return { trial: r.trial, latency: { ...r.latency, histogram: r.latency.histogram.length } };
  });

  await scenario('rfc2544', async () => {
    if (devA === undefined || devB === undefined) throw new Error('A or B did not open');
    const p = BRIDGE_PLAN.rfc2544;
    const result = await runRfc2544(devA, devB, {
      frameSizes: p.frameSizes, trialS: p.trialS, resolutionPct: p.resolutionPct, lossSteps: p.lossSteps, drainMs: p.drainMs,
      onTrial: (size, phase, t) => log(`${size} B ${phase}: ${Math.round(t.ratePps)} asked, ${Math.round(t.offeredPps)} offered, ${t.sent} sent, ${t.lost} lost`),
    });
    const table = formatRfc2544Table(result);
    log(`\n${table}`);
    return { table, result, bridgeDrops: { x: dropCounters(ifX), y: dropCounters(ifY) } };
  });

  devA?.close();
  devB?.close();
}

runSuite(main);

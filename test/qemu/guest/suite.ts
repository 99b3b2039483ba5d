/**
 * The qemu suite's guest side (run by test/qemu/e1000-vfio.test.ts through tools/qemu/harness.ts): one
 * boot, four scenarios, results written as JSON to $TSNIC_JOB_DIR/results.json for the host to judge.
 *
 * NICs (TSNIC_GUEST_NICS): 0 = A (vfio, wire 0), 1 = B (Linux, wire 0), 2 = C (vfio, wire 1, captured
 * on the host), 3 = F (no driver, no IOMMU group).
 */
import type { NetDevice } from '../../../lib/device';
import { openDevice } from '../../../lib/open';
import { interfaceOf, macOf } from './linux-nic';
import { codeOf, errorOf, log, nics, record, runSuite, scenario } from './runner';
import { PLAN } from './suite-plan';
import { forward, rxFromLinux } from './scenarios';
import { toLinux } from './to-linux';

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
    return rxFromLinux(devA, ifB, PLAN.rx);
  });

  await scenario('forward', async () => {
    if (devA === undefined || devC === undefined) throw new Error('A or C did not open');
    return forward(devA, devC, ifB, PLAN.fwd);
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

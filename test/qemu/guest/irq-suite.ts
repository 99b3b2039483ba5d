/**
 * The interrupt suite's guest side (run by test/qemu/interrupts-vfio.test.ts): a tsnic receiver in
 * adaptive mode sleeps on the interrupt of a vfio-bound NIC (e1000: INTx or MSI; igb: MSI-X) and wakes
 * for the frames Linux sends from the kernel-bound NIC on the same wire. Results in
 * $TSNIC_JOB_DIR/results.json for the host to judge.
 *
 * NICs: 0 = A (e1000, vfio, wire 0), 1 = B (e1000, Linux, wire 0); with QEMU's igb also 2 = C (igb,
 * vfio, wire 1), 3 = D (igb, Linux, wire 1).
 */
import fs from 'node:fs';
import type { NetDevice } from '../../../lib/device';
import { PacketBatch } from '../../../lib/memory/batch';
import { openDevice } from '../../../lib/open';
import { checkTestFrame } from './frames';
import { IRQ_PLAN } from './irq-plan';
import { interfaceOf, rawsend, waitForCarrier } from './linux-nic';
import { log, nics, runSuite, scenario } from './runner';

/** What one receiver saw. */
interface Sleeper {
  received: number;
  inOrder: number;
  problems: string[];
  /** waitForRx calls that ended because the interrupt fired (or a frame was already there). */
  wakeups: number;
  /** waitForRx calls that ended by their timeout (no interrupt for 5 s while frames were due). */
  timeouts: number;
  /** CPU of this process while receiving, percent of one core (busy polling would be ~100). */
  cpuPct: number;
}

/** Interrupts the kernel took for PCI function `address` (its vfio lines in /proc/interrupts). */
function kernelInterrupts(address: string): number {
  let sum = 0;
  for (const line of fs.readFileSync('/proc/interrupts', 'utf8').split('\n')) {
    if (!line.includes(address)) continue;
    for (const field of line.trim().split(/\s+/).slice(1)) {
      if (!/^\d+$/.test(field)) break;
      sum += Number(field);
    }
  }
  return sum;
}

/**
 * CPU time of the process's main thread (the receiver's), ms: utime + stime of /proc/self/task/<pid>/stat
 * (fields 14 and 15, in clock ticks of 10 ms: USER_HZ is 100 on x86 Linux). process.cpuUsage() counts
 * V8's compiler and GC threads too, which under software emulation can spend a third of a core on code
 * the receive run left them, in a second the receiver itself sleeps through.
 */
function receiverCpuMs(): number {
  const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** What an idle second looks like: wake-ups (a cause latched before the re-arm may give one), the receiver thread's CPU, interrupts. */
async function idleSecond(dev: NetDevice, address: string): Promise<Record<string, unknown>> {
  const batch = new PacketBatch(64);
  const irq0 = kernelInterrupts(address);
  const cpu0 = receiverCpuMs();
  const t0 = Date.now();
  let wakeups = 0;
  let frames = 0;
  let endedByTimeout = false;
  while (Date.now() - t0 < 1000) {
    frames += dev.rxBatch(0, batch);
    batch.freeAll();
    if (await dev.waitForRx(0, { timeoutMs: IRQ_PLAN.idleMs })) wakeups++;
    else endedByTimeout = true;
  }
  return {
    wakeups, frames, endedByTimeout, interrupts: kernelInterrupts(address) - irq0,
    cpuPct: ((receiverCpuMs() - cpu0) / Math.max(1, Date.now() - t0)) * 100,
  };
}

/** Receives test frames on `dev` until `count` arrived, sleeping on the interrupt whenever the ring is empty. */
async function sleepAndReceive(dev: NetDevice, count: number, size: number, deadlineMs: number): Promise<Sleeper> {
  const batch = new PacketBatch(64);
  const pool = dev.rxPool(0);
  const r: Sleeper = { received: 0, inOrder: 0, problems: [], wakeups: 0, timeouts: 0, cpuPct: 0 };
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  while (r.received < count && Date.now() < deadlineMs) {
    const n = dev.rxBatch(0, batch);
    for (let k = 0; k < n; k++) {
      const seq = checkTestFrame(pool.data, pool.offsetOf(batch.ids[k]), batch.lengths[k], size);
      r.received++;
      if (typeof seq === 'string') {
        if (r.problems.length < 5) r.problems.push(seq);
      } else if (seq === r.inOrder) r.inOrder++;
      else if (r.problems.length < 5) r.problems.push(`frame ${seq} arrived where ${r.inOrder} was expected`);
    }
    batch.freeAll();
    if (n > 0) continue;
    if (await dev.waitForRx(0, { timeoutMs: 5000 })) r.wakeups++;
    else r.timeouts++;
  }
  const cpu = process.cpuUsage(cpu0);
  r.cpuPct = ((cpu.user + cpu.system) / 1000 / Math.max(1, Date.now() - t0)) * 100;
  return r;
}

/** One NIC pair: tsnic on `vfio` (adaptive) receives what Linux sends from `kernel`. */
async function sleepOnInterrupt(vfio: string, kernel: string): Promise<Record<string, unknown>> {
  const iface = interfaceOf(kernel);
  const dev = await openDevice(vfio, { rxMode: 'adaptive' });
  try {
    const carrier = await waitForCarrier(iface, 30_000);
    const offers = dev.pci.interruptOffers();
    const p = IRQ_PLAN.rx;
    const irq0 = kernelInterrupts(vfio);
    const receiving = sleepAndReceive(dev, p.count, p.size, Date.now() + 120_000);
    const sender = await rawsend(iface, dev.mac, p.count, p.size, p.gapUs);
    const got = await receiving;
    const interrupts = kernelInterrupts(vfio) - irq0;
    // Nothing on the wire now: the waits end by their timeouts (no interrupt storm), at little CPU. Two
    // idle seconds: under emulation one pause of V8's main-thread garbage collection, after the receive
    // run, can take a third of a second; it does not fall into both. The receiver's cost is the lower.
    const first = await idleSecond(dev, vfio);
    const second = await idleSecond(dev, vfio);
    const idle = { ...first, cpuPct: Math.min(Number(first.cpuPct), Number(second.cpuPct)), cpuPctEach: [first.cpuPct, second.cpuPct] };
    return {
      driver: dev.driver, mode: dev.rxMode(0), offers, carrier, sender, ...got, interrupts, idle,
      interruptsOnBeforeClose: dev.pci.interruptsEnabled,
    };
  } finally {
    dev.close();
  }
}

async function main(): Promise<void> {
  const [a, b, c, d] = nics;
  log(`A=${a.address} B=${b.address}${c === undefined ? '' : ` C=${c.address} D=${d.address}`}`);
  await scenario('e1000', () => sleepOnInterrupt(a.address, b.address));
  if (c !== undefined) await scenario('igb', () => sleepOnInterrupt(c.address, d.address));
}

runSuite(main);

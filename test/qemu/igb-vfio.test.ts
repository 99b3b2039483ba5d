// The igb suite (issue 13): tsnic's igb driver (Intel 82576) over real VFIO in a QEMU 10 guest, with
// Linux's own igb driver as the peer on the same virtual wire. The 82576 has the 82599's advanced
// descriptors, so this is the shared advanced-descriptor ring code on a device model tsnic did not
// write. One boot runs every scenario of test/qemu/guest/igb-suite.ts; each subtest judges one of them
// from the guest's results.json. Outside CI the suite is skipped, visibly and with the reason, when
// QEMU (with its igb model) or Debian's packages are missing; under CI=true it must run.
import path from 'node:path';
import t from 'tap';
import { qemuHasDevice, type GuestRunResult } from '../../tools/qemu/harness';
import { CACHE_DIR } from '../../tools/qemu/guest-image';
import { INSTALL_HINT, unavailableReason } from '../../tools/qemu/prepare';
import { bootSuite } from './boot';
import { IGB_PLAN } from './guest/igb-plan';
import {
  judgeClose, judgeErrors, judgeForward, judgeRxFromLinux, judgeToLinux, type Closing, type ErrorPaths, type Forward, type RxFromLinux,
  type ToLinux,
} from './judge';
import { countFrames, malformedFrames, udpFrames } from './wire';

const inCi = process.env.CI === 'true';
const why = unavailableReason() ?? (qemuHasDevice('igb') ? undefined : 'the installed QEMU has no igb model (QEMU 8 or later has it)');

interface Results {
  fatal?: string;
  open?: {
    error?: string; macA: string; macB: string; linkA: { up: boolean; speedMbps: number }; linkC: { up: boolean };
    driver: string; rxQueues: number; txQueues: number; linuxCarrier: boolean;
  };
  txToLinux?: ToLinux;
  chained?: ToLinux;
  txQueue1?: ToLinux;
  rxFromLinux?: RxFromLinux;
  capture?: { error?: string; captured: number };
  forward?: Forward;
  rss?: { error?: string; sent: number; perQueue: number[]; total: number; other: number };
  errors?: ErrorPaths;
  reopen?: ToLinux & { closedA: boolean; linkAfterReopen: { up: boolean }; macAfterReopen: string };
  close?: Closing;
}

if (why !== undefined && !inCi) {
  t.comment(`igb suite skipped: ${why}. To run it: ${INSTALL_HINT}`);
  t.plan(0, `igb suite skipped: ${why}`);
} else {
  const pcapA = path.join(CACHE_DIR, 'igb-wire-a.pcap');
  const pcapC = path.join(CACHE_DIR, 'igb-wire-c.pcap');
  let run: GuestRunResult | undefined;
  let results: Results = {};

  t.before(async () => {
    if (why !== undefined) throw new Error(`CI=true but the igb suite cannot run: ${why}. ${INSTALL_HINT}`);
    ({ run, results } = await bootSuite<Results>(t, 'igb-suite', [
      { model: 'igb', hub: 0, bind: 'vfio', pcap: pcapA },
      { model: 'igb', hub: 0, bind: 'kernel-up' },
      { model: 'igb', hub: 1, bind: 'vfio', pcap: pcapC },
      { model: 'igb', hub: 2, bind: 'none', withoutIommu: true },
    ], 10 * 60_000));
  });

  t.test('the guest booted, ran the suite and exited 0', async (t) => {
    t.equal(run?.failure, undefined, 'no harness failure');
    t.equal(run?.exitCode, 0, 'exit code 0');
    t.equal(results.fatal, undefined, 'no uncaught error in the guest');
    if (run !== undefined && run.exitCode !== 0) t.comment(run.output);
    const o = results.open;
    t.equal(o?.error, undefined, 'both vfio igb NICs opened');
    t.equal(o?.driver, 'igb');
    t.match(o?.macA, /^52:54:00:12:34:56$/, 'MAC read from RAL/RAH, as the EEPROM loaded it');
    t.same(o?.linkA, { up: true, speedMbps: 1000 }, 'link up at 1000 Mb/s after auto-negotiation');
    t.equal(o?.linkC.up, true);
    t.equal(o?.rxQueues, 2);
    t.equal(o?.txQueues, 2);
    t.equal(o?.linuxCarrier, true, "Linux's igb reports carrier on B");
  });

  t.test('tsnic sends N frames on A (tx queue 0), Linux igb counts exactly N on B', async (t) => {
    judgeToLinux(t, results.txToLinux, IGB_PLAN.tx.count, IGB_PLAN.tx.size, 'igb');
  });

  t.test('chained frames (3 descriptors each) arrive whole', async (t) => {
    judgeToLinux(t, results.chained, IGB_PLAN.chained.count, IGB_PLAN.chained.size, 'igb');
  });

  t.test('tx queue 1 works too', async (t) => {
    judgeToLinux(t, results.txQueue1, IGB_PLAN.txQueue1.count, IGB_PLAN.txQueue1.size, 'igb');
  });

  t.test('the capture of wire A: every frame tsnic sent, whole, with good checksums', async (t) => {
    const macA = results.open?.macA ?? '';
    for (const [name, p] of [['tx', IGB_PLAN.tx], ['chained', IGB_PLAN.chained], ['tx queue 1', IGB_PLAN.txQueue1]] as const) {
      const frames = udpFrames(pcapA, `eth.src == ${macA} && frame.len == ${p.size} && udp.dstport == 1024`);
      t.equal(frames.matching, p.count, `${name}: tsnic's UDP frames of ${p.size} bytes`);
      t.equal(frames.checksumsGood, p.count, `${name}: IPv4 and UDP checksums (over every payload byte) good`);
    }
    t.equal(malformedFrames(pcapA), '', 'no malformed frame in the capture');
  });

  t.test('Linux sends N frames on B, tsnic receives them intact and in order on A', async (t) => {
    judgeRxFromLinux(t, results.rxFromLinux, IGB_PLAN.rx.count);
  });

  t.test("tsnic's capture app on A writes every frame Linux sent into a pcap file", async (t) => {
    const r = results.capture;
    const p = IGB_PLAN.capture;
    t.equal(r?.error, undefined);
    t.equal(r?.captured, p.count, 'frames captured');
    const file = path.join(run?.jobDir ?? '', p.file);
    const macB = results.open?.macB ?? '';
    t.equal(countFrames(file, `eth.src == ${macB} && eth.type == 0x88b5 && frame.len == ${p.size}`), p.count, "tshark reads Linux's frames back from it");
  });

  t.test('tsnic forwards A -> C while Linux sends on B; the capture of wire C has every frame', async (t) => {
    judgeForward(t, results.forward, pcapC, results.open?.macB ?? '', IGB_PLAN.fwd);
  });

  t.test("RSS spreads Linux's UDP flows over A's two rx queues", async (t) => {
    const r = results.rss;
    t.equal(r?.error, undefined);
    t.equal(r?.sent, IGB_PLAN.rss.count);
    t.equal(r?.total, IGB_PLAN.rss.count, 'every datagram received');
    t.equal(r?.perQueue.length, 2);
    t.ok((r?.perQueue[0] ?? 0) > 0 && (r?.perQueue[1] ?? 0) > 0, `both queues received some (${JSON.stringify(r?.perQueue)})`);
  });

  t.test('error paths on the real system', async (t) => {
    judgeErrors(t, results.errors, 'igb');
  });

  t.test('close then reopen: the device comes back and pktgen sends again', async (t) => {
    const r = results.reopen;
    t.equal(r?.closedA, true, 'closed');
    t.equal(r?.linkAfterReopen.up, true, 'link up again after the reset');
    t.equal(r?.macAfterReopen, results.open?.macA, 'same MAC');
    judgeToLinux(t, r, IGB_PLAN.reopen.count, IGB_PLAN.reopen.size, 'igb');
  });

  t.test('close stops the devices; a second close says so', async (t) => {
    judgeClose(t, results.close);
  });
}

// The qemu suite (issue 5): the e1000 driver over real VFIO in a QEMU guest, with Linux's own e1000
// driver as the peer on the same virtual wire. One boot runs the four scenarios of
// test/qemu/guest/suite.ts; each subtest judges one of them from the guest's results.json.
// Outside CI the suite is skipped, visibly and with the reason, when QEMU or Debian's packages are
// missing; under CI=true it must run.
import path from 'node:path';
import t from 'tap';
import type { GuestRunResult } from '../../tools/qemu/harness';
import { CACHE_DIR } from '../../tools/qemu/guest-image';
import { INSTALL_HINT, unavailableReason } from '../../tools/qemu/prepare';
import { bootSuite } from './boot';
import { PLAN } from './guest/suite-plan';
import {
  judgeClose, judgeErrors, judgeForward, judgeRxFromLinux, judgeToLinux, type Closing, type ErrorPaths, type Forward, type RxFromLinux,
  type ToLinux,
} from './judge';
import { malformedFrames, udpFrames } from './wire';

const inCi = process.env.CI === 'true';
const why = unavailableReason();

interface Results {
  fatal?: string;
  open?: { error?: string; macA: string; macB: string; linkA: { up: boolean } };
  txToLinux?: ToLinux;
  rxFromLinux?: RxFromLinux;
  forward?: Forward;
  errors?: ErrorPaths;
  close?: Closing;
}

if (why !== undefined && !inCi) {
  t.comment(`qemu suite skipped: ${why}. To run it: ${INSTALL_HINT}`);
  t.plan(0, `qemu suite skipped: ${why}`);
} else {
  const pcap = path.join(CACHE_DIR, 'wire-a.pcap');
  const pcapC = path.join(CACHE_DIR, 'wire-c.pcap');
  let run: GuestRunResult | undefined;
  let results: Results = {};

  t.before(async () => {
    if (why !== undefined) throw new Error(`CI=true but the qemu suite cannot run: ${why}. ${INSTALL_HINT}`);
    ({ run, results } = await bootSuite<Results>(t, 'suite', [
      { hub: 0, bind: 'vfio', pcap },
      { hub: 0, bind: 'kernel-up' },
      { hub: 1, bind: 'vfio', pcap: pcapC },
      { hub: 2, bind: 'none', withoutIommu: true },
    ], 8 * 60_000));
  });

  t.test('the guest booted, ran the suite and exited 0', async (t) => {
    t.equal(run?.failure, undefined, 'no harness failure');
    t.equal(run?.exitCode, 0, 'exit code 0');
    t.equal(results.fatal, undefined, 'no uncaught error in the guest');
    if (run !== undefined && run.exitCode !== 0) t.comment(run.output);
    t.equal(results.open?.error, undefined, 'both vfio NICs opened');
    t.match(results.open?.macA, /^52:54:00:12:34:56$/, 'MAC read from the EEPROM');
    t.equal(results.open?.linkA.up, true, 'link up');
  });

  t.test('1: tsnic sends N frames on A, Linux counts exactly N on B', async (t) => {
    // Paced to Linux's count; if a frame is still missing, Linux's drop counters say where it went.
    judgeToLinux(t, results.txToLinux, PLAN.tx.count, PLAN.tx.size, 'e1000');
  });

  t.test('1b: the pcap of wire A shows N well-formed frames of the right size', async (t) => {
    const macA = results.open?.macA ?? '';
    const frames = udpFrames(pcap, `eth.src == ${macA} && frame.len == ${PLAN.tx.size} && udp.dstport == 1024`);
    t.equal(frames.matching, PLAN.tx.count, "pktgen's UDP frames from A, of the planned size");
    t.equal(frames.checksumsGood, PLAN.tx.count, 'IPv4 and UDP checksums verified good');
    t.equal(malformedFrames(pcap), '', 'no malformed frame in the capture');
  });

  t.test('2: Linux sends N frames on B, tsnic receives them intact on A', async (t) => {
    judgeRxFromLinux(t, results.rxFromLinux, PLAN.rx.count);
  });

  t.test('3: tsnic forwards A -> C while Linux sends on B; the capture of wire C has every frame', async (t) => {
    judgeForward(t, results.forward, pcapC, results.open?.macB ?? '', PLAN.fwd);
  });

  t.test('4: error paths on the real system', async (t) => {
    judgeErrors(t, results.errors, 'e1000');
  });

  t.test('close stops the devices; a second close says so', async (t) => {
    judgeClose(t, results.close);
  });
}

// The qemu suite (issue 5): the e1000 driver over real VFIO in a QEMU guest, with Linux's own e1000
// driver as the peer on the same virtual wire. One boot runs the four scenarios of
// test/qemu/guest/suite.ts; each subtest judges one of them from the guest's results.json.
// Outside CI the suite is skipped, visibly and with the reason, when QEMU or Debian's packages are
// missing; under CI=true it must run.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runInGuest, type GuestRunResult } from '../../tools/qemu/harness';
import { CACHE_DIR } from '../../tools/qemu/guest-image';
import { GUEST_JS_ROOT, INSTALL_HINT, prepareHost, unavailableReason } from '../../tools/qemu/prepare';
import { PLAN } from './guest/suite-plan';
import { countFrames, malformedFrames, udpFrames } from './wire';

const inCi = process.env.CI === 'true';
const why = unavailableReason();

interface Failure { code?: string; message: string }
interface Results {
  fatal?: string;
  open?: { error?: string; macA: string; macB: string; linkA: { up: boolean } };
  txToLinux?: {
    error?: string; sent: number; stalled?: string; linuxRxPackets: number; linuxRxBytes: number;
    linuxDrops: Record<string, number>; tsnicTxPackets: number;
  };
  rxFromLinux?: { error?: string; received: number; inOrder: number; problems: string[]; tsnicRxPackets: number; tsnicMissed: number };
  forward?: { error?: string; aToB: number; bToA: number };
  errors?: { error?: string; boundToKernel: Failure; absent: Failure; noIommuGroup: Failure };
  close?: { error?: string; closedA: boolean; closedC: boolean; secondClose: string };
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
    const image = prepareHost((line) => t.comment(line));
    run = await runInGuest({
      script: path.join(GUEST_JS_ROOT, 'test', 'qemu', 'guest', 'suite.js'),
      image,
      timeoutMs: 8 * 60_000,
      nics: [
        { hub: 0, bind: 'vfio', pcap },
        { hub: 0, bind: 'kernel-up' },
        { hub: 1, bind: 'vfio', pcap: pcapC },
        { hub: 2, bind: 'none', withoutIommu: true },
      ],
    });
    t.comment(`guest run: ${(run.durationMs / 1000).toFixed(1)} s, exit ${String(run.exitCode)}`);
    const file = path.join(run.jobDir, 'results.json');
    if (fs.existsSync(file)) results = JSON.parse(fs.readFileSync(file, 'utf8')) as Results;
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
    const r = results.txToLinux;
    t.equal(r?.error, undefined);
    // Paced to Linux's count; if a frame is still missing, Linux's drop counters say where it went.
    const why = `Linux's drop counters: ${JSON.stringify(r?.linuxDrops ?? {})}${r?.stalled !== undefined ? `; ${r.stalled}` : ''}`;
    t.equal(r?.sent, PLAN.tx.count, `tsnic sent every frame (${why})`);
    t.equal(r?.linuxRxPackets, PLAN.tx.count, `Linux e1000 rx_packets (${why})`);
    t.equal(r?.linuxRxBytes, PLAN.tx.count * PLAN.tx.size, 'Linux e1000 rx_bytes: every frame the right size');
    t.equal(r?.tsnicTxPackets, PLAN.tx.count, 'tsnic GPTC');
  });

  t.test('1b: the pcap of wire A shows N well-formed frames of the right size', async (t) => {
    const macA = results.open?.macA ?? '';
    const frames = udpFrames(pcap, `eth.src == ${macA} && frame.len == ${PLAN.tx.size} && udp.dstport == 1024`);
    t.equal(frames.matching, PLAN.tx.count, "pktgen's UDP frames from A, of the planned size");
    t.equal(frames.checksumsGood, PLAN.tx.count, 'IPv4 and UDP checksums verified good');
    t.equal(malformedFrames(pcap), '', 'no malformed frame in the capture');
  });

  t.test('2: Linux sends N frames on B, tsnic receives them intact on A', async (t) => {
    const r = results.rxFromLinux;
    t.equal(r?.error, undefined);
    t.equal(r?.received, PLAN.rx.count, `frames received (tsnic missed: ${String(r?.tsnicMissed)})`);
    t.equal(r?.inOrder, PLAN.rx.count, 'every byte as sent, in order');
    t.same(r?.problems, []);
    t.equal(r?.tsnicRxPackets, PLAN.rx.count, 'tsnic GPRC');
  });

  t.test('3: tsnic forwards A -> C while Linux sends on B; the capture of wire C has every frame', async (t) => {
    const r = results.forward;
    t.equal(r?.error, undefined);
    t.equal(r?.aToB, PLAN.fwd.count, 'forwarded A -> C');
    t.equal(r?.bToA, 0, 'nothing came back the other way');
    const macB = results.open?.macB ?? '';
    const filter = `eth.src == ${macB} && eth.dst == ${PLAN.fwd.forwardedDstMac} && frame.len == ${PLAN.fwd.size} && eth.type == 0x88b5`;
    t.equal(countFrames(pcapC, filter), PLAN.fwd.count, "Linux's frames on wire C, byte 1 touched by the forwarder");
  });

  t.test('4: error paths on the real system', async (t) => {
    const r = results.errors;
    t.equal(r?.error, undefined);
    t.equal(r?.boundToKernel.code, 'ERR_BOUND_TO_KERNEL_DRIVER');
    t.match(r?.boundToKernel.message, /e1000/, 'names the kernel driver');
    t.match(r?.boundToKernel.message, /vfio-pci/, 'says how to bind it to vfio-pci');
    t.equal(r?.absent.code, 'ERR_NO_DEVICE');
    t.match(r?.absent.message, /0000:00:1e\.0/);
    t.equal(r?.noIommuGroup.code, 'ERR_NO_IOMMU_GROUP');
    t.match(r?.noIommuGroup.message, /IOMMU/);
  });

  t.test('close stops the devices; a second close says so', async (t) => {
    const r = results.close;
    t.equal(r?.error, undefined);
    t.equal(r?.closedA, true);
    t.equal(r?.closedC, true);
    t.equal(r?.secondClose, 'ERR_DEVICE_CLOSED');
  });
}

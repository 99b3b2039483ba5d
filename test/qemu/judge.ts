/**
 * The host-side judgements both QEMU suites make of the guest's results.json: the result shapes the
 * shared guest scenarios (guest/to-linux.ts, guest/scenarios.ts, guest/runner.ts) produce, and the
 * checks, with the peer's drop counters in the message whenever a count is off.
 */
import type { Test } from 'tap';
import { countFrames, malformedFrames } from './wire';

/** A scenario that failed carries its error. */
interface Outcome { error?: string }

/** guest/to-linux.ts: tsnic -> Linux, paced. */
export interface ToLinux extends Outcome {
  sent: number; stalled?: string; linuxRxPackets: number; linuxRxBytes: number; linuxDrops: Record<string, number>; tsnicTxPackets: number;
}
/** guest/scenarios.ts rxFromLinux. */
export interface RxFromLinux extends Outcome { received: number; inOrder: number; problems: string[]; tsnicRxPackets: number; tsnicMissed: number }
/** guest/scenarios.ts forward. */
export interface Forward extends Outcome { aToC: number; cToA: number }
/** The error an open gave. */
export interface Failure { code?: string; message: string }
/** The error paths scenario. */
export interface ErrorPaths extends Outcome { boundToKernel: Failure; absent: Failure; noIommuGroup: Failure }
/** The close scenario. */
export interface Closing extends Outcome { closedA: boolean; closedC: boolean; secondClose: string }

/** Every frame tsnic sent counted by Linux (the message lists Linux's drop counters if not). */
export function judgeToLinux(t: Test, r: ToLinux | undefined, count: number, size: number, linuxDriver: string): void {
  t.equal(r?.error, undefined);
  const why = `Linux's drop counters: ${JSON.stringify(r?.linuxDrops ?? {})}${r?.stalled !== undefined ? `; ${r.stalled}` : ''}`;
  t.equal(r?.sent, count, `tsnic sent every frame (${why})`);
  t.equal(r?.linuxRxPackets, count, `Linux ${linuxDriver} rx_packets (${why})`);
  t.equal(r?.linuxRxBytes, count * size, `Linux ${linuxDriver} rx_bytes: every frame the right size`);
  t.equal(r?.tsnicTxPackets, count, 'tsnic GPTC');
}

/** Every frame Linux sent received by tsnic, intact and in order. */
export function judgeRxFromLinux(t: Test, r: RxFromLinux | undefined, count: number): void {
  t.equal(r?.error, undefined);
  t.equal(r?.received, count, `frames received (tsnic missed: ${String(r?.tsnicMissed)})`);
  t.equal(r?.inOrder, count, 'every byte as sent, in order');
  t.same(r?.problems, []);
  t.equal(r?.tsnicRxPackets, count, 'tsnic GPRC');
}

/** Every frame forwarded A -> C, none back, and the capture of wire C has them all with byte 1 touched. */
export function judgeForward(
  t: Test, r: Forward | undefined, pcapC: string, macB: string, p: { count: number; size: number; forwardedDstMac: string },
): void {
  t.equal(r?.error, undefined);
  t.equal(r?.aToC, p.count, 'forwarded A -> C');
  t.equal(r?.cToA, 0, 'nothing came back the other way');
  const filter = `eth.src == ${macB} && eth.dst == ${p.forwardedDstMac} && frame.len == ${p.size} && eth.type == 0x88b5`;
  t.equal(countFrames(pcapC, filter), p.count, "Linux's frames on wire C, byte 1 touched by the forwarder");
  t.equal(malformedFrames(pcapC), '', 'no malformed frame on wire C');
}

/** The errors of a NIC bound to Linux's `linuxDriver`, of an absent address and of a NIC without IOMMU group. */
export function judgeErrors(t: Test, r: ErrorPaths | undefined, linuxDriver: string): void {
  t.equal(r?.error, undefined);
  t.equal(r?.boundToKernel.code, 'ERR_BOUND_TO_KERNEL_DRIVER');
  t.match(r?.boundToKernel.message, new RegExp(`kernel driver ${linuxDriver}\\b`), 'names the kernel driver');
  t.match(r?.boundToKernel.message, /vfio-pci/, 'says how to bind it to vfio-pci');
  t.equal(r?.absent.code, 'ERR_NO_DEVICE');
  t.match(r?.absent.message, /0000:00:1e\.0/);
  t.equal(r?.noIommuGroup.code, 'ERR_NO_IOMMU_GROUP');
  t.match(r?.noIommuGroup.message, /IOMMU/);
}

/** Both devices closed; a second close says ERR_DEVICE_CLOSED. */
export function judgeClose(t: Test, r: Closing | undefined): void {
  t.equal(r?.error, undefined);
  t.equal(r?.closedA, true);
  t.equal(r?.closedC, true);
  t.equal(r?.secondClose, 'ERR_DEVICE_CLOSED');
}

/**
 * Waiting for transmitted frames to leave: a run's totals are taken once the frames handed to the tx
 * ring have reached the far end (a simulated port's checker) or, on hardware, once the NIC's tx
 * counter stops moving.
 */
import { performance } from 'node:perf_hooks';
import type { NetDevice } from '../device';
import { sleep } from './loop';

/** Longest wait for frames still in the tx ring, ms. */
const DRAIN_TIMEOUT_MS = 2000;
/** Without a peer, the tx counter must stay unchanged this long to count as drained, ms. */
const DRAIN_QUIET_MS = 50;

/**
 * Waits until `sent` frames handed to `dev`'s tx ring have left: with `peerRx` (frames the far end
 * received, counted from the same start as `sent`) until it reaches `sent`, else until the device's
 * tx counter stays unchanged for {@link DRAIN_QUIET_MS}; at most {@link DRAIN_TIMEOUT_MS}, and with a
 * peer no longer than its count stays unchanged for half of that.
 */
export async function waitForTxDrain(dev: NetDevice, peerRx: (() => number) | undefined, sent: number): Promise<void> {
  const stats = dev.readStats();
  const startTx = stats.txPackets;
  const seen = (): number => (peerRx !== undefined ? peerRx() : dev.readStats(stats).txPackets - startTx);
  const giveUp = performance.now() + DRAIN_TIMEOUT_MS;
  let last = seen();
  let lastChange = performance.now();
  while (performance.now() < giveUp) {
    if (peerRx !== undefined && last >= sent) return;
    await sleep(5);
    const n = seen();
    if (n !== last) {
      last = n;
      lastChange = performance.now();
    } else if (peerRx === undefined && performance.now() - lastChange >= DRAIN_QUIET_MS) return;
    else if (peerRx !== undefined && performance.now() - lastChange >= DRAIN_TIMEOUT_MS / 2) return;
  }
}

/**
 * The far end of a simulated port: {@link openDevice} records each sim device's tester here, so the apps
 * can report what the tester saw (frames received, sequence gaps, bad checksums) next to the device's
 * own counters. Real NICs have no peer.
 */
import type { NetDevice } from '../device';
import type { SimTesterStats } from '../bus/sim';

/** What the apps read of a peer: a simulated tester ({@link SimTester}) qualifies. */
export interface PeerTester {
  /** Counters since creation or the last {@link resetStats}. */
  stats(): SimTesterStats;
  /** Zeroes the counters and forgets the last sequence number. */
  resetStats(): void;
}

const peers = new WeakMap<NetDevice, PeerTester>();

/** Records `tester` as the far end of `dev`. */
export function registerPeer(dev: NetDevice, tester: PeerTester): void {
  peers.set(dev, tester);
}

/** The tester at the far end of `dev`, when it is a simulated port wired to one. */
export function peerOf(dev: NetDevice): PeerTester | undefined {
  return peers.get(dev);
}

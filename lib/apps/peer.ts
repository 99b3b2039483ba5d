/**
 * The far end of a simulated port: {@link openDevice} records each sim device's peer here (the tester,
 * or with loopback or cross wiring the receiving and sending port), so the apps can report what the
 * far end saw and sent next to the device's own counters, and so the counts balance: every frame the peer sent into the port is received, missed, dropped with an error, dropped
 * by the port before any descriptor, or still in flight. Real NICs have no peer.
 */
import type { NetDevice } from '../device';
import type { SimCard } from '../bus/sim';

/** One reading of a peer's counters (since creation or the last {@link PeerTester.resetStats}). */
export interface PeerStats {
  /**
   * Frames the far end sent into the port: the tester's generator, or with loopback wiring the port's
   * own transmitter, with cross wiring the other port's.
   */
  txPackets: number;
  /** Frames the port transmitted that reached the far end (the tester's checker, or the receiving port). */
  txReceived: number;
  /** Tester wiring only: sequence numbers the checker found missing. */
  seqGaps?: number;
  /** Tester wiring only: frames the checker found with a bad IPv4 or UDP checksum. */
  badChecksums?: number;
  /**
   * Frames the port discarded before writing any descriptor, in no register a driver reads: RXEN or
   * the queue off, the MAC address filter, longer than the maximum frame size, link down.
   */
  portDropped: number;
  /** True while the far end's generator has frames left to send. */
  generatorRunning: boolean;
}

/** What the apps read of a peer: {@link simPeer} makes one of a simulated port's far end. */
export interface PeerTester {
  /**
   * Counters since creation or {@link resetStats}. The receiving side's counters are read before the
   * sending side's, so a frame counted as dropped is always already counted as sent.
   */
  stats(): PeerStats;
  /** Zeroes the tester's counters and forgets the last sequence number (tester wiring only; else nothing). */
  resetStats(): void;
}

/**
 * The far end of port `port` of `card`, as wired at each reading: its tester; with loopback wiring
 * the port itself; with cross wiring the other port; unplugged, nothing (all zero).
 */
export function simPeer(card: SimCard, port: 0 | 1): PeerTester {
  const tester = card.tester(port);
  const other = port === 0 ? 1 : 0;
  return {
    stats(): PeerStats {
      const wiring = card.wiring(port);
      const c = card.counters(port);
      const portDropped = c.rxDroppedDisabled + c.rxFiltered + c.rxOversize + c.rxLinkDown;
      if (wiring === 'tester') {
        const s = tester.stats();
        return {
          txPackets: s.txPackets, txReceived: s.rxPackets, seqGaps: s.seqGaps, badChecksums: s.badChecksums,
          portDropped, generatorRunning: s.generatorRunning,
        };
      }
      if (wiring === 'unplugged') return { txPackets: 0, txReceived: 0, portDropped, generatorRunning: false };
      const sender = wiring === 'cross' ? card.counters(other) : c;
      return { txPackets: sender.txFrames, txReceived: c.txFrames, portDropped, generatorRunning: false };
    },
    resetStats(): void {
      if (card.wiring(port) === 'tester') tester.resetStats();
    },
  };
}

/**
 * Something that sends frames into a device for the length of an app's run (the CLI's feed of a
 * simulated port). An app given one starts it once its counters' baselines are taken, and at the end
 * stops it and receives what is still in flight before it reports its totals, so they balance.
 */
export interface TrafficSource {
  /** Starts sending. */
  start(): void;
  /** Stops sending (frames already sent may still be in flight). */
  stop(): void;
  /** True once the source has sent everything it was asked to (never for an endless one). */
  finished(): boolean;
}

const peers = new WeakMap<NetDevice, PeerTester>();

/** Records `tester` as the far end of `dev`. */
export function registerPeer(dev: NetDevice, tester: PeerTester): void {
  peers.set(dev, tester);
}

/** The far end of `dev` when it is a simulated port (see {@link simPeer}); undefined for real NICs. */
export function peerOf(dev: NetDevice): PeerTester | undefined {
  return peers.get(dev);
}

/**
 * The numbers the apps report, once per interval and once in total, with the stable snake_case names
 * of the `--json` output (documented in README.md), and the meter that produces them for one device.
 */
import { emptyStats, type NetDevice } from '../device';
import type { PeerTester } from './peer';

/** One device's counters over an interval (`type: 'interval'`) or the whole run (`type: 'total'`). */
export interface IntervalStats {
  /** `interval`: counts since the previous report; `total`: counts since the app started. */
  type: 'interval' | 'total';
  /** Device spec, e.g. `sim:0` or `0000:03:00.0`. */
  device: string;
  /** Length of the interval (or of the run), seconds. */
  seconds: number;
  /** Frames the app handed to the tx ring. */
  tx_packets: number;
  /** Their bytes (FCS excluded). */
  tx_bytes: number;
  /** Frames the app received. */
  rx_packets: number;
  /** Their bytes (FCS excluded). */
  rx_bytes: number;
  /** Frames the NIC dropped for want of a free rx descriptor. */
  rx_missed: number;
  /** Frames the app freed because the tx ring was full (forwarder only). */
  tx_dropped: number;
  /** Million frames per second in the app's direction: tx for pktgen and the forwarder, rx for capture and stats. */
  mpps: number;
  /** Gbit/s of frame bytes (FCS, preamble and gap excluded) in the same direction. */
  gbps: number;
  /** Link state at the end of the interval. */
  link_up: boolean;
  /** Simulated ports only: frames the far-end tester's checker received. */
  peer_rx_packets?: number;
  /** Simulated ports only: sequence numbers the checker found missing. */
  peer_seq_gaps?: number;
  /** Simulated ports only: frames with a bad IPv4 or UDP checksum. */
  peer_bad_checksums?: number;
  /** Simulated ports only: frames the far-end tester's generator sent into the port. */
  peer_tx_packets?: number;
}

/**
 * Counters of one device during a run. The app's loop adds to the public fields (no allocation);
 * {@link interval} and {@link total} turn them into {@link IntervalStats}.
 */
export class PortMeter {
  /** Frames handed to the tx ring. */
  txPackets = 0;
  /** Their bytes. */
  txBytes = 0;
  /** Frames received. */
  rxPackets = 0;
  /** Their bytes. */
  rxBytes = 0;
  /** Frames freed because the tx ring was full. */
  txDropped = 0;
  private readonly dev: NetDevice;
  private readonly peer: PeerTester | undefined;
  private readonly direction: 'tx' | 'rx';
  private readonly startMs: number;
  private readonly deviceStats = emptyStats();
  private readonly missedAtStart: number;
  private readonly peerAtStart: { rxPackets: number; seqGaps: number; badChecksums: number; txPackets: number } | undefined;
  private last: IntervalStats;
  private lastMs: number;

  /**
   * Meters `dev` from `startMs` (performance.now()); `direction` is what mpps/gbps count. Device and
   * peer counters are reported relative to their values now.
   */
  constructor(dev: NetDevice, peer: PeerTester | undefined, direction: 'tx' | 'rx', startMs: number) {
    this.dev = dev;
    this.peer = peer;
    this.direction = direction;
    this.startMs = startMs;
    this.lastMs = startMs;
    this.missedAtStart = dev.readStats(this.deviceStats).rxMissed;
    this.peerAtStart = peer?.stats();
    this.last = this.snapshot('total', startMs);
  }

  /** Counts since the previous call (or the start), as a `type: 'interval'` record. */
  interval(nowMs: number): IntervalStats {
    const now = this.snapshot('total', nowMs);
    const previous = this.last;
    this.last = now;
    const seconds = (nowMs - this.lastMs) / 1000;
    this.lastMs = nowMs;
    const d: IntervalStats = {
      ...now,
      type: 'interval',
      seconds,
      tx_packets: now.tx_packets - previous.tx_packets,
      tx_bytes: now.tx_bytes - previous.tx_bytes,
      rx_packets: now.rx_packets - previous.rx_packets,
      rx_bytes: now.rx_bytes - previous.rx_bytes,
      rx_missed: now.rx_missed - previous.rx_missed,
      tx_dropped: now.tx_dropped - previous.tx_dropped,
    };
    if (now.peer_rx_packets !== undefined && previous.peer_rx_packets !== undefined) {
      d.peer_rx_packets = now.peer_rx_packets - previous.peer_rx_packets;
      d.peer_seq_gaps = (now.peer_seq_gaps ?? 0) - (previous.peer_seq_gaps ?? 0);
      d.peer_bad_checksums = (now.peer_bad_checksums ?? 0) - (previous.peer_bad_checksums ?? 0);
      d.peer_tx_packets = (now.peer_tx_packets ?? 0) - (previous.peer_tx_packets ?? 0);
    }
    return withRates(d, this.direction);
  }

  /** Counts since the start, as a `type: 'total'` record. Reads the device's counters (not after close). */
  total(nowMs: number): IntervalStats {
    return withRates(this.snapshot('total', nowMs), this.direction);
  }

  private snapshot(type: 'interval' | 'total', nowMs: number): IntervalStats {
    const dev = this.dev;
    const s: IntervalStats = {
      type,
      device: dev.pci.address,
      seconds: (nowMs - this.startMs) / 1000,
      tx_packets: this.txPackets,
      tx_bytes: this.txBytes,
      rx_packets: this.rxPackets,
      rx_bytes: this.rxBytes,
      rx_missed: dev.readStats(this.deviceStats).rxMissed - this.missedAtStart,
      tx_dropped: this.txDropped,
      mpps: 0,
      gbps: 0,
      link_up: dev.linkStatus().up,
    };
    const base = this.peerAtStart;
    if (this.peer !== undefined && base !== undefined) {
      const p = this.peer.stats();
      s.peer_rx_packets = p.rxPackets - base.rxPackets;
      s.peer_seq_gaps = p.seqGaps - base.seqGaps;
      s.peer_bad_checksums = p.badChecksums - base.badChecksums;
      s.peer_tx_packets = p.txPackets - base.txPackets;
    }
    return s;
  }
}

/** Rounds to `digits` decimals (readable JSON; far below what a 1 s interval can resolve). */
function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function withRates(s: IntervalStats, direction: 'tx' | 'rx'): IntervalStats {
  const packets = direction === 'tx' ? s.tx_packets : s.rx_packets;
  const bytes = direction === 'tx' ? s.tx_bytes : s.rx_bytes;
  s.mpps = s.seconds > 0 ? round(packets / s.seconds / 1e6, 4) : 0;
  s.gbps = s.seconds > 0 ? round((bytes * 8) / s.seconds / 1e9, 4) : 0;
  s.seconds = round(s.seconds, 6);
  return s;
}

/**
 * The numbers the apps report, once per interval and once in total, with the stable snake_case names
 * of the `--json` output (documented in README.md), and the meter that produces them for one device.
 */
import { emptyStats, type NetDevice } from '../device';
import type { PeerStats, PeerTester } from './peer';
import { WIRE_OVERHEAD_BYTES } from './traffic/rate';

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
  /**
   * Frames lost to receive errors: those the NIC's MAC dropped for a bad CRC (CRCERRS; without
   * FCTRL.SBP they never reach a descriptor) and those the driver dropped because their descriptor
   * reported an error.
   */
  rx_errors: number;
  /** Frames the app freed because the tx ring was full (forwarder only). */
  tx_dropped: number;
  /** Million frames per second in the app's direction: tx for pktgen and the forwarder, rx for capture and stats. */
  mpps: number;
  /** Gbit/s of frame bytes (L2: FCS, preamble and gap excluded) in the same direction. */
  gbps: number;
  /**
   * Gbit/s on the wire (L1) in the same direction: frame bytes plus, per frame, the 4-byte FCS, the
   * 8-byte preamble and SFD and the 12-byte inter-frame gap; 10 at line rate whatever the frame size.
   */
  gbps_wire: number;
  /** Link state at the end of the interval. */
  link_up: boolean;
  /** Simulated ports only: frames the far end received (the tester's checker, or the receiving port). */
  peer_rx_packets?: number;
  /** Simulated ports wired to the tester only: sequence numbers the checker found missing. */
  peer_seq_gaps?: number;
  /** Simulated ports wired to the tester only: frames with a bad IPv4 or UDP checksum. */
  peer_bad_checksums?: number;
  /**
   * Simulated ports only: frames the far end sent into the port (the tester's generator, or with
   * loopback or cross wiring the transmitting port). Once nothing is in
   * flight, `peer_tx_packets = rx_packets + rx_missed + rx_errors + rx_dropped` (plus `rx_discarded`
   * for capture).
   */
  peer_tx_packets?: number;
  /**
   * Simulated ports only: frames the port discarded before writing any descriptor, in no register the
   * driver reads (RXEN or the queue off, MAC filter, oversize, link down).
   */
  rx_dropped?: number;
  /**
   * Capture totals only: frames received but not written, rejected by the capture filter or received while
   * draining the ring after the count was reached.
   */
  rx_discarded?: number;
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
  /**
   * Frames received but not counted in {@link rxPackets} because the app had no use for them (capture
   * draining past its count, or rejected by its filter); they enter the balance of {@link inFlight}.
   */
  rxDiscarded = 0;
  private readonly dev: NetDevice;
  private readonly peer: PeerTester | undefined;
  private readonly direction: 'tx' | 'rx';
  private readonly startMs: number;
  private readonly deviceStats = emptyStats();
  private readonly missedAtStart: number;
  private readonly errorsAtStart: number;
  private readonly peerAtStart: PeerStats | undefined;
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
    // Device first, then the peer (as in every snapshot): a frame the device counts is already sent.
    const stats = dev.readStats(this.deviceStats);
    this.missedAtStart = stats.rxMissed;
    this.errorsAtStart = stats.rxErrors + stats.rxCrcErrors;
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
      rx_errors: now.rx_errors - previous.rx_errors,
      tx_dropped: now.tx_dropped - previous.tx_dropped,
    };
    if (now.peer_rx_packets !== undefined && previous.peer_rx_packets !== undefined) {
      d.peer_rx_packets = now.peer_rx_packets - previous.peer_rx_packets;
      if (now.peer_seq_gaps !== undefined) d.peer_seq_gaps = now.peer_seq_gaps - (previous.peer_seq_gaps ?? 0);
      if (now.peer_bad_checksums !== undefined) d.peer_bad_checksums = now.peer_bad_checksums - (previous.peer_bad_checksums ?? 0);
      d.peer_tx_packets = (now.peer_tx_packets ?? 0) - (previous.peer_tx_packets ?? 0);
      d.rx_dropped = (now.rx_dropped ?? 0) - (previous.rx_dropped ?? 0);
    }
    return withRates(d, this.direction);
  }

  /** Counts since the start, as a `type: 'total'` record. Reads the device's counters (not after close). */
  total(nowMs: number): IntervalStats {
    return withRates(this.snapshot('total', nowMs), this.direction);
  }

  /** Frames the peer's checker received since the start, or undefined without a peer. */
  peerRxPackets(): number | undefined {
    const base = this.peerAtStart;
    if (this.peer === undefined || base === undefined) return undefined;
    return this.peer.stats().txReceived - base.txReceived;
  }

  /**
   * Frames the peer sent since the start that are neither received nor counted lost yet (they are in
   * the port's packet buffer or rx ring), or undefined without a peer. Reads the counters now.
   */
  inFlight(): number | undefined {
    const s = this.snapshot('total', this.lastMs);
    if (s.peer_tx_packets === undefined) return undefined;
    return s.peer_tx_packets - s.rx_packets - s.rx_missed - s.rx_errors - (s.rx_dropped ?? 0) - this.rxDiscarded;
  }

  /**
   * The counters at `nowMs`. Order matters for a balance without negative in-flight counts: the app's
   * own counts (exact: the loop is not polling now), then the device's registers, then the peer, so
   * that every frame the app or the device counted is already counted as sent.
   */
  private snapshot(type: 'interval' | 'total', nowMs: number): IntervalStats {
    const dev = this.dev;
    const linkUp = dev.linkStatus().up;
    // The device's counters, then at once the peer's: the window between them is a few register reads.
    const stats = dev.readStats(this.deviceStats);
    const p = this.peer?.stats();
    const s: IntervalStats = {
      type,
      device: dev.pci.address,
      seconds: (nowMs - this.startMs) / 1000,
      tx_packets: this.txPackets,
      tx_bytes: this.txBytes,
      rx_packets: this.rxPackets,
      rx_bytes: this.rxBytes,
      rx_missed: stats.rxMissed - this.missedAtStart,
      rx_errors: stats.rxErrors + stats.rxCrcErrors - this.errorsAtStart,
      tx_dropped: this.txDropped,
      mpps: 0,
      gbps: 0,
      gbps_wire: 0,
      link_up: linkUp,
    };
    const base = this.peerAtStart;
    if (p !== undefined && base !== undefined) {
      s.peer_rx_packets = p.txReceived - base.txReceived;
      if (p.seqGaps !== undefined) s.peer_seq_gaps = p.seqGaps - (base.seqGaps ?? 0);
      if (p.badChecksums !== undefined) s.peer_bad_checksums = p.badChecksums - (base.badChecksums ?? 0);
      s.peer_tx_packets = p.txPackets - base.txPackets;
      s.rx_dropped = p.portDropped - base.portDropped;
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
  s.gbps_wire = s.seconds > 0 ? round(((bytes + packets * WIRE_OVERHEAD_BYTES) * 8) / s.seconds / 1e9, 4) : 0;
  s.seconds = round(s.seconds, 6);
  return s;
}

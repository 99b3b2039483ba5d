/**
 * The accounting identity the apps' records must satisfy on a simulated port: every frame the peer
 * sent into the port is received, missed, dropped with an error, dropped by the port before any
 * descriptor, discarded by capture past its count, or still in flight.
 */
import type { IntervalStats } from '../../lib/apps/interval-stats';
import type { DeviceStats } from '../../lib/device';

/** Frames the peer sent that the record does not account for (0 once nothing is in flight). */
export function unaccounted(s: IntervalStats): number {
  return (s.peer_tx_packets ?? 0) - s.rx_packets - s.rx_missed - s.rx_errors - (s.rx_dropped ?? 0) - (s.rx_discarded ?? 0);
}

/** The record's balance as text, for assertion messages. */
export function balanceText(s: IntervalStats): string {
  return `peer sent ${s.peer_tx_packets}, received ${s.rx_packets}, missed ${s.rx_missed}, errors ${s.rx_errors}, ` +
    `port dropped ${s.rx_dropped}, discarded ${s.rx_discarded ?? 0}`;
}

/**
 * Frames the NIC lost for want of a free rx descriptor, as the driver counts them (one place to
 * change if the driver reports ring-full drops, QPRDC, under a separate name).
 */
export function rxLost(s: DeviceStats): number {
  return s.rxMissed;
}

/**
 * Most frames that can be in flight on a port at once: a full ring of `ringSize` descriptors plus a
 * full 512 KiB packet buffer of `frameSize`-byte frames (each held as a 16-byte record header and the
 * frame rounded up to 8 bytes; see native/sim/port_rx.cc).
 */
export function inFlightBound(ringSize: number, frameSize: number): number {
  return ringSize + Math.floor((512 * 1024) / (16 + Math.ceil(frameSize / 8) * 8));
}

/**
 * Follows the sequence numbers of received generator frames (which count from 0 per generator start):
 * how many were skipped, and whether any came twice or out of order.
 */
export class SeqLedger {
  /** The next sequence number expected. */
  next = 0;
  /** Frames received. */
  received = 0;
  /** Sequence numbers skipped between received frames. */
  gaps = 0;
  /** Frames whose number was below the expected one (a duplicate or a reordering). */
  backwards = 0;

  /** Records a received frame's sequence number. */
  see(seq: number): void {
    this.received++;
    if (seq === this.next) this.next++;
    else if (seq > this.next) {
      this.gaps += seq - this.next;
      this.next = seq + 1;
    } else this.backwards++;
  }

  /** Frames of `sent` never received: the gaps plus those after the last frame received. */
  missing(sent: number): number {
    return this.gaps + (sent - this.next);
  }
}

/**
 * The 82599's IEEE 1588 unit as a {@link HardwareClock} (datasheet 7.9; offsets and bits as Linux
 * ixgbe_type.h names them, the set-up as ixgbe_ptp.c programs the 82599):
 * - SYSTIM counts in units of 2^-21 ns: TIMINCA = INCPERIOD 1 | INCVALUE 0xCCCCCC adds 6.4 ns x 2^21
 *   every 6.4 ns MAC clock period at 10 Gbit/s (7.9.3), so SYSTIM / 2^21 is nanoseconds and wraps every
 *   2^43 ns (about 2.4 hours). Read SYSTIML first: it latches SYSTIMH.
 * - Transmit: TSYNCTXCTL.EN; a frame whose advanced data descriptor carries MAC.TSTAMP (dword 2 bit
 *   19, 7.2.3.2.4) is timestamped as it starts onto the wire; TSYNCTXCTL.VALID says TXSTMPL/H hold it.
 * - Receive: TSYNCRXCTL.EN with TYPE 101b (every PTP v2 event message, over Layer 2 through ETQF
 *   filter 3 = EtherType 0x88F7 with its 1588 bit, and over UDP to the port in RXMTRL bits 31:16,
 *   319); TSYNCRXCTL.VALID says RXSTMPL/H hold the time, RXSATRH bits 31:16 the frame's sequence id.
 * - One timestamp of each kind is held at a time: reading TXSTMPH / RXSTMPH releases it (read the low
 *   register first). A timestamped frame that is then lost keeps the latch: {@link IxgbeClock.enable}
 *   and every read clear it.
 */
import type { HardwareClock, RxTimestamp } from '../../device';
import { TsnicError } from '../../errors';
import { get, set } from './regs';
import type { TxQueue } from './tx-queue';

/** Time sync registers (8.2.3.26) and the receive filters the timestamp logic uses (8.2.3.7). */
export const TIMESYNC_REG = {
  TSYNCRXCTL: 0x05188,
  RXSTMPL: 0x051e8,
  RXSTMPH: 0x051a4,
  RXSATRL: 0x051a0,
  RXSATRH: 0x051a8,
  RXMTRL: 0x05120,
  TSYNCTXCTL: 0x08c00,
  TXSTMPL: 0x08c04,
  TXSTMPH: 0x08c08,
  SYSTIML: 0x08c0c,
  SYSTIMH: 0x08c10,
  TIMINCA: 0x08c14,
  /** EType Queue Filter n. */
  etqf: (n: number): number => 0x05128 + 4 * n,
} as const;

/** TSYNCTXCTL / TSYNCRXCTL: a timestamp is latched. */
const VALID = 1 << 0;
/** TSYNCTXCTL / TSYNCRXCTL: timestamping enabled. */
const ENABLED = 1 << 4;
/** TSYNCRXCTL.TYPE (bits 3:1) = 101b: every PTP v2 event message, Layer 2 and UDP. */
const RX_TYPE_EVENT_V2 = 0x0a;
/** ETQF: filter enable (31) and "IEEE 1588 time stamp" (30); Linux reserves filter 3 for 1588. */
const ETQF_FILTER_EN = 0x80000000;
const ETQF_1588 = 0x40000000;
const ETQF_FILTER_1588 = 3;
/** PTP EtherType and the UDP port of PTP event messages (IEEE 1588-2008 annexes D and F). */
export const PTP_ETHERTYPE = 0x88f7;
export const PTP_EVENT_PORT = 319;
/** TIMINCA: INCPERIOD 1 (31:24), INCVALUE 6.4 ns in 2^-21 ns units (Linux: IXGBE_INCVAL_10GB >> 7). */
const TIMINCA_10G = ((1 << 24) | 0xcccccc) >>> 0;
/** SYSTIM units per ns: 2^21; the high register's unit is 2^32 / 2^21 = 2048 ns. */
const UNITS_PER_NS = 2 ** 21;
const HIGH_NS = 2 ** 11;

/** DCMD bit MAC.TSTAMP of the advanced tx data descriptor (dword 2 bit 19, 7.2.3.2.4). */
export const TX_CMD_TSTAMP = 1 << 19;

/** The IEEE 1588 clock of an open 82599 port. */
export class IxgbeClock implements HardwareClock {
  readonly kind = 'hardware' as const;
  readonly resolutionNs = 6.4;
  readonly wrapNs = 2 ** 43;
  private enabled = false;

  /**
   * @param bar0 the port's registers
   * @param tx the port's tx queues (to mark a frame for a timestamp)
   * @param checkOpen throws ERR_DEVICE_CLOSED once the device is closed
   */
  constructor(
    private readonly bar0: Uint32Array,
    private readonly tx: readonly TxQueue[],
    private readonly checkOpen: () => void,
  ) {}

  /** Starts the clock from 0 and turns on tx and rx timestamping of PTP event messages. Idempotent. */
  enable(): void {
    this.checkOpen();
    if (this.enabled) return;
    const b = this.bar0;
    // 7.9.3: the increment first, then the time (SYSTIML, then SYSTIMH).
    set(b, TIMESYNC_REG.TIMINCA, TIMINCA_10G);
    set(b, TIMESYNC_REG.SYSTIML, 0);
    set(b, TIMESYNC_REG.SYSTIMH, 0);
    // 7.9.2 / 8.2.3.7: PTP over Layer 2 through an EtherType filter, over UDP through RXMTRL's port.
    set(b, TIMESYNC_REG.etqf(ETQF_FILTER_1588), ETQF_FILTER_EN | ETQF_1588 | PTP_ETHERTYPE);
    set(b, TIMESYNC_REG.RXMTRL, PTP_EVENT_PORT << 16);
    set(b, TIMESYNC_REG.TSYNCRXCTL, ENABLED | RX_TYPE_EVENT_V2);
    set(b, TIMESYNC_REG.TSYNCTXCTL, ENABLED);
    // A latch left from before (a previous user of the port) would block every new timestamp.
    get(b, TIMESYNC_REG.TXSTMPL);
    get(b, TIMESYNC_REG.TXSTMPH);
    get(b, TIMESYNC_REG.RXSTMPL);
    get(b, TIMESYNC_REG.RXSTMPH);
    this.enabled = true;
  }

  /** SYSTIM in ns: SYSTIML first, which latches SYSTIMH (7.9.3). */
  now(): number {
    this.checkOpen();
    const low = get(this.bar0, TIMESYNC_REG.SYSTIML);
    const high = get(this.bar0, TIMESYNC_REG.SYSTIMH);
    return high * HIGH_NS + low / UNITS_PER_NS;
  }

  /** The next frame txBatch queues on tx queue `queue` asks for a transmit timestamp. */
  stampNextTx(queue: number): void {
    this.checkOpen();
    const q = this.tx[queue];
    if (q === undefined) throw new TsnicError('ERR_QUEUE_ID', `tx queue ${queue} does not exist: use 0..${this.tx.length - 1}`);
    q.stampNext = true;
  }

  /** The latched transmit timestamp in ns, releasing the latch (TXSTMPL, then TXSTMPH); undefined when none. */
  readTxStamp(): number | undefined {
    this.checkOpen();
    const b = this.bar0;
    if ((get(b, TIMESYNC_REG.TSYNCTXCTL) & VALID) === 0) return undefined;
    const low = get(b, TIMESYNC_REG.TXSTMPL);
    return get(b, TIMESYNC_REG.TXSTMPH) * HIGH_NS + low / UNITS_PER_NS;
  }

  /**
   * The latched receive timestamp into `into` (ns and the frame's PTP sequence id, RXSATRH bits 31:16,
   * read before the time), releasing the latch (RXSTMPL, then RXSTMPH); false when none is latched.
   */
  readRxStamp(into: RxTimestamp): boolean {
    this.checkOpen();
    const b = this.bar0;
    if ((get(b, TIMESYNC_REG.TSYNCRXCTL) & VALID) === 0) return false;
    into.sequenceId = get(b, TIMESYNC_REG.RXSATRH) >>> 16;
    const low = get(b, TIMESYNC_REG.RXSTMPL);
    into.ns = get(b, TIMESYNC_REG.RXSTMPH) * HIGH_NS + low / UNITS_PER_NS;
    return true;
  }
}

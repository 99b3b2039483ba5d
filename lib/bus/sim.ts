/**
 * The simulated Intel 82599 (backend `sim`): a dual-port card whose register files a driver maps like
 * a VFIO BAR0, served by a native model thread that reacts to register writes as the datasheet says
 * and DMAs into memory from {@link SimPort.allocDma}. Each port's far end is wired to a built-in
 * tester (generator + checker), to itself (loopback), to the other port (cross) or to nothing.
 *
 * Lockstep ({@link SimCardOptions.lockstep}, for benchmarks): no model thread; the caller runs the model's
 * passes itself with {@link SimCard.step}, which returns the time spent inside them, so that a driver's
 * own cost per packet is total time minus the model's. Control paths that wait on the model
 * synchronously (a driver's open and close) run inside {@link SimCard.withModelThread}.
 *
 * Model-thread load ({@link SimCard.modelLoadMark}, {@link SimCard.modelThreadLoad}; lib/bus/sim-load.ts):
 * the thread accounts the time of its passes that did work, so a caller can tell the model's busy
 * fraction over a stretch of its choosing (the threaded benchmark marks points where the model was the
 * limit: docs/benchmark.md, "Model-bound points").
 *
 * ## What the model implements (82599 datasheet references)
 * - CTRL.RST / CTRL.LRST: self-clear after `resetDelayMs` (1 ms) and restore register defaults (4.6.3.2);
 *   STATUS (LAN id, GIO master enable following CTRL.GIO_DIS).
 * - EEPROM: EEC.PRES, EEC.ARD (auto-read done, shortly after reset), EEC.SIZE = 5 (2048 words); EERD
 *   reads (write START | address << 2, poll DONE, data in bits 31:16) of a synthesized image whose
 *   word 0x3F makes the Linux ixgbe checksum rule sum to 0xBABA; RAL(0)/RAH(0) = the port's MAC + AV.
 * - RDRXCTL.DMAIDONE after reset; AUTOC.RESTART_AN (bit 12, self-clearing) restarts link training;
 *   LINKS: UP (bit 30), speed 10G (bits 29:28 = 11b), link status (bit 7) `linkUpDelayMs` after a
 *   reset or AN restart; EICR.LSC (bit 20) on each change.
 * - Interrupts (7.3; native/sim/interrupts.h; docs/simulator.md, "Interrupt rules"): an rx write-back on
 *   queue q latches the EICR bit of the vector IVAR maps q to (valid bit 7; vectors 0..15); EICS sets
 *   EICR bits; EIMS (write 1 to set) / EIMC (write 1 to clear) gate them; EICR is write-1-to-clear and
 *   clear-on-read (with GPIE.OCD only bits 29:16). GPIE.MULTIPLE_MSIX: vector v's message, one eventfd
 *   increment ({@link SimPort.enableInterrupts}), goes out when EICR & EIMS bit v is set, once per
 *   cause, at least EITR(v)'s interval (bits 11:3, 2 us units) after the previous one, clearing EICR bit
 *   v with EIAC and EIMS bit v with GPIE.EIAME + EIAM; otherwise one message on vector 0 when EICR &
 *   EIMS becomes non-zero. A cause latched while masked signals once unmasked.
 * - RXCTRL.RXEN, FCTRL (UPE, MPE, BAM; unicast to RAL/RAH(0) otherwise), HLREG0 (RXCRCSTRP: without it
 *   the 4 FCS bytes are DMAed and counted in the length; TXPADEN; JUMBOEN with MAXFRS.MFS, else 1518).
 * - 64 rx and 64 tx queues: RDBAL/RDBAH/RDLEN/RDH/RDT/RXDCTL/SRRCTL (both SRRCTL addresses of queues
 *   0..15) and TDBAL/TDBAH/TDLEN/TDH/TDT/TXDCTL/TDWBAL (head write-back); DMATXCTL.TE. A queue's ring is
 *   latched when the driver sets RXDCTL/TXDCTL.ENABLE. Descriptors are fetched into an on-chip cache
 *   (32 rx, 40 tx per queue) as soon as the tail covers them, on the model's next pass: a driver that
 *   writes a descriptor after moving the tail gets the stale one used, as on silicon.
 * - RSS (7.1.2.8): with MRQC.MRQE = 0001b, the Toeplitz hash of IPv4 source/destination address and,
 *   with the UDP/IPv4 field enable (MRQC bit 22), the UDP ports (IPv4 only with bit 17) under the
 *   RSSRK(0..9) key picks RETA entry hash[6:0] (bits 3:0: queue 0..15); the advanced write-back
 *   carries the hash in dword 1 and the RSS type in dword 0 bits 3:0 (2 IPv4, 7 UDP/IPv4). Frames no
 *   enabled type matches get hash 0 (RETA entry 0). Frames for a disabled queue are dropped
 *   (`rxDroppedDisabled`). Without RSS every frame goes to queue 0.
 * - Rx descriptors: advanced one-buffer (SRRCTL.DESCTYPE 001) and legacy (000). Advanced write-back
 *   (7.1.6.2): dword 2 = status (DD bit 0, EOP bit 1) | errors (bits 31:20, RXE = bit 29), dword 3 bits
 *   15:0 = length of this buffer's data. A frame larger than SRRCTL.BSIZEPACKET (1 KiB units) spans
 *   several descriptors, EOP on the last. Legacy write-back: dword 2 = length, dword 3 = status | errors
 *   << 8. A frame with a MAC error (CRC, e.g. {@link SimFaults.rxErrorEvery} or a peer sending without
 *   FCS) counts in CRCERRS and reaches a descriptor, with RXE, only when FCTRL.SBP is set.
 * - Tx descriptors: advanced data (DEXT, DTYP 0011; DTALEN bits 15:0; DCMD EOP 24, IFCS 25, RS 27;
 *   PAYLEN bits 31:14 of dword 3), advanced context (ignored), legacy. DD (bit 0 of dword 3) is written
 *   back only on descriptors with RS (7.2.3.5.1): with TXDCTL.WTHRESH 0 as each is processed, otherwise
 *   once WTHRESH descriptors were processed; fewer only while TXDCTL.SWFLSH is set or once IVAR maps the
 *   queue's tx cause (the model flushes at the end of its pass, as that vector's throttling timer
 *   would); TDH advances; a frame may span any number of descriptors. RTTDCS.ARBDIS (bit 6) or
 *   DMATXCTL.TE clear: no descriptor is processed.
 * - The wire: 10 Gbit/s. Tx frames go through the tx packet buffer (TXPBSIZE(0), 160 KiB after reset):
 *   descriptors are processed, and DD written back, only while it has room; it drains at line rate,
 *   each frame taking (frame + FCS + 8 preamble/SFD + 12 inter-frame gap bytes) * 0.8 ns (14.88 Mpps for
 *   60-byte frames), and a frame reaches the far end when it has left. HLREG0.TXCRCEN (or the
 *   descriptor's IFCS) clear: frames leave without FCS, the far end sees a CRC error. The tester's
 *   generator sends at line rate by default. `SimCardOptions.wire: 'unpaced'` and `ratePps: 'unpaced'`
 *   are benchmark modes unlike any wire.
 * - The rx packet buffer (RXPBSIZE(0) bits 19:10 KB, 512 after reset; 0: every frame is missed): one
 *   FIFO for all queues. A frame whose queue has no free descriptor waits there and blocks every frame
 *   behind it (head-of-line blocking), unless SRRCTL(n).DROP_EN (bit 28) is set: then it is dropped at
 *   once. A frame that does not fit the buffer is missed. The buffer moves at most 256 frames into
 *   descriptors per port and model pass, so both ports progress alike.
 *   Silicon counts DROP_EN drops in QPRDC(n), a clear-on-read register on the hot page 0x1000 (beside
 *   RDT), and so does a card with {@link SimCardOptions.strictTails}, which traps that page. Without
 *   strict tails the page is untrapped (a tail write costs nothing), QPRDC(n) reads 0 and DROP_EN drops
 *   are counted in RXMPC(0) instead. Exactly, per queue: {@link SimPortCounters.rxDropEnQueue}.
 * - Statistics, clear on read as on silicon: CRCERRS, GPRC, GPTC, GORCL/H, GOTCL/H (octets from the
 *   destination address through the CRC), RXMPC(0), ROC, TPR, TPT. GPRC counts every good frame that
 *   passed the address filter, including frames then missed or dropped: the 82599 counts missed frames
 *   in GPRC (Linux and FreeBSD ixgbe subtract RXMPC from GPRC, a "hardware workaround"); a driver's
 *   received-packet count is GPRC - RXMPC. GORC counts only frames written to descriptors. Read them
 *   with 32-bit loads, the low half of GORC/GOTC before the high half. (The driver's view of pages
 *   0x3000 and 0x4000 is protected so that each read of a counter returns the count since the previous
 *   read: see native/sim/access_trap.cc. Other registers of those pages still work, only slower.)
 * - DMA ordering rules where silicon's behaviour is undefined (4.6.7, last step): a received frame
 *   written while CTRL_EXT.NS_DIS is clear counts `noSnoopEnabled`, into a queue whose DCA_RXCTRL bit 12
 *   is set counts `dcaRxctrlBit12Set` (once per frame).
 * - Control path, as strict as silicon (docs/simulator.md, "Control path rules", lists each rule with its test):
 *   every register the driver or Linux's 82599 bring-up touches reads its datasheet initial value after a
 *   reset (8.2.3: e.g. RDRXCTL.CRCSTRIP 0 while HLREG0.RXCRCSTRP is 1, DCA_RXCTRL bit 12 set, DMATXCTL.VT
 *   0x8100), and CTRL.RST clears only once they all do. CTRL.GIO_DIS stops the port's DMA at the next
 *   model pass and STATUS.GIO_MASTER_ENABLE clears a pass later (5.2.5.3.2); a reset with it still set is
 *   `resetWithMasterEnabled`. SECRXCTRL.RX_DIS holds the rx path (frames dropped) and SECRXSTAT.SECRX_RDY
 *   follows it a pass and at least 10 us later; RXCTRL.RXEN turned on outside that handshake is
 *   `rxEnableWithoutSecRxDisable`, with HLREG0.RXCRCSTRP != RDRXCTL.CRCSTRIP `crcStripMismatch` (both
 *   judged at the RXCTRL write). RXDCTL/TXDCTL.ENABLE read the queue's actual state as the model publishes
 *   it: 0 when the ring cannot be latched (no base or length, or SRRCTL.BSIZEPACKET 0: `rxBufferSizeZero`,
 *   no fallback size), and after a tx disable 1 until the queue sent every descriptor up to TDT, never
 *   while the link is down. Race (not with strict tails): these registers are on untrapped pages, so a
 *   read right after the driver's own write, before the model's next pass, returns that write.
 *   RAL/RAH(0..15) answer at 0xA200 + 8n and at 0x5400 + 8n, equal both ways; DCA_RXCTRL(0..15) at
 *   0x100C + 0x40n and 0x2200 + 4n.
 * - IEEE 1588 (7.9, native/sim/timesync.cc): SYSTIML/H advancing by TIMINCA (INCVALUE every INCPERIOD
 *   x 6.4 ns; stopped after reset), a SYSTIML read latching SYSTIMH; TSYNCTXCTL.EN and the advanced tx
 *   descriptor's MAC.TSTAMP (dword 2 bit 19) latch TXSTMPL/H as the frame starts onto the wire;
 *   TSYNCRXCTL.EN/TYPE latch RXSTMPL/H, RXSATRL/H (sequence id in 31:16) for PTP frames (EtherType of
 *   an ETQF filter with its 1588 bit, or UDP to RXMTRL's port) and set TS (status bit 16) in that
 *   frame's write-back. One timestamp of each kind at a time (VALID bit 0), released by reading the
 *   high register (TXSTMPH, RXSTMPH). Page 0x8000 is trapped for these side effects.
 * - Device under test on the line to the far end (loopback/cross, native/sim/dut_line.cc, knobs
 *   {@link SimFaults.delayNs}, {@link SimFaults.maxRatePps}, {@link SimFaults.queueFrames}): a fixed
 *   delay and a store-and-forward queue served at a set rate that drops what does not fit
 *   ({@link SimPortCounters.wireDropped}); the far end's receive timestamp is the SFD's arrival there.
 * - Not modelled: tx, "other" (IVAR_MISC) and low-latency interrupt causes, vectors 16..63 (EICR_EX),
 *   MSI and INTx (the port offers MSI-X only), filters other than the MAC address and RSS,
 *   offloads (checksum, TSO), VLAN, flow control, QPRC/QPTC, the PHY.
 *
 * ## Test frames (tester generator; tsnic's pktgen uses the same layout so the checker can count them)
 * Offsets in bytes from the start of the frame, FCS excluded:
 * - 0 destination MAC (default: the port's MAC), 6 source MAC (default 02:00:00:00:ee:01),
 *   12 ethertype 0x0800;
 * - 14 IPv4 header: version 4, IHL 5, total length = frame size - 14, id 0, DF, TTL 64, protocol 17,
 *   valid header checksum, 10.0.0.1 -> 10.0.0.2;
 * - 34 UDP header: ports 1024 -> 1024 (source 1024 + flow with the `flows` option), length = frame
 *   size - 34, valid checksum (never 0);
 * - 42 sequence number, 32-bit big-endian, counting from 0 per generator start;
 * - 46 onwards: byte at offset i is `i & 0xff`.
 * tsnic's own generator (lib/apps/frame-builder.ts) keeps this layout and puts its flow id, a magic and
 * a send timestamp at 46..55, which the checker does not read; frames it tags with 802.1Q the checker
 * counts as not IPv4/UDP (`nonUdp`).
 * The checker validates IPv4 header and UDP checksums of every IPv4/UDP frame the port transmits,
 * counts frames that are not IPv4/UDP separately, and tracks the sequence number at offset 42:
 * a jump forward adds the number of skipped values to `seqGaps`, a step back counts in `seqReordered`.
 */
import { checkInteger, TsnicError } from '../errors';
import { parseRate, ratePps } from '../apps/traffic/rate';
import { native as hostNative, type HostMemory } from './native';
import { RegisterTrace } from './register-trace';
import { simNative as native, type SimNativeFaults } from './sim-binding';
import { loadBetween, markOf, type ModelLoadMark, type ModelThreadLoad } from './sim-load';
import type { DmaOptions, DmaRegion, InterruptKind, InterruptOffer, PciFunction } from './types';
import { checkInterruptArgs } from './interrupts';

/** What a port's far end is connected to. */
export type SimWiring =
  /** The built-in tester: generator into the port's rx, checker on the port's tx. Default. */
  | 'tester'
  /** The port's tx to its own rx. */
  | 'loopback'
  /** Port 0's tx to port 1's rx and back; setting it on either port wires both. */
  | 'cross'
  /** No cable: link down, frames lost. */
  | 'unplugged';

const WIRINGS: readonly SimWiring[] = ['tester', 'loopback', 'cross', 'unplugged'];

/** Fault knobs of one port; each reaches a driver error path. All off by default. */
export interface SimFaults {
  /** CTRL.RST / CTRL.LRST never self-clear (driver: ERR_RESET_TIMEOUT). */
  resetNeverCompletes: boolean;
  /** EEC.ARD stays clear after the next reset, and RAL/RAH stay 0 (driver: ERR_EEPROM_TIMEOUT). */
  eepromAutoReadNeverCompletes: boolean;
  /** EERD returns a wrong checksum word 0x3F (driver: ERR_EEPROM_CHECKSUM). */
  badEepromChecksum: boolean;
  /** RAL(0)/RAH(0) after the next reset hold an all-zero or a multicast address (driver: ERR_INVALID_MAC). */
  invalidMac: 'none' | 'zero' | 'multicast';
  /** RDRXCTL.DMAIDONE stays clear after the next reset (driver: ERR_DMA_INIT_TIMEOUT). */
  dmaInitNeverCompletes: boolean;
  /** LINKS.UP never sets (driver: ERR_LINK_TIMEOUT). */
  linkNeverUp: boolean;
  /** One shot: the link goes down now and retrains after this many ms (0: none). */
  linkDownForMs: number;
  /** Every Nth frame the port receives carries RXE in its descriptor and counts in CRCERRS (0: never). */
  rxErrorEvery: number;
  /**
   * One shot: the port's wire sends nothing for this many ms from now (0: none), as when the link
   * partner sends PAUSE frames (802.3 annex 31B; the model does not look at MFLCN). The tx packet
   * buffer fills, and descriptors wait for room without DD. No effect on an unpaced wire.
   */
  txPausedForMs: number;
  /**
   * Device under test on the line from this port to its far end (loopback or cross wiring): a fixed
   * delay in ns added to every frame, 0..1_000_000 (1 ms). A latency measurement must find it.
   */
  delayNs: number;
  /**
   * Device under test: forwards at most this many frames per second (0: no limit), store-and-forward
   * through a queue of {@link queueFrames} frames; frames arriving to a full queue are dropped and
   * counted in {@link SimPortCounters.wireDropped}. An RFC 2544 search must find this rate.
   */
  maxRatePps: number;
  /** The device under test's queue, in frames (1..1_000_000, default 4096): the burst it absorbs. */
  queueFrames: number;
}

/** Datasheet rules a driver broke, counted by the model; a correct driver leaves every one at 0. */
export interface SimViolations {
  /** DMA to an address outside every live region of this card (card-wide, see {@link SimCard.dmaFaults}). */
  dmaOutsideRegion: number;
  /** A queue enabled while PCI bus mastering is off (no DMA happens until it is on). */
  dmaWithoutBusMaster: number;
  /** RDBAL/TDBAL not 128-byte aligned (datasheet 8.2.3.8.1: the low 7 bits are ignored). */
  ringBaseUnaligned: number;
  /** RDLEN/TDLEN not a multiple of 128 or above 0xFFF80. */
  ringLengthInvalid: number;
  /** RDT/TDT written with a value outside the ring. */
  tailOutsideRing: number;
  /** RXDCTL/TXDCTL.ENABLE set before the ring's base and length (the queue stays disabled). */
  queueEnabledUnconfigured: number;
  /** FCTRL changed while RXCTRL.RXEN was set (datasheet 8.2.3.7.1 forbids it). */
  fctrlChangedWhileRxEnabled: number;
  /** A write to a read-only register: STATUS, LINKS, a statistics counter. */
  readOnlyRegisterWritten: number;
  /** A tx descriptor of unknown type, zero length, or a frame longer than 16 KiB. */
  txDescriptorInvalid: number;
  /**
   * DMA memory freed while an enabled queue's descriptor ring lies in it: the NIC could still DMA
   * through it. A driver disables its queues and resets the port before releasing memory.
   */
  memoryFreedWhileActive: number;
  /**
   * RXCTRL.RXEN set (0 to 1) while SECRXCTRL.RX_DIS was clear or SECRXSTAT.SECRX_RDY not yet set: the
   * 82599 Rx-enable sequence (Linux ixgbe_enable_rx_dma_82599) is RX_DIS = 1, wait for SECRX_RDY, write
   * RXCTRL, RX_DIS = 0 (82599 errata: traffic arriving as the Rx unit starts can hang its DMA).
   */
  rxEnableWithoutSecRxDisable: number;
  /**
   * CTRL.RST set while STATUS.GIO_MASTER_ENABLE still read 1: a reset with PCIe master requests possibly
   * pending. Set CTRL.GIO_DIS and wait for STATUS bit 19 to clear first (datasheet 5.2.5.3.2, 4.6.3.2).
   */
  resetWithMasterEnabled: number;
  /** RXDCTL.ENABLE set with SRRCTL.BSIZEPACKET 0 (8.2.3.8.7: must not be 0); the queue stays disabled. */
  rxBufferSizeZero: number;
  /** RXCTRL.RXEN set while HLREG0.RXCRCSTRP and RDRXCTL.CRCSTRIP differ (8.2.3.8.8: they must be equal). */
  crcStripMismatch: number;
  /** RS set on a tx descriptor without EOP (datasheet 7.2.3.2.4: RS only on a frame's last descriptor). */
  rsWithoutEop: number;
  /** PAYLEN of a frame's first advanced data descriptor differs from the sum of its DTALENs (non-TSO, 7.2.3.2.4). */
  paylenMismatch: number;
  /**
   * A frame DMAed into host memory while CTRL_EXT.NS_DIS was clear: no-snoop writes are not coherent
   * with the CPU caches (datasheet 4.6.7, last step: set NS_DIS). Counted once per received frame.
   */
  noSnoopEnabled: number;
  /**
   * A frame DMAed into a queue whose DCA_RXCTRL(n) bit 12 was still set (reserved, 1 after reset; 4.6.7
   * says to clear it). Counted once per received frame.
   */
  dcaRxctrlBit12Set: number;
}

const VIOLATIONS: readonly (keyof SimViolations)[] = [
  'dmaOutsideRegion',
  'dmaWithoutBusMaster',
  'ringBaseUnaligned',
  'ringLengthInvalid',
  'tailOutsideRing',
  'queueEnabledUnconfigured',
  'fctrlChangedWhileRxEnabled',
  'readOnlyRegisterWritten',
  'txDescriptorInvalid',
  'memoryFreedWhileActive',
  'rxEnableWithoutSecRxDisable',
  'resetWithMasterEnabled',
  'rxBufferSizeZero',
  'crcStripMismatch',
  'rsWithoutEop',
  'paylenMismatch',
  'noSnoopEnabled',
  'dcaRxctrlBit12Set',
];

/** Options of {@link SimCard.create}. */
export interface SimCardOptions {
  /** Both ports' wiring, or one per port. Default `'tester'`. */
  wiring?: SimWiring | [SimWiring, SimWiring];
  /** Link training time after reset / AN restart, ms. Default 20. */
  linkUpDelayMs?: number;
  /** Time until CTRL.RST self-clears, ms. Default 1. */
  resetDelayMs?: number;
  /** Port 0's MAC address `aa:bb:cc:dd:ee:ff`; port 1 adds 1 to the last byte. Default 02:00:5e:82:59:00. */
  mac?: string;
  /**
   * Record every driver read and write of each port's BAR0 ({@link SimCard.trace}). Slow: for tests
   * of init order, not for traffic. Default false.
   */
  traceRegisters?: boolean;
  /**
   * How fast the ports transmit. `'line'` (default): at 10 Gbit/s, through the TXPBSIZE(0) packet
   * buffer, as on silicon. `'unpaced'`: as fast as the model thread moves frames, unlike any wire; only
   * for benchmarks that measure a driver's own cost (`npm run bench`).
   */
  wire?: 'line' | 'unpaced';
  /**
   * Lockstep: start no model thread. Nothing moves until {@link SimCard.step} runs the model's passes on
   * the calling thread (or {@link SimCard.withModelThread} runs the thread for a while). For benchmarks
   * that account the model's time apart from the driver's. Default false.
   */
  lockstep?: boolean;
  /**
   * Strict tails: the model takes the descriptors a tail write covers before the writing instruction
   * returns (it holds the writer until a whole model pass has begun), as silicon may fetch them as soon
   * as the write reaches it (datasheet 7.1.9, 7.2.3). A driver that moves RDT or TDT before the
   * descriptors are ready then fails every time, not only when the model happens to look in between.
   * QPRDC(n) counts DROP_EN drops, clear on read (8.2.3.23), instead of RXMPC. Costs two signals and a
   * model pass per tail write: for correctness tests, not throughput. Needs the model thread (no effect
   * on a lockstep card's passes). Default: false, or true when the environment has
   * `TSNIC_SIM_STRICT_TAILS=1` (the test suite runs so).
   */
  strictTails?: boolean;
}

/** Options of {@link SimTester.startGenerator}. */
export interface SimGeneratorOptions {
  /**
   * Frames per second: `'line'` (default) for 10 Gbit/s line rate ({@link lineRatePps}), or a number
   * above 0 up to line rate (a higher one is refused). `'unpaced'` is a benchmark mode unlike any wire:
   * a frame whenever an rx descriptor is free, so nothing is ever missed; a driver's losses under a
   * real wire only show at a real rate.
   */
  ratePps?: number | 'line' | 'unpaced';
  /** Frame size without FCS, 60..9018 (a "64-byte frame" is 60). Default 60. */
  frameSize?: number;
  /** Frames to send, 0 (default) for unlimited. */
  count?: number;
  /** Source MAC, default 02:00:00:00:ee:01. */
  srcMac?: string;
  /** Destination MAC, default the port's own. */
  dstMac?: string;
  /**
   * Flows: UDP source ports 1024 .. 1024 + flows - 1, round robin by sequence number (checksums stay
   * valid), so that RSS spreads the frames over queues. 1..64511, default 1 (port 1024 only).
   */
  flows?: number;
}

/** Counters of a port's tester since creation or {@link SimTester.resetStats}. */
export interface SimTesterStats {
  /** Frames the generator sent into the port (including ones the port then missed). */
  txPackets: number;
  /** Their bytes, FCS excluded. */
  txBytes: number;
  /** Frames the port transmitted that reached the checker. */
  rxPackets: number;
  /** Their bytes, FCS excluded (after padding to 60). */
  rxBytes: number;
  /** Sequence numbers skipped (sum of forward jumps). */
  seqGaps: number;
  /** Frames whose sequence number was lower than expected (late or duplicate). */
  seqReordered: number;
  /** IPv4/UDP frames with a wrong IPv4 header or UDP checksum. */
  badChecksums: number;
  /** Frames that were not IPv4/UDP. */
  nonUdp: number;
  /** Frames that arrived without a valid FCS (the port's HLREG0.TXCRCEN or the descriptor's IFCS clear); not checked further. */
  badFcs: number;
  /** True while the generator has frames left to send. */
  generatorRunning: boolean;
}

/** Model-side counters of a port (what happened to frames, beyond the registers). */
export interface SimPortCounters {
  /** Frames written into rx descriptors. */
  rxDelivered: number;
  /** Frames missed because the packet buffer was full (RXMPC(0) counts these and {@link rxDropEn}). */
  rxMissed: number;
  /** Frames dropped because RXCTRL.RXEN or the queue was off. */
  rxDroppedDisabled: number;
  /** Frames dropped by the MAC address filter (FCTRL, RAL/RAH). */
  rxFiltered: number;
  /** Frames longer than the maximum frame size (ROC). */
  rxOversize: number;
  /** Frames that got an injected rx error ({@link SimFaults.rxErrorEvery}). */
  rxErrorsInjected: number;
  /** Frames arriving while the link was down (lost on the wire). */
  rxLinkDown: number;
  /** Frames the port transmitted onto the wire. */
  txFrames: number;
  /** Frames the port transmitted while its link was down (lost). */
  txDroppedLinkDown: number;
  /** Tx descriptors processed. */
  txDescriptors: number;
  /** Current link state. */
  linkUp: boolean;
  /**
   * Frames dropped at once because their queue had no free descriptor and SRRCTL.DROP_EN was set.
   * Silicon counts them in QPRDC(n), and so does the model with strict tails; without, in RXMPC(0) (see the header).
   */
  rxDropEn: number;
  /** {@link rxDropEn} per queue (64 entries). */
  rxDropEnQueue: number[];
  /** Frames with a MAC error dropped because FCTRL.SBP was clear (still counted in CRCERRS). */
  rxErrorsDropped: number;
  /**
   * Frames this port sent that the device under test on its line dropped ({@link SimFaults.maxRatePps}:
   * queue full), or that the line could not store (more than 16 MiB in flight).
   */
  wireDropped: number;
  /** IEEE 1588 transmit timestamps latched (TXSTMPL/H). */
  txTimestamps: number;
  /** IEEE 1588 receive timestamps latched (RXSTMPL/H). */
  rxTimestamps: number;
  /** PTP frames TSYNCRXCTL selected that found the receive latch still held (not timestamped). */
  rxTimestampsLocked: number;
}

/** Frames per second at 10 Gbit/s for a frame of `frameSize` bytes without FCS (preamble, SFD, IFG included). */
export function lineRatePps(frameSize: number): number {
  return 10e9 / ((frameSize + 4 + 20) * 8);
}

const COUNTER_SLOTS = 128;
const QUEUES = 64;
// Positions in native PortCounters (native/sim/sim.h).
const C = {
  genPackets: 0, genBytes: 1, chkPackets: 2, chkBytes: 3, chkSeqGaps: 4, chkSeqReordered: 5,
  chkBadChecksums: 6, chkNonUdp: 7, rxDelivered: 8, rxMissed: 9, rxDroppedDisabled: 10, rxFiltered: 11,
  rxOversize: 12, rxErrorsInjected: 13, rxLinkDown: 14, txFrames: 15, txDroppedLinkDown: 16,
  txDescriptors: 17, violations: 18, generatorRunning: 18 + VIOLATIONS.length, linkUp: 19 + VIOLATIONS.length,
  chkBadFcs: 20 + VIOLATIONS.length, rxDropEn: 21 + VIOLATIONS.length, rxErrorsDropped: 22 + VIOLATIONS.length,
  rxDropEnQueue: 23 + VIOLATIONS.length, wireDropped: 23 + VIOLATIONS.length + QUEUES,
  txTimestamps: 24 + VIOLATIONS.length + QUEUES, rxTimestamps: 25 + VIOLATIONS.length + QUEUES,
  rxTimestampsLocked: 26 + VIOLATIONS.length + QUEUES,
} as const;

function parseMac(name: string, mac: string): number[] {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(mac);
  if (m === null) throw new TsnicError('ERR_INVALID_ARG', `${name} must look like 02:00:00:00:00:01, got ${mac}`);
  return m.slice(1).map((h) => parseInt(h, 16));
}

function checkPort(index: unknown): 0 | 1 {
  if (index !== 0 && index !== 1) {
    throw new TsnicError('ERR_INVALID_ARG', `port index must be 0 or 1, got ${String(index)}`);
  }
  return index;
}

function checkWiring(wiring: unknown): SimWiring {
  if (!WIRINGS.includes(wiring as SimWiring)) {
    throw new TsnicError('ERR_INVALID_ARG', `wiring must be one of ${WIRINGS.join(', ')}, got ${String(wiring)}`);
  }
  return wiring as SimWiring;
}

const MAX_FLOWS = 65535 - 1024;

/**
 * The native generator rate for `rate`: frames per second, 0 for the unpaced benchmark mode. A rate
 * above line rate is refused: no wire carries it.
 */
function generatorRate(rate: unknown, frameSize: number): number {
  if (rate === 'unpaced') return 0;
  const line = lineRatePps(frameSize);
  if (rate === 'line') return line;
  if (typeof rate !== 'number' || !(rate > 0)) {
    throw new TsnicError('ERR_INVALID_ARG', `ratePps must be 'line', 'unpaced' (benchmarks only) or a number of frames per second above 0, got ${String(rate)}`);
  }
  if (rate > line * (1 + 1e-9)) {
    throw new TsnicError('ERR_INVALID_ARG', `ratePps ${rate} is above 10 Gbit/s line rate for ${frameSize}-byte frames (${Math.floor(line)} pps): use 'line' or a lower rate`);
  }
  return rate;
}

/** A simulated dual-port 82599 card. Close it when done (its model thread runs until then). */
export class SimCard {
  /** Native handle, for {@link SimPort} and {@link SimTester}. @internal */
  readonly handle: number;
  private readonly bars: [ArrayBuffer, ArrayBuffer];
  private readonly ports: [SimPort | undefined, SimPort | undefined] = [undefined, undefined];
  private readonly testers: [SimTester, SimTester];
  private readonly wirings: [SimWiring, SimWiring] = ['tester', 'tester'];
  private readonly faultState: [SimFaults, SimFaults] = [noFaults(), noFaults()];
  private readonly counterBuf = new Float64Array(COUNTER_SLOTS);
  private readonly traces: [RegisterTrace | undefined, RegisterTrace | undefined];
  private isClosed = false;
  private readonly lockstep: boolean;
  private threadRunning: boolean;

  private constructor(options: SimCardOptions) {
    this.lockstep = options.lockstep === true;
    this.threadRunning = !this.lockstep;
    this.traces = options.traceRegisters === true ? [new RegisterTrace(), new RegisterTrace()] : [undefined, undefined];
    const linkUpDelayMs = options.linkUpDelayMs ?? 20;
    const resetDelayMs = options.resetDelayMs ?? 1;
    if (typeof linkUpDelayMs !== 'number' || !(linkUpDelayMs >= 0 && linkUpDelayMs <= 60000)) {
      throw new TsnicError('ERR_INVALID_ARG', `linkUpDelayMs must be 0..60000, got ${String(linkUpDelayMs)}`);
    }
    if (typeof resetDelayMs !== 'number' || !(resetDelayMs >= 0 && resetDelayMs <= 60000)) {
      throw new TsnicError('ERR_INVALID_ARG', `resetDelayMs must be 0..60000, got ${String(resetDelayMs)}`);
    }
    const wiring = options.wiring ?? 'tester';
    const wirings: [SimWiring, SimWiring] = Array.isArray(wiring)
      ? [checkWiring(wiring[0]), checkWiring(wiring[1])]
      : [checkWiring(wiring), checkWiring(wiring)];
    const wire = options.wire ?? 'line';
    if (wire !== 'line' && wire !== 'unpaced') {
      throw new TsnicError('ERR_INVALID_ARG', `wire must be 'line' or 'unpaced' (benchmarks only), got ${String(wire)}`);
    }
    const created = native.simCreate({
      linkUpDelayUs: Math.round(linkUpDelayMs * 1000),
      resetDelayUs: Math.round(resetDelayMs * 1000),
      unpacedWire: wire === 'unpaced',
      lockstep: options.lockstep === true,
      strictTails: options.strictTails ?? process.env.TSNIC_SIM_STRICT_TAILS === '1',
      ...(options.mac === undefined ? {} : { mac: parseMac('mac', options.mac) }),
    });
    this.handle = created.handle;
    this.bars = created.bar0;
    this.testers = [new SimTester(this, 0), new SimTester(this, 1)];
    for (const p of [0, 1] as const) this.setWiring(p, wirings[p]);
  }

  /** Creates a card and starts its model thread (none with {@link SimCardOptions.lockstep}). */
  static create(options: SimCardOptions = {}): SimCard {
    return new SimCard(options);
  }

  /** True once {@link close} ran. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** The PCI function of port `index` (a new one if the previous was closed). */
  port(index: 0 | 1): SimPort {
    const i = checkPort(index);
    this.checkOpen();
    const current = this.ports[i];
    if (current !== undefined && !current.closed) return current;
    const port = new SimPort(this, i, this.bars[i], this.traces[i]);
    this.ports[i] = port;
    return port;
  }

  /** Port `index`'s register trace, when the card was created with `traceRegisters`. */
  trace(index: 0 | 1): RegisterTrace | undefined {
    return this.traces[checkPort(index)];
  }

  /** The tester at the far end of port `index`. */
  tester(index: 0 | 1): SimTester {
    return this.testers[checkPort(index)];
  }

  /** Rewires port `index` (`'cross'` wires both ports; leaving cross unplugs the other port). */
  setWiring(index: 0 | 1, wiring: SimWiring): void {
    const i = checkPort(index);
    const w = checkWiring(wiring);
    this.checkOpen();
    native.simSetWiring(this.handle, i, WIRINGS.indexOf(w));
    const other = i === 0 ? 1 : 0;
    if (w === 'cross') this.wirings[other] = 'cross';
    else if (this.wirings[i] === 'cross') this.wirings[other] = 'unplugged';
    this.wirings[i] = w;
  }

  /** Current wiring of port `index`. */
  wiring(index: 0 | 1): SimWiring {
    return this.wirings[checkPort(index)];
  }

  /** Changes fault knobs of port `index`; knobs not named keep their value (`linkDownForMs` and `txPausedForMs` are one-shot). */
  setFaults(index: 0 | 1, faults: Partial<SimFaults>): void {
    const i = checkPort(index);
    this.checkOpen();
    const next: SimFaults = { ...this.faultState[i], ...faults };
    if (!['none', 'zero', 'multicast'].includes(next.invalidMac)) {
      throw new TsnicError('ERR_INVALID_ARG', `invalidMac must be none, zero or multicast, got ${String(next.invalidMac)}`);
    }
    checkInteger('linkDownForMs', next.linkDownForMs, 0, 3_600_000);
    checkInteger('rxErrorEvery', next.rxErrorEvery, 0, 0xffffffff);
    checkInteger('txPausedForMs', next.txPausedForMs, 0, 3_600_000);
    checkInteger('delayNs', next.delayNs, 0, 1_000_000);
    if (typeof next.maxRatePps !== 'number' || !(next.maxRatePps >= 0) || !Number.isFinite(next.maxRatePps)) {
      throw new TsnicError('ERR_INVALID_ARG', `maxRatePps must be a number of frames per second of at least 0 (0: no limit), got ${String(next.maxRatePps)}`);
    }
    checkInteger('queueFrames', next.queueFrames, 1, 1_000_000);
    const nativeFaults: SimNativeFaults = {
      ...next,
      invalidMac: next.invalidMac === 'zero' ? 1 : next.invalidMac === 'multicast' ? 2 : 0,
    };
    native.simSetFaults(this.handle, i, nativeFaults);
    this.faultState[i] = { ...next, linkDownForMs: 0, txPausedForMs: 0 };
  }

  /** Current fault knobs of port `index`. */
  faults(index: 0 | 1): SimFaults {
    return { ...this.faultState[checkPort(index)] };
  }

  /** DMA the card attempted outside any live region (refused, not performed), and the last such address. */
  dmaFaults(): { count: number; lastAddress: number } {
    this.checkOpen();
    return native.simDmaFaults(this.handle);
  }

  /** Datasheet violations the model saw on port `index`. */
  violations(index: 0 | 1): SimViolations {
    const c = this.readCounters(checkPort(index));
    const v = {} as SimViolations;
    VIOLATIONS.forEach((name, k) => {
      v[name] = c[C.violations + k];
    });
    return v;
  }

  /** Model-side counters of port `index`. */
  counters(index: 0 | 1): SimPortCounters {
    const c = this.readCounters(checkPort(index));
    return {
      rxDelivered: c[C.rxDelivered], rxMissed: c[C.rxMissed], rxDroppedDisabled: c[C.rxDroppedDisabled],
      rxFiltered: c[C.rxFiltered], rxOversize: c[C.rxOversize], rxErrorsInjected: c[C.rxErrorsInjected],
      rxLinkDown: c[C.rxLinkDown], txFrames: c[C.txFrames], txDroppedLinkDown: c[C.txDroppedLinkDown],
      txDescriptors: c[C.txDescriptors], linkUp: c[C.linkUp] !== 0, rxDropEn: c[C.rxDropEn],
      rxDropEnQueue: Array.from(c.subarray(C.rxDropEnQueue, C.rxDropEnQueue + QUEUES)),
      rxErrorsDropped: c[C.rxErrorsDropped], wireDropped: c[C.wireDropped], txTimestamps: c[C.txTimestamps],
      rxTimestamps: c[C.rxTimestamps], rxTimestampsLocked: c[C.rxTimestampsLocked],
    };
  }

  /** Interrupt messages port `index` sent on MSI-X `vector` since the card was created (delivered to an eventfd or not). */
  interruptsFired(index: 0 | 1, vector: number): number {
    checkInteger('vector', vector, 0, SIM_MSIX_VECTORS - 1);
    this.checkOpen();
    return native.simIrqFired(this.handle, checkPort(index), vector);
  }

  /**
   * When the frame behind the last interrupt message of port `index`'s MSI-X `vector` (0..15) arrived:
   * the CLOCK_MONOTONIC time, in ns, of the model pass that wrote it back and latched the cause (0: no
   * message yet). `process.hrtime.bigint()` reads the same clock: the difference is the wake-up latency.
   */
  lastInterruptCauseNs(index: 0 | 1, vector: number): number {
    checkInteger('vector', vector, 0, 15);
    this.checkOpen();
    return native.simIrqLastCause(this.handle, checkPort(index), vector);
  }

  /** A copy of port `index`'s EEPROM image (2048 16-bit words), as EERD reads it without faults. */
  eeprom(index: 0 | 1): Uint16Array {
    this.checkOpen();
    return native.simEeprom(this.handle, checkPort(index));
  }

  /**
   * Pins the card's model thread to CPU `cpu` (-1: any CPU again). The model thread spins while
   * traffic flows, as does a poll-mode driver: on a machine with few cores, keep them on different
   * CPUs or both run at a fraction of their speed. Returns false when the system refuses, or on a lockstep card (no thread).
   */
  pinModelThread(cpu: number): boolean {
    checkInteger('cpu', cpu, -1, 1023);
    this.checkOpen();
    return native.simSetModelCpu(this.handle, cpu);
  }

  /**
   * Reads the model thread's load counter: pass the mark to {@link modelThreadLoad} later to get the
   * thread's busy fraction in between (the benchmark marks points where the model, not the driver, was
   * the limit: docs/benchmark.md). Costs one native call and no lock; the model thread accounts its time
   * on every pass anyway. Throws ERR_INVALID_ARG when no model thread runs (a lockstep card outside
   * {@link withModelThread}: there {@link step} returns the model's time itself).
   */
  modelLoadMark(): ModelLoadMark {
    this.checkOpen();
    return markOf(native.simModelLoad(this.handle));
  }

  /**
   * The model thread's load from `since` (a {@link modelLoadMark} of this card) to now: the time it
   * spent on passes that did work (busy), the time that passed (wall), and busy over wall. A pass that
   * found nothing to do and the pause or nap after it count as idle, so an idle card reads near 0 and a
   * model that never waits for the driver near 1. Throws ERR_INVALID_ARG when no model thread runs now
   * or it was stopped and started again since the mark.
   */
  modelThreadLoad(since: ModelLoadMark): ModelThreadLoad {
    this.checkOpen();
    return loadBetween(since, native.simModelLoad(this.handle));
  }

  /**
   * Lockstep cards: runs `passes` passes of the model (each what one iteration of the model thread's loop
   * does: control, tx and rx of both ports) on this thread and returns the nanoseconds spent inside them,
   * measured natively (CLOCK_MONOTONIC around the passes). Throws on a threaded card and while
   * {@link withModelThread} runs.
   */
  step(passes = 1): number {
    checkInteger('passes', passes, 1, 1_000_000);
    this.checkOpen();
    if (!this.lockstep || this.threadRunning) {
      throw new TsnicError('ERR_DEVICE_BUSY', 'step() needs a lockstep card whose model thread is stopped: create it with SimCard.create({ lockstep: true }) and call step() outside withModelThread()');
    }
    return native.simStep(this.handle, passes);
  }

  /**
   * Lockstep cards: runs the model thread while `fn` (and the promise it returns) runs, then stops it
   * again. For control paths that wait on the model synchronously, e.g. a driver's open (reset, EEPROM,
   * link) and close (queue disable). On a threaded card it just runs `fn`.
   */
  async withModelThread<T>(fn: () => T | Promise<T>): Promise<T> {
    this.checkOpen();
    if (!this.lockstep || this.threadRunning) return await fn();
    native.simSetThread(this.handle, true);
    this.threadRunning = true;
    try {
      return await fn();
    } finally {
      if (!this.isClosed) native.simSetThread(this.handle, false);
      this.threadRunning = false;
    }
  }

  /** Closes both ports (freeing their DMA memory), stops the model thread, unmaps the registers. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    for (const p of this.ports) p?.close();
    native.simClose(this.handle);
    this.isClosed = true;
  }

  /** @internal */
  readCounters(index: 0 | 1): Float64Array {
    this.checkOpen();
    native.simReadCounters(this.handle, index, this.counterBuf);
    return this.counterBuf;
  }

  /** @internal */
  checkOpen(): void {
    if (this.isClosed) throw new TsnicError('ERR_DEVICE_CLOSED', 'this simulated card was closed: create a new SimCard');
  }
}

function noFaults(): SimFaults {
  return {
    resetNeverCompletes: false,
    eepromAutoReadNeverCompletes: false,
    badEepromChecksum: false,
    invalidMac: 'none',
    dmaInitNeverCompletes: false,
    linkNeverUp: false,
    linkDownForMs: 0,
    rxErrorEvery: 0,
    txPausedForMs: 0,
    delayNs: 0,
    maxRatePps: 0,
    queueFrames: 4096,
  };
}

/** MSI-X table size of an 82599 port (datasheet 9.3.8.2); the model signals vectors 0..15. */
const SIM_MSIX_VECTORS = 64;

/** PCI identity of the simulated function: an 82599ES SFP+ (8086:10fb). */
const VENDOR_ID = 0x8086;
const DEVICE_ID = 0x10fb;

/**
 * One port of a {@link SimCard} as a {@link PciFunction}: BAR0 is the port's register file, config
 * space is emulated (ids, command register with bus mastering, class 0x020000), DMA memory is host
 * memory registered with the card (IOVA = its virtual address).
 */
export class SimPort implements PciFunction {
  /** `sim:0` or `sim:1`. */
  readonly address: string;
  /** Always `'sim'`. */
  readonly backend = 'sim' as const;
  /** 0x8086. */
  readonly vendorId = VENDOR_ID;
  /** 0x10fb (82599ES SFP+). */
  readonly deviceId = DEVICE_ID;
  /** The port's register file. */
  readonly bar0: Uint32Array;
  /** Which port of the card. */
  readonly index: 0 | 1;
  private readonly card: SimCard;
  private readonly config = new Uint8Array(256);
  private readonly regions = new Set<DmaRegion>();
  private isClosed = false;
  private irqOn = false;

  /** @internal Use {@link SimCard.port} or {@link openSimPort}. */
  constructor(card: SimCard, index: 0 | 1, bar: ArrayBuffer, trace?: RegisterTrace) {
    this.card = card;
    this.index = index;
    this.address = `sim:${index}`;
    this.bar0 = trace === undefined ? new Uint32Array(bar) : trace.wrap(new Uint32Array(bar));
    const c = new DataView(this.config.buffer);
    c.setUint16(0x00, VENDOR_ID, true);
    c.setUint16(0x02, DEVICE_ID, true);
    c.setUint16(0x06, 0x0010, true);  // status: capabilities list
    c.setUint8(0x08, 0x01);  // revision
    c.setUint8(0x0b, 0x02);  // class: network controller, Ethernet (0x020000)
    c.setUint32(0x10, 0x0000000c, true);  // BAR0: 64-bit prefetchable memory
    c.setUint16(0x2c, VENDOR_ID, true);
    c.setUint16(0x2e, 0x0003, true);  // subsystem id
    c.setUint8(0x3d, 0x01);  // interrupt pin A
  }

  /** True once {@link close} ran. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Reads a 16-bit config space word. */
  readConfig16(offset: number): number {
    checkInteger('config offset', offset, 0, 254);
    return this.config[offset] | (this.config[offset + 1] << 8);
  }

  /** Reads a 32-bit config space dword. */
  readConfig32(offset: number): number {
    checkInteger('config offset', offset, 0, 252);
    return (this.readConfig16(offset) | (this.readConfig16(offset + 2) << 16)) >>> 0;
  }

  /** Writes a 16-bit config word; only the command register (0x04: memory space, bus master, ...) is writable. */
  writeConfig16(offset: number, value: number): void {
    checkInteger('config offset', offset, 0, 254);
    checkInteger('config value', value, 0, 0xffff);
    this.checkOpen();
    if (offset !== 0x04) return;
    const v = value & 0x0547;
    this.config[4] = v & 0xff;
    this.config[5] = v >> 8;
    native.simSetBusMaster(this.card.handle, this.index, (v & 0x4) !== 0);
  }

  /** Sets Bus Master Enable (command register bit 2) so the port may DMA. */
  enableBusMastering(): void {
    this.writeConfig16(0x04, this.readConfig16(0x04) | 0x0006);
  }

  /** Allocates zeroed host memory the card may DMA into; `iova` is its virtual address. */
  allocDma(size: number, options: DmaOptions = {}): DmaRegion {
    checkInteger('DMA size', size, 1, 2 ** 36);
    this.checkOpen();
    const policy = options.hugepages ?? 'prefer';
    if (!['prefer', 'require', 'never'].includes(policy)) {
      throw new TsnicError('ERR_INVALID_ARG', `hugepages must be prefer, require or never, got ${String(policy)}`);
    }
    let mem: HostMemory;
    if (policy === 'never') mem = hostNative.allocHostMemory(size, false);
    else {
      try {
        mem = hostNative.allocHostMemory(size, true);
      } catch (err) {
        // The simulator needs no hugepages: 'prefer' quietly falls back to ordinary pages.
        if (policy === 'require' || (err as { code?: string }).code !== 'ERR_HUGEPAGES_EXHAUSTED') throw err;
        mem = hostNative.allocHostMemory(size, false);
      }
    }
    try {
      native.simRegisterDma(this.card.handle, mem.bytes);
    } catch (err) {
      hostNative.freeHostMemory(mem.bytes);
      throw err;
    }
    const region: DmaRegion = { bytes: mem.bytes, iova: mem.address, size: mem.size, hugepages: mem.huge };
    this.regions.add(region);
    return region;
  }

  /** Revokes the card's access to `region` (waiting out any DMA in progress), then frees it. Idempotent. */
  freeDma(region: DmaRegion): void {
    if (!this.regions.delete(region)) return;
    if (!this.card.closed) native.simUnregisterDma(this.card.handle, region.bytes);
    hostNative.freeHostMemory(region.bytes);
  }

  /** True between {@link enableInterrupts} and {@link disableInterrupts}. */
  get interruptsEnabled(): boolean {
    return this.irqOn;
  }

  /** MSI-X with 64 vectors, as an 82599 port offers it (the model signals vectors 0..15: docs/simulator.md). */
  interruptOffers(): InterruptOffer[] {
    this.checkOpen();
    return [{ kind: 'msix', vectors: SIM_MSIX_VECTORS }];
  }

  /** Eventfds for MSI-X vectors 0..vectors-1, signalled by the model's interrupt unit, watched on the event loop. */
  enableInterrupts(kind: InterruptKind, vectors: number, onVector: (vector: number) => void): void {
    const k = checkInterruptArgs(kind, onVector);
    checkInteger('interrupt vectors', vectors, 1, SIM_MSIX_VECTORS);
    this.checkOpen();
    if (k !== 'msix') {
      throw new TsnicError('ERR_INTERRUPTS', `${this.address}: the simulated 82599 signals MSI-X only, not ${k}: enable 'msix'`);
    }
    native.simEnableIrqs(this.card.handle, this.index, vectors, onVector);
    this.irqOn = true;
  }

  /** INTx is not offered by the simulated port: always ERR_INTERRUPTS. */
  unmaskIntx(): void {
    throw new TsnicError('ERR_INTERRUPTS', `${this.address}: the simulated 82599 has no INTx line set up: it signals MSI-X only`);
  }

  /** Keeps the process alive through the eventfd watchers while `on`. */
  holdEventLoop(on: boolean): void {
    if (this.isClosed || !this.irqOn || this.card.closed) return;
    native.simIrqRef(this.card.handle, this.index, on);
  }

  /** The port stops signalling, watchers stopped, eventfds closed. Idempotent. */
  disableInterrupts(): void {
    if (!this.irqOn) return;
    this.irqOn = false;
    if (!this.card.closed) native.simDisableIrqs(this.card.handle, this.index);
  }

  /** Frees every DMA region still held and releases the port (the card stays; stop the device first). */
  close(): void {
    if (this.isClosed) return;
    this.disableInterrupts();
    for (const r of [...this.regions]) this.freeDma(r);
    if (!this.card.closed) native.simSetBusMaster(this.card.handle, this.index, false);
    this.config[4] = 0;
    this.config[5] = 0;
    this.isClosed = true;
  }

  private checkOpen(): void {
    if (this.isClosed) throw new TsnicError('ERR_DEVICE_CLOSED', `${this.address} was closed: open it again`);
    this.card.checkOpen();
  }
}

/** The built-in tester at the far end of a port (active while the port is wired to `'tester'`). */
export class SimTester {
  private readonly card: SimCard;
  private readonly index: 0 | 1;

  /** @internal Use {@link SimCard.tester}. */
  constructor(card: SimCard, index: 0 | 1) {
    this.card = card;
    this.index = index;
  }

  /**
   * Starts (or restarts, from sequence number 0) sending test frames into the port's rx. The generator
   * pauses while the link is down and resumes (without catching up) when it returns.
   */
  startGenerator(options: SimGeneratorOptions = {}): void {
    const frameSize = checkInteger('frameSize', options.frameSize ?? 60, 60, 9018);
    const ratePps = generatorRate(options.ratePps ?? 'line', frameSize);
    const count = checkInteger('count', options.count ?? 0, 0, Number.MAX_SAFE_INTEGER);
    const flows = checkInteger('flows', options.flows ?? 1, 1, MAX_FLOWS);
    this.card.checkOpen();
    native.simStartGenerator(this.card.handle, this.index, {
      ratePps,
      frameSize,
      count,
      flows,
      ...(options.srcMac === undefined ? {} : { srcMac: parseMac('srcMac', options.srcMac) }),
      ...(options.dstMac === undefined ? {} : { dstMac: parseMac('dstMac', options.dstMac) }),
    });
  }

  /** Stops the generator. */
  stopGenerator(): void {
    this.card.checkOpen();
    native.simStopGenerator(this.card.handle, this.index);
  }

  /** Counters since creation or {@link resetStats}. */
  stats(): SimTesterStats {
    const c = this.card.readCounters(this.index);
    return {
      txPackets: c[C.genPackets], txBytes: c[C.genBytes], rxPackets: c[C.chkPackets], rxBytes: c[C.chkBytes],
      seqGaps: c[C.chkSeqGaps], seqReordered: c[C.chkSeqReordered], badChecksums: c[C.chkBadChecksums],
      nonUdp: c[C.chkNonUdp], badFcs: c[C.chkBadFcs], generatorRunning: c[C.generatorRunning] !== 0,
    };
  }

  /** Zeroes the tester's and the port's model counters (and violations) and forgets the last sequence number. */
  resetStats(): void {
    this.card.checkOpen();
    native.simResetCounters(this.card.handle, this.index);
  }
}

/**
 * A `sim:` device spec: `sim:<port>` optionally followed by `,key=value` options that configure the
 * default card: `wiring=tester|loopback|cross|unplugged` (this port), `linkUpDelayMs=N`,
 * `rxErrorEvery=N` (the fault knob {@link SimFaults.rxErrorEvery}), for the tester
 * `rate=RATE|line|unpaced` (default line; RATE in tsnic's rate syntax, lib/apps/traffic/rate.ts:
 * `1000pps`, `1.5Mpps`, `5Gbps` on the wire, `50%` of line rate; a bare number is refused),
 * `frameSize=N`, `count=N`, `flows=N` (start the generator), and the device-under-test knobs of the
 * port's line ({@link SimFaults}): `delayNs=N`, `maxRate=RATE` (a packet rate), `queue=<frames>`.
 * Examples: `sim:0,wiring=tester,rate=line,frameSize=60`; `sim:0,wiring=cross,maxRate=500kpps,delayNs=10000`
 * (port 0 to port 1 through a device that forwards 500 kpps after 10 us).
 */
export interface SimSpec {
  /** The port. */
  port: 0 | 1;
  /** Wiring to apply to that port, if given. */
  wiring?: SimWiring;
  /** Link-up delay for the default card, if given (only when the card is created by this open). */
  linkUpDelayMs?: number;
  /** Generator to start on the port's tester, if `rate`, `frameSize` or `count` was given. */
  generator?: SimGeneratorOptions;
  /** Device-under-test knobs to set on the port, if `delayNs`, `maxRate` or `queue` was given. */
  faults?: Partial<Pick<SimFaults, 'delayNs' | 'maxRatePps' | 'queueFrames'>>;
  /** {@link SimFaults.rxErrorEvery} to set on the port, if given. */
  rxErrorEvery?: number;
}

/**
 * The `maxRate=` of a sim spec in frames per second: a packet rate in tsnic's rate syntax (`500pps`,
 * `50kpps`, `1.2Mpps`); a device forwards frames, so a bit rate or a share of line rate is refused.
 */
function deviceUnderTestRate(text: string): number {
  const rate = parseRate('maxRate', text);
  if (rate.unit !== 'pps') {
    throw new TsnicError('ERR_INVALID_ARG', `maxRate "${text}" must be a packet rate (the device forwards at most so many frames per second), e.g. 500pps, 50kpps or 1.2Mpps`);
  }
  return rate.value;
}

/** Parses a `sim:` device spec (see {@link SimSpec}); ERR_PCI_ADDRESS when malformed. */
export function parseSimSpec(spec: string): SimSpec {
  const m = /^sim:([01])((?:,[A-Za-z]+=[A-Za-z0-9.%]+)*)$/.exec(spec);
  if (m === null) {
    throw new TsnicError('ERR_PCI_ADDRESS', `"${spec}" is not a sim device: use sim:0 or sim:1, optionally with ,key=value options`);
  }
  const result: SimSpec = { port: m[1] === '0' ? 0 : 1 };
  const generator: SimGeneratorOptions = {};
  let hasGenerator = false;
  const faults: Partial<Pick<SimFaults, 'delayNs' | 'maxRatePps' | 'queueFrames'>> = {};
  let rateText: string | undefined;
  for (const kv of m[2].split(',').slice(1)) {
    const [key, value] = kv.split('=');
    const num = Number(value);
    switch (key) {
      case 'wiring':
        result.wiring = checkWiring(value);
        break;
      case 'linkUpDelayMs':
        result.linkUpDelayMs = checkInteger('linkUpDelayMs', num, 0, 60000);
        break;
      case 'rate':
        rateText = value;
        hasGenerator = true;
        break;
      case 'rxErrorEvery':
        result.rxErrorEvery = checkInteger('rxErrorEvery', num, 0, 0xffffffff);
        break;
      case 'flows':
        generator.flows = checkInteger('flows', num, 1, MAX_FLOWS);
        hasGenerator = true;
        break;
      case 'frameSize':
        generator.frameSize = checkInteger('frameSize', num, 60, 9018);
        hasGenerator = true;
        break;
      case 'count':
        generator.count = checkInteger('count', num, 0, Number.MAX_SAFE_INTEGER);
        hasGenerator = true;
        break;
      case 'delayNs':
        faults.delayNs = checkInteger('delayNs', num, 0, 1_000_000);
        break;
      case 'maxRate':
        faults.maxRatePps = deviceUnderTestRate(value);
        break;
      case 'queue':
        faults.queueFrames = checkInteger('queue', num, 1, 1_000_000);
        break;
      default:
        throw new TsnicError('ERR_PCI_ADDRESS', `unknown sim option "${key}" in "${spec}": use wiring, linkUpDelayMs, rxErrorEvery, rate, frameSize, count, flows, delayNs, maxRate or queue`);
    }
  }
  if (rateText === 'unpaced' || rateText === 'line') generator.ratePps = rateText;
  else if (rateText !== undefined) {
    // The generator's rate in frames per second: a bit rate or a share of line rate for its frame size.
    const rate = parseRate('rate', rateText);
    generator.ratePps = rate.unit === 'percent' && rate.value === 100 ? 'line' : ratePps(rate, generator.frameSize ?? 60, 10e9);
    // Refused now, not when the generator starts: no wire carries more than line rate.
    generatorRate(generator.ratePps, generator.frameSize ?? 60);
  }
  if (hasGenerator) result.generator = generator;
  if (Object.keys(faults).length > 0) result.faults = faults;
  return result;
}

let defaultCard: SimCard | undefined;

/** The process-wide default card behind `sim:0` / `sim:1`, created on first use with `options`. */
export function defaultSimCard(options: SimCardOptions = {}): SimCard {
  if (defaultCard === undefined || defaultCard.closed) {
    // Not closed at exit: devices opened on it are torn down by lib/lifecycle.ts, and the model
    // thread ends with the process.
    defaultCard = SimCard.create(options);
  }
  return defaultCard;
}

/**
 * Opens a port of the default card from a spec (`sim:0`, `sim:1`, with options: {@link SimSpec}).
 * `options` apply when this call creates the default card.
 */
export function openSimPort(spec: string, options: SimCardOptions = {}): SimPort {
  const parsed = parseSimSpec(spec);
  const card = defaultSimCard({
    ...options,
    ...(parsed.linkUpDelayMs === undefined ? {} : { linkUpDelayMs: parsed.linkUpDelayMs }),
  });
  if (parsed.wiring !== undefined) card.setWiring(parsed.port, parsed.wiring);
  if (parsed.faults !== undefined) card.setFaults(parsed.port, parsed.faults);
  if (parsed.rxErrorEvery !== undefined) card.setFaults(parsed.port, { rxErrorEvery: parsed.rxErrorEvery });
  const port = card.port(parsed.port);
  if (parsed.generator !== undefined) card.tester(parsed.port).startGenerator(parsed.generator);
  return port;
}

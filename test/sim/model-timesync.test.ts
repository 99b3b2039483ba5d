// The IEEE 1588 unit of the simulated 82599 driven by hand (datasheet 7.9): which frames TSYNCRXCTL's
// type selects (PTP over Layer 2 through an ETQF filter with its 1588 bit, over UDP through RXMTRL's
// port), the TS status bit in the advanced rx write-back of a timestamped frame only, and the MAC.TSTAMP
// descriptor bit on transmit.
import t from 'tap';
import { buildProbe } from '../../lib/apps/latency/probe';
import { fastCard, R, Regs, RxRing, startRx, testFrame, TxRing, waitFor } from './model-helpers';

const TS = {
  TSYNCRXCTL: 0x5188, RXSTMPH: 0x51a4, RXSATRH: 0x51a8, RXMTRL: 0x5120, TSYNCTXCTL: 0x8c00, TXSTMPL: 0x8c04, TXSTMPH: 0x8c08,
  TIMINCA: 0x8c14, ETQF: (n: number) => 0x5128 + 4 * n,
} as const;
const RX_STAT_TS = 1 << 16;

/** A PTP v2 message of type `messageType` over Layer 2 (EtherType 0x88F7), sequence id `seq`. */
function l2Ptp(messageType: number, seq: number): Uint8Array {
  const f = new Uint8Array(64);
  f.set([0x01, 0x1b, 0x19, 0, 0, 0, 0x02, 0, 0, 0, 0, 0x01, 0x88, 0xf7], 0);
  f[14] = messageType;
  f[15] = 2;
  f[14 + 30] = seq >> 8;
  f[14 + 31] = seq & 0xff;
  return f;
}

t.test('TSYNCRXCTL selects PTP frames by type; TS marks the timestamped frame\'s write-back only', async (t) => {
  const card = fastCard('loopback');
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  port.enableBusMastering();
  const tx = new TxRing(port, regs, 64);
  await tx.enable();
  const rx = new RxRing(port, regs, 64);
  await rx.enable();
  startRx(regs);
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  regs.set(TS.TIMINCA, (1 << 24) | 0xcccccc);
  regs.set(TS.ETQF(3), (0x80000000 | 0x40000000 | 0x88f7) >>> 0);
  regs.set(TS.RXMTRL, 319 << 16);
  const udpProbe = buildProbe(80, Uint8Array.from([2, 0, 0, 0, 0, 2]), Uint8Array.from([2, 0, 0, 0, 0, 1]));
  const send = async (frame: Uint8Array): Promise<number> => {
    tx.put(frame);
    tx.flush();
    const i = rx.next;
    await waitFor('the frame back', () => (rx.status(i) & 1) !== 0);
    const status = rx.status(i);
    rx.recycle(rx.harvest());
    return status;
  };
  const unlatch = (): void => void regs.get(TS.RXSTMPH);

  // Type 000b: PTP v2 over Layer 2 with messageType = RXMTRL bits 15:8 (0: Sync).
  regs.set(TS.TSYNCRXCTL, 0x10 | 0x0);
  t.equal((await send(testFrame(80, 1))) & RX_STAT_TS, 0, 'L2 V2: an ordinary UDP frame is not timestamped');
  t.equal((await send(udpProbe)) & RX_STAT_TS, 0, 'L2 V2: PTP over UDP is not timestamped');
  t.equal((await send(l2Ptp(1, 5))) & RX_STAT_TS, 0, 'L2 V2: a Delay_Req (type 1) is not the type RXMTRL selects');
  t.not((await send(l2Ptp(0, 6))) & RX_STAT_TS, 0, 'L2 V2: a Sync over EtherType 0x88F7 (ETQF filter 3, 1588 bit) carries TS');
  t.equal(regs.get(TS.RXSATRH) >>> 16, 6, 'RXSATRH bits 31:16: its sequence id');
  unlatch();
  regs.set(TS.ETQF(3), 0);
  t.equal((await send(l2Ptp(0, 7))) & RX_STAT_TS, 0, 'without the ETQF filter, EtherType 0x88F7 is not PTP to the port');
  regs.set(TS.ETQF(3), (0x80000000 | 0x40000000 | 0x88f7) >>> 0);

  // Type 101b: every V2 event message (types 0..3), Layer 2 and UDP to RXMTRL's port.
  regs.set(TS.TSYNCRXCTL, 0x10 | 0xa);
  t.not((await send(udpProbe)) & RX_STAT_TS, 0, 'event V2: a Sync over UDP port 319 carries TS');
  t.equal((await send(l2Ptp(1, 8))) & RX_STAT_TS, 0, 'while the latch is held, the next event message is not timestamped');
  unlatch();
  t.not((await send(l2Ptp(1, 9))) & RX_STAT_TS, 0, 'event V2: a Delay_Req over Layer 2 carries TS once the latch is free');
  unlatch();
  t.equal((await send(l2Ptp(8, 10))) & RX_STAT_TS, 0, 'event V2: a Follow_Up (type 8, general message) is not timestamped');
  regs.set(TS.RXMTRL, 320 << 16);
  t.equal((await send(udpProbe)) & RX_STAT_TS, 0, 'UDP to a port other than RXMTRL bits 31:16 is not PTP to the port');

  // Transmit: MAC.TSTAMP (dword 2 bit 19) with TSYNCTXCTL.EN.
  regs.set(TS.TSYNCTXCTL, 0x10);
  const last = tx.put(testFrame(80, 2));
  tx.desc[last * 4 + 2] |= 1 << 19;
  tx.flush();
  await waitFor('TSYNCTXCTL.VALID', () => (regs.get(TS.TSYNCTXCTL) & 1) !== 0);
  rx.recycle(rx.harvest());
  t.equal(card.counters(0).txTimestamps, 1, 'the marked frame was timestamped');
  void regs.get(TS.TXSTMPL);
  void regs.get(TS.TXSTMPH);
  t.equal(regs.get(TS.TSYNCTXCTL) & 1, 0, 'TXSTMPH read: VALID clear');
  regs.set(TS.TSYNCTXCTL, 0);
  const again = tx.put(testFrame(80, 3));
  tx.desc[again * 4 + 2] |= 1 << 19;
  tx.flush();
  await waitFor('sent', () => tx.done(again));
  t.equal(card.counters(0).txTimestamps, 1, 'TSYNCTXCTL.EN clear: MAC.TSTAMP is ignored');
  tx.free();
  rx.free();
});

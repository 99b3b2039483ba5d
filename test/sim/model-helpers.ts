/**
 * Helpers for the register-level tests of the simulated 82599 (test/sim/model-*.test.ts): they drive
 * the registers by hand, the way a driver written from the datasheet would, without the ixgbe driver.
 */
import { SimCard, type SimPort } from '../../lib/bus/sim';
import type { DmaRegion } from '../../lib/bus/types';

/** Register offsets used by the tests (82599 datasheet 8.2.3). */
export const R = {
  CTRL: 0x0, STATUS: 0x8, EICR: 0x800, EIMS: 0x880, EIMC: 0x888, EEC: 0x10010, EERD: 0x10014,
  RDRXCTL: 0x2f00, RXCTRL: 0x3000, FCTRL: 0x5080, HLREG0: 0x4240, MAXFRS: 0x4268, AUTOC: 0x42a0,
  LINKS: 0x42a4, DMATXCTL: 0x4a80, RAL0: 0xa200, RAH0: 0xa204, CRCERRS: 0x4000, GPRC: 0x4074,
  GPTC: 0x4080, GORCL: 0x4088, GORCH: 0x408c, GOTCL: 0x4090, GOTCH: 0x4094, MPC0: 0x3fa0,
  CTRL_EXT: 0x18, RXPBSIZE0: 0x3c00, TXPBSIZE0: 0xcc00, RTTDCS: 0x4900, DTXMXSZRQ: 0x8100, MRQC: 0x5818,
  SECRXCTRL: 0x8d00, SECRXSTAT: 0x8d04,
  RAL: (n: number) => 0xa200 + 8 * n,
  RAL_ALIAS: (n: number) => 0x5400 + 8 * n,
  DCA_RXCTRL: (q: number) => 0x100c + 0x40 * q,
  DCA_RXCTRL_ALIAS: (q: number) => 0x2200 + 4 * q,
  DCA_TXCTRL: (q: number) => 0x600c + 0x40 * q,
  RSSRK: (i: number) => 0x5c80 + 4 * i,
  RETA: (i: number) => 0x5c00 + 4 * i,
  RDBAL: (q: number) => 0x1000 + 0x40 * q,
  SRRCTL: (q: number) => 0x2100 + 4 * q,
  TDBAL: (q: number) => 0x6000 + 0x40 * q,
} as const;

/** Queue register offsets from RDBAL(n) / TDBAL(n). */
export const Q = { BAH: 0x4, LEN: 0x8, H: 0x10, T: 0x18, DCTL: 0x28 } as const;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `cond` every millisecond; throws after `timeoutMs`. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

/**
 * Waits until the model thread has run a whole pass after this call: two EEPROM reads through EERD
 * one after the other (the model serves EERD once per pass, before it looks at the queue registers).
 * Without strict tails, RXDCTL/TXDCTL sit on untrapped pages, so the model sees a write to them only at
 * its next pass; reading ENABLE back right after writing it returns the write itself (docs/simulator.md).
 */
export async function modelPass(regs: Regs): Promise<void> {
  for (let i = 0; i < 2; i++) {
    regs.set(R.EERD, 1);
    await waitFor('EERD.DONE (a model pass)', () => (regs.get(R.EERD) & 2) !== 0);
  }
}

/** Register access on a port's BAR0. */
export class Regs {
  constructor(readonly bar0: Uint32Array) {}
  get(off: number): number {
    return this.bar0[off >>> 2];
  }
  set(off: number, v: number): void {
    this.bar0[off >>> 2] = v >>> 0;
  }
}

/** A card with short delays for fast tests; `strictTails` pins that mode (unset: the environment decides, SimCardOptions). */
export function fastCard(wiring: 'tester' | 'loopback' | 'cross' | 'unplugged' = 'tester', strictTails?: boolean): SimCard {
  return SimCard.create({ wiring, linkUpDelayMs: 2, resetDelayMs: 1, strictTails });
}

/** PCIe master disable (5.2.5.3.2): CTRL.GIO_DIS, then wait for STATUS.GIO_MASTER_ENABLE to clear. */
export async function disableMaster(regs: Regs): Promise<void> {
  regs.set(R.CTRL, regs.get(R.CTRL) | (1 << 2));
  await waitFor('STATUS.GIO_MASTER_ENABLE to clear', () => (regs.get(R.STATUS) & (1 << 19)) === 0);
}

/** Resets the port (master disable, CTRL.RST) and waits for reset, EEPROM auto-read and DMA init. */
export async function resetPort(regs: Regs): Promise<void> {
  await disableMaster(regs);
  regs.set(R.CTRL, regs.get(R.CTRL) | (1 << 26));
  await waitFor('CTRL.RST to clear', () => (regs.get(R.CTRL) & (1 << 26)) === 0);
  await waitFor('EEC.ARD', () => (regs.get(R.EEC) & (1 << 9)) !== 0);
  await waitFor('RDRXCTL.DMAIDONE', () => (regs.get(R.RDRXCTL) & (1 << 3)) !== 0);
}

/** A DMA address as the low and high 32-bit halves a descriptor or register pair holds. */
export function split(addr: number): [number, number] {
  return [addr % 2 ** 32, Math.floor(addr / 2 ** 32)];
}

/** An rx ring of `count` advanced descriptors, each with a `bufKiB` KiB buffer, as queue `q`. */
export class RxRing {
  readonly ring: DmaRegion;
  readonly bufs: DmaRegion;
  readonly desc: Uint32Array;
  readonly bytes: Uint8Array;
  next = 0;

  constructor(readonly port: SimPort, readonly regs: Regs, readonly count: number, readonly bufKiB = 2, readonly q = 0) {
    this.ring = port.allocDma(count * 16);
    this.bufs = port.allocDma(count * bufKiB * 1024);
    this.desc = new Uint32Array(this.ring.bytes);
    this.bytes = new Uint8Array(this.bufs.bytes);
    for (let i = 0; i < count; i++) this.arm(i);
    const b = R.RDBAL(q);
    const [lo, hi] = split(this.ring.iova);
    regs.set(b, lo);
    regs.set(b + Q.BAH, hi);
    regs.set(b + Q.LEN, count * 16);
    regs.set(R.SRRCTL(q), bufKiB | (1 << 25)); // advanced one-buffer descriptors
    regs.set(b + Q.H, 0);
    regs.set(b + Q.T, 0);
  }

  /** Writes the read format of descriptor i: buffer address, header address 0. */
  arm(i: number): void {
    const [lo, hi] = split(this.bufs.iova + i * this.bufKiB * 1024);
    this.desc[i * 4] = lo;
    this.desc[i * 4 + 1] = hi;
    this.desc[i * 4 + 2] = 0;
    this.desc[i * 4 + 3] = 0;
  }

  /** Enables the queue and hands `tail` descriptors to the card (default all but one). */
  async enable(tail = this.count - 1): Promise<void> {
    const b = R.RDBAL(this.q);
    // 4.6.7, last step: DCA_RXCTRL bit 12 (reserved, 1 after reset) cleared.
    this.regs.set(R.DCA_RXCTRL(this.q), this.regs.get(R.DCA_RXCTRL(this.q)) & ~(1 << 12));
    this.regs.set(b + Q.DCTL, 1 << 25);
    await modelPass(this.regs);
    await waitFor('RXDCTL.ENABLE', () => (this.regs.get(b + Q.DCTL) & (1 << 25)) !== 0);
    this.regs.set(b + Q.T, tail);
  }

  status(i: number): number {
    return this.desc[i * 4 + 2];
  }
  length(i: number): number {
    return this.desc[i * 4 + 3] & 0xffff;
  }
  buffer(i: number, len: number): Uint8Array {
    const off = i * this.bufKiB * 1024;
    return this.bytes.subarray(off, off + len);
  }

  /** Collects completed descriptors (DD) from `next`, re-arms them and returns their indexes. */
  harvest(): number[] {
    const done: number[] = [];
    while ((this.status(this.next) & 1) !== 0 && done.length < this.count) {
      done.push(this.next);
      this.next = (this.next + 1) % this.count;
    }
    return done;
  }

  /** Re-arms descriptors and hands them back by moving the tail behind `next`. */
  recycle(indexes: number[]): void {
    for (const i of indexes) this.arm(i);
    this.regs.set(R.RDBAL(this.q) + Q.T, (this.next + this.count - 1) % this.count);
  }

  free(): void {
    this.port.freeDma(this.ring);
    this.port.freeDma(this.bufs);
  }
}

/** A tx ring of `count` descriptors with one 16 KiB buffer per descriptor, as queue `q`. */
export class TxRing {
  readonly ring: DmaRegion;
  readonly bufs: DmaRegion;
  readonly desc: Uint32Array;
  readonly bytes: Uint8Array;
  tail = 0;

  constructor(readonly port: SimPort, readonly regs: Regs, readonly count: number, readonly q = 0) {
    this.ring = port.allocDma(count * 16);
    this.bufs = port.allocDma(count * 16384);
    this.desc = new Uint32Array(this.ring.bytes);
    this.bytes = new Uint8Array(this.bufs.bytes);
    const b = R.TDBAL(q);
    const [lo, hi] = split(this.ring.iova);
    regs.set(b, lo);
    regs.set(b + Q.BAH, hi);
    regs.set(b + Q.LEN, count * 16);
    regs.set(b + Q.H, 0);
    regs.set(b + Q.T, 0);
  }

  async enable(): Promise<void> {
    this.regs.set(R.DMATXCTL, 1);
    const b = R.TDBAL(this.q);
    this.regs.set(b + Q.DCTL, 1 << 25);
    await modelPass(this.regs);
    await waitFor('TXDCTL.ENABLE', () => (this.regs.get(b + Q.DCTL) & (1 << 25)) !== 0);
  }

  /**
   * Queues `frame` as advanced data descriptors of at most `segment` bytes each (EOP on the last,
   * IFCS, RS on the last). Does not write the tail. Returns the index of the last descriptor.
   */
  put(frame: Uint8Array, segment = 16384): number {
    let last = 0;
    for (let off = 0; off < frame.length; off += segment) {
      const len = Math.min(segment, frame.length - off);
      const i = this.tail;
      this.bytes.set(frame.subarray(off, off + len), i * 16384);
      const [lo, hi] = split(this.bufs.iova + i * 16384);
      const eop = off + len >= frame.length;
      this.desc[i * 4] = lo;
      this.desc[i * 4 + 1] = hi;
      // DTALEN | DTYP data (0011) | DCMD: DEXT, IFCS, EOP and RS on the last segment
      this.desc[i * 4 + 2] = (len | (0x3 << 20) | (1 << 29) | (1 << 25) | (eop ? (1 << 24) | (1 << 27) : 0)) >>> 0;
      this.desc[i * 4 + 3] = (frame.length << 14) >>> 0; // PAYLEN
      last = i;
      this.tail = (this.tail + 1) % this.count;
    }
    return last;
  }

  /** Hands the queued descriptors to the card. */
  flush(): void {
    this.regs.set(R.TDBAL(this.q) + Q.T, this.tail);
  }

  done(i: number): boolean {
    return (this.desc[i * 4 + 3] & 1) !== 0;
  }

  free(): void {
    this.port.freeDma(this.ring);
    this.port.freeDma(this.bufs);
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks until `cond` holds (polling every 0.1 ms), for the synchronous helpers; throws after `timeoutMs`. */
export function spinFor(what: string, cond: () => boolean, timeoutMs = 2000): void {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    Atomics.wait(sleepCell, 0, 0, 0.1);
  }
}

/**
 * Writes RXCTRL inside the 82599 Rx-enable handshake (Linux ixgbe_enable_rx_dma_82599): SECRXCTRL.RX_DIS,
 * wait for SECRXSTAT.SECRX_RDY, RXCTRL, RX_DIS cleared again.
 */
export function writeRxctrl(regs: Regs, value: number): void {
  regs.set(R.SECRXCTRL, regs.get(R.SECRXCTRL) | 2);
  spinFor('SECRXSTAT.SECRX_RDY', () => (regs.get(R.SECRXSTAT) & 1) !== 0);
  regs.set(R.RXCTRL, value);
  regs.set(R.SECRXCTRL, regs.get(R.SECRXCTRL) & ~2);
}

/**
 * Sets CTRL_EXT.NS_DIS (4.6.7, last step), then enables promiscuous + broadcast receive and RXEN
 * (FCTRL before RXEN, datasheet 8.2.3.7.1), with RDRXCTL.CRCSTRIP set like HLREG0.RXCRCSTRP (8.2.3.8.8)
 * and the Rx-enable handshake.
 */
export function startRx(regs: Regs): void {
  regs.set(R.CTRL_EXT, regs.get(R.CTRL_EXT) | (1 << 16));
  regs.set(R.FCTRL, (1 << 8) | (1 << 9) | (1 << 10));
  const strip = regs.get(R.HLREG0) & 2;
  regs.set(R.RDRXCTL, (regs.get(R.RDRXCTL) & ~2) | strip);
  writeRxctrl(regs, 1);
}

function sum16(bytes: Uint8Array, start: number, end: number, init: number): number {
  let sum = init;
  for (let i = start; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if ((end - start) % 2 === 1) sum += bytes[end - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * Builds an IPv4/UDP test frame of `size` bytes (no FCS) carrying `seq` at offset 42, independently of
 * the model (the layout documented in lib/bus/sim.ts).
 */
export function testFrame(size: number, seq: number, corruptUdp = false): Uint8Array {
  const f = new Uint8Array(size);
  for (let i = 0; i < size; i++) f[i] = i & 0xff;
  f.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00], 0);
  const ipLen = size - 14;
  f.set([0x45, 0, ipLen >> 8, ipLen & 0xff, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
  const ipSum = ~sum16(f, 14, 34, 0) & 0xffff;
  f[24] = ipSum >> 8;
  f[25] = ipSum & 0xff;
  const udpLen = size - 34;
  f.set([0x04, 0x00, 0x04, 0x00, udpLen >> 8, udpLen & 0xff, 0, 0, seq >>> 24, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff], 34);
  let udpSum = ~sum16(f, 34, size, sum16(f, 26, 34, 17 + udpLen)) & 0xffff;
  if (udpSum === 0) udpSum = 0xffff;
  if (corruptUdp) udpSum ^= 0x0101;
  f[40] = udpSum >> 8;
  f[41] = udpSum & 0xff;
  return f;
}

/** Verifies the IPv4 header and UDP checksums of a frame; returns the sequence number at offset 42. */
export function verifyFrame(f: Uint8Array): { ipOk: boolean; udpOk: boolean; seq: number } {
  const udpLen = (f[38] << 8) | f[39];
  return {
    ipOk: sum16(f, 14, 34, 0) === 0xffff,
    udpOk: sum16(f, 34, 34 + udpLen, sum16(f, 26, 34, 17 + udpLen)) === 0xffff,
    seq: ((f[42] << 24) | (f[43] << 16) | (f[44] << 8) | f[45]) >>> 0,
  };
}

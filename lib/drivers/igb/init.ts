/**
 * The 82576 bring-up and shut-down sequences as register steps, in the order of the datasheet's
 * section 4.5 ("Software Initialization and Diagnostics"), with Linux igb's e1000_reset_hw_82575 and
 * igb_configure as the reference for details the datasheet leaves open. {@link IgbDevice} calls them
 * in that order and owns the memory; nothing here allocates.
 */
import type { LinkStatus } from '../../device';
import { TsnicError } from '../../errors';
import type { RingPlacement } from '../common/queue-memory';
import { clearFlags, get, pause, set, setFlags, waitClear, waitSet } from '../ixgbe/regs';
import {
  ALL_CAUSES, CTRL, EECD, MDIC, MRQC_RSS_IPV4, PHY_ADDRESS, PHY_CONTROL, PHY_CTRL, QUEUE_ENABLE, RCTL, REG, RETA_ENTRIES,
  RXCSUM_PCSD, RXDCTL_THRESH, SRRCTL, STATUS, TCTL, TCTL_COLD, TCTL_CT, TXDCTL_THRESH, rdbah, rdbal, rdh, rdlen, rdt,
  rxdctl, srrctl, tdbah, tdbal, tdh, tdlen, tdt, txdctl,
} from './registers';

/** How long pending master requests may take to drain before a reset (Linux: 800 x 100 us). */
export const MASTER_DISABLE_TIMEOUT_MS = 80;
/** Linux igb waits 10 ms after stopping rx/tx before it resets the MAC. */
export const PRE_RESET_MS = 10;
/** How long CTRL.RST may take to self-clear. */
export const RESET_TIMEOUT_MS = 1000;
/** How long EECD.AUTO_RD may take after a reset (Linux's e1000_get_auto_rd_done: 10 ms). */
export const AUTO_READ_TIMEOUT_MS = 10;
/** How long a queue's ENABLE bit may take to read back as written. */
export const QUEUE_TIMEOUT_MS = 1000;
/** How long one MDIC access to the PHY may take. */
export const MDIC_TIMEOUT_MS = 100;

const TWO_POW_32 = 4294967296;

/** 4.5.4: mask every interrupt cause, legacy and extended (this driver polls), and clear what is latched. */
export function disableInterrupts(bar0: Uint32Array): void {
  set(bar0, REG.IMC, ALL_CAUSES);
  set(bar0, REG.EIMC, ALL_CAUSES);
  get(bar0, REG.ICR);
  get(bar0, REG.EICR);
}

/**
 * 4.5.5: global reset. First the device stops starting DMA (CTRL.GIO_MASTER_DISABLE, then
 * STATUS.GIO_MASTER_ENABLE clears, 5.2.3.3), interrupts go off, receive and transmit stop; after
 * 10 ms CTRL.RST, which self-clears; interrupts are masked again (the reset restored the defaults).
 */
export function resetDevice(bar0: Uint32Array, address: string): void {
  setFlags(bar0, REG.CTRL, CTRL.GIO_MASTER_DISABLE);
  // Linux resets anyway when master requests do not drain in time: the reset stops them.
  settles(bar0, REG.STATUS, STATUS.GIO_MASTER_ENABLE, 0, MASTER_DISABLE_TIMEOUT_MS);
  disableInterrupts(bar0);
  set(bar0, REG.RCTL, 0);
  set(bar0, REG.TCTL, TCTL.PSP);
  pause(PRE_RESET_MS);
  setFlags(bar0, REG.CTRL, CTRL.RST);
  waitClear(bar0, REG.CTRL, CTRL.RST, RESET_TIMEOUT_MS, {
    code: 'ERR_RESET_TIMEOUT',
    message: `${address}: CTRL.RST did not self-clear within ${RESET_TIMEOUT_MS} ms: the NIC is hung; reset it ` +
      '(echo 1 > /sys/bus/pci/devices/<address>/reset, or remove and rescan it) or power-cycle the machine',
  });
  pause(1);
  disableInterrupts(bar0);
}

/**
 * 4.5.5: after the reset the hardware reads the EEPROM (EECD.AUTO_RD). An EEPROM that is not there at
 * all (EECD.PRES clear) is an error; an auto-read that does not report done within 10 ms is not
 * (Linux igb goes on too, and QEMU's 82576 never sets AUTO_RD): the EERD reads and the checksum
 * that follow show whether the EEPROM answers.
 */
export function waitEepromAutoRead(bar0: Uint32Array, address: string): void {
  if ((get(bar0, REG.EECD) & EECD.PRES) === 0) {
    throw new TsnicError(
      'ERR_EEPROM_TIMEOUT',
      `${address}: no EEPROM (EECD.PRES is clear): the board cannot provide its MAC address; check or reflash the board`,
    );
  }
  settles(bar0, REG.EECD, EECD.AUTO_RD, EECD.AUTO_RD, AUTO_READ_TIMEOUT_MS);
}

/** Polls until `(reg & mask) === want` for at most `timeoutMs`; returns whether it got there. */
function settles(bar0: Uint32Array, offset: number, mask: number, want: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  while ((get(bar0, offset) & mask) >>> 0 !== want) {
    if (Date.now() > deadline) return false;
    pause(0.1);
  }
  return true;
}

/** The station address in RAL(0)/RAH(0) (8.10.14-15: byte 0 lowest). */
export function readMacBytes(bar0: Uint32Array): Uint8Array {
  const ral = get(bar0, REG.RAL0);
  const rah = get(bar0, REG.RAH0);
  return Uint8Array.of(ral & 0xff, (ral >>> 8) & 0xff, (ral >>> 16) & 0xff, ral >>> 24, rah & 0xff, (rah >>> 8) & 0xff);
}

function mdicWait(bar0: Uint32Array, address: string): number {
  const deadline = Date.now() + MDIC_TIMEOUT_MS;
  let v = get(bar0, REG.MDIC);
  while ((v & MDIC.READY) === 0) {
    if (Date.now() > deadline) {
      throw new TsnicError('ERR_RESET_TIMEOUT', `${address}: the PHY did not answer on MDIC within ${MDIC_TIMEOUT_MS} ms: reset the NIC and open it again`);
    }
    v = get(bar0, REG.MDIC);
  }
  if ((v & MDIC.ERROR) !== 0) {
    throw new TsnicError('ERR_RESET_TIMEOUT', `${address}: the PHY reported an MDIC error: reset the NIC and open it again`);
  }
  return v;
}

/** Reads PHY register `reg` through MDIC (8.2.5). */
export function readPhy(bar0: Uint32Array, address: string, reg: number): number {
  set(bar0, REG.MDIC, (reg << MDIC.REG_SHIFT) | (PHY_ADDRESS << MDIC.PHY_SHIFT) | MDIC.OP_READ);
  return mdicWait(bar0, address) & 0xffff;
}

/** Writes PHY register `reg` through MDIC (8.2.5). */
export function writePhy(bar0: Uint32Array, address: string, reg: number, value: number): void {
  set(bar0, REG.MDIC, (value & 0xffff) | (reg << MDIC.REG_SHIFT) | (PHY_ADDRESS << MDIC.PHY_SHIFT) | MDIC.OP_WRITE);
  mdicWait(bar0, address);
}

/**
 * 4.5.7 (copper link set-up): the MAC follows the PHY (CTRL.SLU, speed and duplex not forced), and
 * the PHY restarts auto-negotiation (its control register: AN enable and restart). The link comes up
 * when auto-negotiation completes (STATUS.LU; about 0.5 s on QEMU's model).
 */
export function initLink(bar0: Uint32Array, address: string): void {
  set(bar0, REG.CTRL, (get(bar0, REG.CTRL) | CTRL.SLU) & ~(CTRL.FRCSPD | CTRL.FRCDPLX));
  const control = readPhy(bar0, address, PHY_CONTROL);
  writePhy(bar0, address, PHY_CONTROL, control | PHY_CTRL.AUTONEG_ENABLE | PHY_CTRL.AUTONEG_RESTART);
}

/** Link state from STATUS (8.2.2: LU bit 1, speed bits 7:6). */
export function linkFromStatus(status: number): LinkStatus {
  if ((status & STATUS.LU) === 0) return { up: false, speedMbps: 0 };
  const speed = (status >>> STATUS.SPEED_SHIFT) & STATUS.SPEED_MASK;
  return { up: true, speedMbps: speed === 0 ? 10 : speed === 1 ? 100 : 1000 };
}

/**
 * 7.1.4.9 / 7.2.2.4: a ring's base (128-byte aligned) and length (a multiple of 128 bytes) into the
 * queue's BAL/BAH/LEN registers, head and tail at 0: empty for now.
 */
function placeRing(bar0: Uint32Array, ring: RingPlacement, bal: number, bah: number, len: number, head: number, tail: number): void {
  set(bar0, bal, ring.iova >>> 0);
  set(bar0, bah, Math.floor(ring.iova / TWO_POW_32));
  set(bar0, len, ring.size * 16);
  set(bar0, head, 0);
  set(bar0, tail, 0);
}

/** A queue's ENABLE did not read back as written. */
function queueTimeout(address: string, what: string, q: number, state: string): { code: 'ERR_QUEUE_TIMEOUT'; message: string } {
  return {
    code: 'ERR_QUEUE_TIMEOUT',
    message: `${address}: ${what}(${q}).ENABLE did not read back ${state} within ${QUEUE_TIMEOUT_MS} ms: ` +
      'the queue is misconfigured or the NIC is hung; reset the NIC and open it again',
  };
}

/** Disables rx queue `q` and waits until the NIC says it stopped (8.10.10). */
export function disableRxQueue(bar0: Uint32Array, address: string, q: number): void {
  clearFlags(bar0, rxdctl(q), QUEUE_ENABLE);
  waitClear(bar0, rxdctl(q), QUEUE_ENABLE, QUEUE_TIMEOUT_MS, queueTimeout(address, 'RXDCTL', q, 'as clear'));
}

/** Disables tx queue `q` and waits until the NIC says it stopped (8.12.13). */
export function disableTxQueue(bar0: Uint32Array, address: string, q: number): void {
  clearFlags(bar0, txdctl(q), QUEUE_ENABLE);
  waitClear(bar0, txdctl(q), QUEUE_ENABLE, QUEUE_TIMEOUT_MS, queueTimeout(address, 'TXDCTL', q, 'as clear'));
}

/**
 * 4.5.9, receive initialisation up to the queues: receive off, station address kept, multicast table
 * cleared, RSS over the rx queues when there are several, and each queue's ring and buffer size with
 * the queue disabled (queue 0 is enabled by the reset and must be stopped before it is moved).
 */
export function initRx(bar0: Uint32Array, address: string, rings: readonly RingPlacement[], bufferSize: number): void {
  clearFlags(bar0, REG.RCTL, RCTL.EN);
  for (let i = 0; i < 128; i++) set(bar0, REG.MTA + 4 * i, 0);
  if (rings.length > 1) {
    // 7.1.2.8: RSS spreads IPv4 (and TCP/UDP over IPv4) flows over the queues through the 128-entry
    // redirection table; RXCSUM.PCSD must be set for the hash to be computed (8.10.12).
    for (let i = 0; i < RETA_ENTRIES; i += 4) {
      const entry = (k: number): number => (i + k) % rings.length;
      set(bar0, REG.RETA + i, entry(0) | (entry(1) << 8) | (entry(2) << 16) | (entry(3) << 24));
    }
    for (let i = 0; i < 10; i++) set(bar0, REG.RSSRK + 4 * i, RSS_KEY[i]);
    setFlags(bar0, REG.RXCSUM, RXCSUM_PCSD);
    set(bar0, REG.MRQC, MRQC_RSS_IPV4);
  } else {
    set(bar0, REG.MRQC, 0);
  }
  for (let q = 0; q < rings.length; q++) {
    disableRxQueue(bar0, address, q);
    placeRing(bar0, rings[q], rdbal(q), rdbah(q), rdlen(q), rdh(q), rdt(q));
    // 8.10.2: advanced one-buffer descriptors, buffer size in 1 KiB units, drop when no descriptor is free.
    set(bar0, srrctl(q), SRRCTL.DESCTYPE_ADV_ONEBUF | ((bufferSize >>> 10) & SRRCTL.BSIZEPACKET_MASK) | SRRCTL.DROP_EN);
  }
}

/** 4.5.9: enable rx queue `q` with its thresholds and wait for the enable bit (then the ring is filled). */
export function enableRxQueue(bar0: Uint32Array, address: string, q: number): void {
  set(bar0, rxdctl(q), RXDCTL_THRESH | QUEUE_ENABLE);
  waitSet(bar0, rxdctl(q), QUEUE_ENABLE, QUEUE_TIMEOUT_MS, queueTimeout(address, 'RXDCTL', q, 'as set'));
}

/** 4.5.9, last step: receive on, broadcast accepted, CRC stripped, no long frames; promiscuous if asked. */
export function startRx(bar0: Uint32Array, promiscuous: boolean): void {
  let rctl = RCTL.EN | RCTL.BAM | RCTL.SECRC;
  if (promiscuous) rctl |= RCTL.UPE | RCTL.MPE;
  set(bar0, REG.RCTL, rctl);
}

/** 4.5.10: transmit initialisation: each queue's ring with the queue disabled, then TCTL. */
export function initTx(bar0: Uint32Array, address: string, rings: readonly RingPlacement[]): void {
  for (let q = 0; q < rings.length; q++) {
    disableTxQueue(bar0, address, q);
    placeRing(bar0, rings[q], tdbal(q), tdbah(q), tdlen(q), tdh(q), tdt(q));
  }
  // 8.12.1: pad short frames, re-transmit on late collision, the full-duplex collision parameters.
  set(bar0, REG.TCTL, TCTL.EN | TCTL.PSP | TCTL.RTLC | (TCTL_CT << TCTL.CT_SHIFT) | (TCTL_COLD << TCTL.COLD_SHIFT));
}

/** 4.5.10: enable tx queue `q` with its thresholds and wait for the enable bit. */
export function enableTxQueue(bar0: Uint32Array, address: string, q: number): void {
  set(bar0, txdctl(q), TXDCTL_THRESH | QUEUE_ENABLE);
  waitSet(bar0, txdctl(q), QUEUE_ENABLE, QUEUE_TIMEOUT_MS, queueTimeout(address, 'TXDCTL', q, 'as set'));
}

/**
 * Stops all DMA and resets the NIC, so the memory it used can be freed: receive off and rx queues
 * disabled, tx queues disabled, transmit off, then the global reset of {@link resetDevice}.
 */
export function stopDevice(bar0: Uint32Array, address: string, rxQueues: number, txQueues: number): void {
  clearFlags(bar0, REG.RCTL, RCTL.EN);
  for (let q = 0; q < rxQueues; q++) disableRxQueue(bar0, address, q);
  for (let q = 0; q < txQueues; q++) disableTxQueue(bar0, address, q);
  clearFlags(bar0, REG.TCTL, TCTL.EN);
  resetDevice(bar0, address);
}

/** Turns unicast and multicast promiscuous receive on or off (RCTL.UPE/MPE, 8.10.1). */
export function setPromiscuousMode(bar0: Uint32Array, on: boolean): void {
  if (on) setFlags(bar0, REG.RCTL, RCTL.UPE | RCTL.MPE);
  else clearFlags(bar0, REG.RCTL, RCTL.UPE | RCTL.MPE);
}

/** The RSS hash key: the 40-byte key of Microsoft's RSS specification (used by Linux and DPDK too). */
const RSS_KEY = Uint32Array.of(
  0xda565a6d, 0xc20e5b25, 0x3d256741, 0xb08fa343, 0xcb2bcad0,
  0xb4307bae, 0xa32dcb77, 0x0cf23080, 0x3bb7426a, 0xfa01acbe,
);

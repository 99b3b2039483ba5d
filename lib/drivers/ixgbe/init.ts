/**
 * The 82599 bring-up and shut-down sequences as register steps, in the order of the datasheet's
 * section 4.6 ("Software Initialization and Diagnostics"). {@link IxgbeDevice} calls them in that order
 * and owns the memory; nothing here allocates.
 */
import type { LinkStatus } from '../../device';
import { TsnicError } from '../../errors';
import type { RingPlacement } from '../common/queue-memory';
import type { LinkSetup } from './ids';
import {
  AUTOC, CTRL, CTRL_EXT_NS_DIS, CTRL_RST_MASK, DCA_RXCTRL_RESERVED_12, DMATXCTL_TE, DTXMXSZRQ_MAX, EEC, EIMC_ALL, FCTRL,
  HLREG0, LINKS, MRQC, QUEUE_ENABLE, RAH_AV, RDRXCTL, REG, RTTDCS_ARBDIS, RXCSUM_PCSD, RXCTRL_RXEN, SECRXCTRL_RX_DIS,
  SECRXSTAT_SECRX_RDY, SRRCTL, STATUS_GIO, TXDCTL_SWFLSH, TXDCTL_THRESH, TXDCTL_THRESH_MASK,
  dcaRxctrl, rdbah, rdbal, rdh, rdlen, rdt, reta, rssrk, rxdctl, srrctl, tdbah, tdbal, tdh, tdlen, tdt, txdctl,
} from './registers';
import { clearFlags, get, pause, pollClear, set, setFlags, waitClear, waitSet } from './regs';

/** How long CTRL.RST may take to self-clear. */
export const RESET_TIMEOUT_MS = 1000;
/** Datasheet 4.6.3.2: wait at least 10 ms after the reset completes before touching the device. */
export const RESET_SETTLE_MS = 10;
/** How long EEC.ARD and RDRXCTL.DMAIDONE may take after a reset. */
export const AUTO_READ_TIMEOUT_MS = 1000;
/** How long a queue's ENABLE bit may take to read back as written. */
export const QUEUE_TIMEOUT_MS = 1000;
/**
 * How long to wait after writing a queue's ENABLE bit before reading it back: the bit reports the
 * queue's state, which the NIC changes some time after the write (Linux sleeps 1 to 2 ms before each
 * read of RXDCTL/TXDCTL when it enables or disables a queue).
 */
export const QUEUE_SETTLE_MS = 1;
/** How long PCIe master disable may take (Linux allows 800 polls of 100 us, 5.2.5.3.2). */
export const MASTER_DISABLE_TIMEOUT_MS = 80;
/** How long SECRXSTAT.SECRX_RDY may take once the rx data path is gated (Linux polls 40 x 1 ms). */
export const SECRX_TIMEOUT_MS = 40;
/** RSS spreads frames over at most 16 queues: RETA entries name queues 0..15 (7.1.2.8.2). */
export const MAX_RSS_QUEUES = 16;
/**
 * The RSS hash key: the 40-byte key of Microsoft's RSS specification, whose published verification
 * vectors make the hash checkable (7.1.2.8.1 takes any key).
 */
const RSS_KEY = Uint8Array.from([
  0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
  0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
]);

const TWO_POW_32 = 4294967296;

/** 4.6.3.1: mask every interrupt cause (this driver polls) and clear what is latched. */
export function disableInterrupts(bar0: Uint32Array): void {
  set(bar0, REG.EIMC, EIMC_ALL);
  get(bar0, REG.EICR);
}

/** 4.6.3.2: global reset (CTRL.RST | CTRL.LRST), wait for it to self-clear, then the settle time. */
export function globalReset(bar0: Uint32Array, address: string): void {
  setFlags(bar0, REG.CTRL, CTRL_RST_MASK);
  waitClear(bar0, REG.CTRL, CTRL_RST_MASK, RESET_TIMEOUT_MS, {
    code: 'ERR_RESET_TIMEOUT',
    message: `${address}: CTRL.RST did not self-clear within ${RESET_TIMEOUT_MS} ms of a global reset: the NIC is hung; ` +
      'reset it (echo 1 > /sys/bus/pci/devices/<address>/reset, or remove and rescan it) or power-cycle the machine',
  });
  pause(RESET_SETTLE_MS);
}

/**
 * 5.2.5.3.2, required before a software reset (4.6.3.2): stop issuing DMA (CTRL.GIO_DIS) and wait
 * until STATUS.GIO shows no request outstanding. A NIC that never gets there is reset anyway: the
 * reset itself ends its DMA (Linux does the same, with a second reset).
 */
export function disablePcieMaster(bar0: Uint32Array): void {
  setFlags(bar0, REG.CTRL, CTRL.GIO_DIS);
  pollClear(bar0, REG.STATUS, STATUS_GIO, MASTER_DISABLE_TIMEOUT_MS);
}

/** 4.6.3: interrupts off, PCIe master off, global reset, interrupts off again (the reset restored the defaults). */
export function resetDevice(bar0: Uint32Array, address: string): void {
  disableInterrupts(bar0);
  disablePcieMaster(bar0);
  globalReset(bar0, address);
  disableInterrupts(bar0);
}

/** 4.6.3: wait for the EEPROM auto-read (EEC.ARD), which also loads the MAC address into RAL/RAH(0). */
export function waitEepromAutoRead(bar0: Uint32Array, address: string): void {
  waitSet(bar0, REG.EEC, EEC.ARD, AUTO_READ_TIMEOUT_MS, {
    code: 'ERR_EEPROM_TIMEOUT',
    message: `${address}: EEPROM auto-read (EEC.ARD) not done ${AUTO_READ_TIMEOUT_MS} ms after reset: the EEPROM is ` +
      'missing or corrupt; check the board (or reflash it with the vendor tool) and retry',
  });
}

/** 4.6.3: wait for DMA initialization done (RDRXCTL.DMAIDONE). */
export function waitDmaInit(bar0: Uint32Array, address: string): void {
  waitSet(bar0, REG.RDRXCTL, RDRXCTL.DMAIDONE, AUTO_READ_TIMEOUT_MS, {
    code: 'ERR_DMA_INIT_TIMEOUT',
    message: `${address}: DMA initialization (RDRXCTL.DMAIDONE) not done ${AUTO_READ_TIMEOUT_MS} ms after reset: ` +
      'the NIC is not healthy; reset it or power-cycle the machine and retry',
  });
}

/** The station address in RAL(0)/RAH(0), as loaded from the EEPROM (8.2.3.7.8-9: byte 0 lowest). */
export function readMacBytes(bar0: Uint32Array): Uint8Array {
  const ral = get(bar0, REG.RAL0);
  const rah = get(bar0, REG.RAH0);
  return Uint8Array.of(ral & 0xff, (ral >>> 8) & 0xff, (ral >>> 16) & 0xff, ral >>> 24, rah & 0xff, (rah >>> 8) & 0xff);
}

/** Writes `mac` as entry 0 of the receive address table, marked valid. */
export function writeMacBytes(bar0: Uint32Array, mac: Uint8Array): void {
  set(bar0, REG.RAL0, mac[0] | (mac[1] << 8) | (mac[2] << 16) | (mac[3] << 24));
  set(bar0, REG.RAH0, mac[4] | (mac[5] << 8) | RAH_AV);
}

/** True when `mac` can be a station address: not all zeros and not a group (multicast) address. */
export function isUnicastMac(mac: Uint8Array): boolean {
  return (mac[0] & 1) === 0 && mac.some((b) => b !== 0);
}

/** `aa:bb:cc:dd:ee:ff`. */
export function formatMac(mac: Uint8Array): string {
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** 4.6.4: link set-up; SFP+ ports are put in 10 GbE serial mode, then auto-negotiation restarts. */
export function initLink(bar0: Uint32Array, setup: LinkSetup): void {
  if (setup === 'serial') set(bar0, REG.AUTOC, (get(bar0, REG.AUTOC) & ~AUTOC.LMS_MASK) | AUTOC.LMS_10G_SERIAL);
  setFlags(bar0, REG.AUTOC, AUTOC.AN_RESTART);
  // The datasheet waits for the link here; the device waits for it after starting the queues instead.
}

/** Link state from LINKS (8.2.3.22.20). */
export function linkFromLinks(links: number): LinkStatus {
  if ((links & LINKS.UP) === 0) return { up: false, speedMbps: 0 };
  const speed = (links >>> LINKS.SPEED_SHIFT) & LINKS.SPEED_MASK;
  return { up: true, speedMbps: speed === 3 ? 10_000 : speed === 2 ? 1000 : speed === 1 ? 100 : 0 };
}


/**
 * Turns receive on with the 82599's Rx-enable sequence, as Linux and DPDK do it on this chip: gate
 * the rx data path (SECRXCTRL.RX_DIS), wait until it is idle (SECRXSTAT.SECRX_RDY), set RXCTRL.RXEN,
 * open the gate again.
 */
export function enableRx(bar0: Uint32Array, address: string): void {
  setFlags(bar0, REG.SECRXCTRL, SECRXCTRL_RX_DIS);
  waitSet(bar0, REG.SECRXSTAT, SECRXSTAT_SECRX_RDY, SECRX_TIMEOUT_MS, {
    code: 'ERR_RX_ENABLE_TIMEOUT',
    message: `${address}: the rx data path did not report idle (SECRXSTAT.SECRX_RDY) within ${SECRX_TIMEOUT_MS} ms of ` +
      'SECRXCTRL.RX_DIS, so receive was left off: the NIC is hung; reset it and open it again',
  });
  setFlags(bar0, REG.RXCTRL, RXCTRL_RXEN);
  clearFlags(bar0, REG.SECRXCTRL, SECRXCTRL_RX_DIS);
}

/**
 * 7.1.2.8: RSS over `queues` rx queues: the hash key, a redirection table that deals its 128 entries
 * round robin over the queues, the hash reported in the write-back (RXCSUM.PCSD), and MRQC hashing
 * IPv4 addresses plus TCP and UDP ports.
 */
export function initRss(bar0: Uint32Array, queues: number): void {
  for (let i = 0; i < 10; i++) {
    const k = 4 * i;
    set(bar0, rssrk(i), RSS_KEY[k] | (RSS_KEY[k + 1] << 8) | (RSS_KEY[k + 2] << 16) | (RSS_KEY[k + 3] << 24));
  }
  for (let i = 0; i < 32; i++) {
    const e = 4 * i;
    set(bar0, reta(i), (e % queues) | (((e + 1) % queues) << 8) | (((e + 2) % queues) << 16) | (((e + 3) % queues) << 24));
  }
  setFlags(bar0, REG.RXCSUM, RXCSUM_PCSD);
  set(bar0, REG.MRQC, MRQC.RSS | MRQC.IPV4 | MRQC.TCP_IPV4 | MRQC.UDP_IPV4);
}

/** 4.6.7: receive initialisation, ending with receive enabled. The queues themselves start later. */
export function initRx(
  bar0: Uint32Array, address: string, rings: readonly RingPlacement[], bufferSize: number, promiscuous: boolean,
): void {
  // Receive stays off while it is configured. RXPBSIZE keeps its reset value: one 512 KiB packet
  // buffer (PB0) and no others, which is the set-up without DCB or virtualization (4.6.11.3.1).
  clearFlags(bar0, REG.RXCTRL, RXCTRL_RXEN);
  // 4.6.7 / 8.2.3.8.8: strip the CRC; HLREG0.RXCRCSTRP and RDRXCTL.CRCSTRIP must agree.
  setFlags(bar0, REG.HLREG0, HLREG0.RXCRCSTRP);
  setFlags(bar0, REG.RDRXCTL, RDRXCTL.CRCSTRIP);
  // 8.2.3.7.1: accept broadcast (and everything when promiscuous); FCTRL only changes while RXEN is 0.
  setFlags(bar0, REG.FCTRL, FCTRL.BAM);
  if (promiscuous) setFlags(bar0, REG.FCTRL, FCTRL.UPE | FCTRL.MPE);
  else clearFlags(bar0, REG.FCTRL, FCTRL.UPE | FCTRL.MPE);
  for (let q = 0; q < rings.length; q++) {
    // 4.6.7.1: advanced one-buffer descriptors, buffer size in 1 KiB units, drop when no descriptor
    // is free so one full queue cannot hold up the shared packet buffer.
    let s = get(bar0, srrctl(q)) & ~(SRRCTL.DESCTYPE_MASK | SRRCTL.BSIZEPACKET_MASK);
    s |= SRRCTL.DESCTYPE_ADV_ONEBUF | (bufferSize >>> 10) | SRRCTL.DROP_EN;
    set(bar0, srrctl(q), s);
    // 7.1.9: the ring, 128-byte aligned, its length a multiple of 128 bytes; empty for now.
    set(bar0, rdbal(q), rings[q].iova >>> 0);
    set(bar0, rdbah(q), Math.floor(rings[q].iova / TWO_POW_32));
    set(bar0, rdlen(q), rings[q].size * 16);
    set(bar0, rdh(q), 0);
    set(bar0, rdt(q), 0);
  }
  if (rings.length > 1) initRss(bar0, rings.length);
  // 4.6.7, last step: CTRL_EXT.NS_DIS set, and DCA_RXCTRL bit 12 (reserved, reads 1) cleared.
  setFlags(bar0, REG.CTRL_EXT, CTRL_EXT_NS_DIS);
  for (let q = 0; q < rings.length; q++) clearFlags(bar0, dcaRxctrl(q), DCA_RXCTRL_RESERVED_12);
  enableRx(bar0, address);
}

/** 4.6.8: transmit initialisation, ending with DMATXCTL.TE. The queues themselves start later. */
export function initTx(bar0: Uint32Array, rings: readonly RingPlacement[]): void {
  // Append the CRC and pad short frames to the Ethernet minimum.
  setFlags(bar0, REG.HLREG0, HLREG0.TXCRCEN | HLREG0.TXPADEN);
  // 4.6.11.3.4 (DCB off): with the descriptor arbiter disabled, lift the limit on outstanding
  // read requests, then enable the arbiter again. TXPBSIZE keeps its reset value (one 160 KiB buffer).
  setFlags(bar0, REG.RTTDCS, RTTDCS_ARBDIS);
  set(bar0, REG.DTXMXSZRQ, DTXMXSZRQ_MAX);
  clearFlags(bar0, REG.RTTDCS, RTTDCS_ARBDIS);
  for (let q = 0; q < rings.length; q++) {
    set(bar0, tdbal(q), rings[q].iova >>> 0);
    set(bar0, tdbah(q), Math.floor(rings[q].iova / TWO_POW_32));
    set(bar0, tdlen(q), rings[q].size * 16);
    // 7.2.3.4.1 / 7.2.3.5: prefetch, host and write-back thresholds (DPDK's values).
    set(bar0, txdctl(q), (get(bar0, txdctl(q)) & ~TXDCTL_THRESH_MASK) | TXDCTL_THRESH);
  }
  // 8.2.3.9.2: only TE changes; the register's other fields (the VLAN ethertype) keep their values.
  setFlags(bar0, REG.DMATXCTL, DMATXCTL_TE);
}

function queueTimeout(address: string, what: string, q: number, state: string): { code: 'ERR_QUEUE_TIMEOUT'; message: string } {
  return {
    code: 'ERR_QUEUE_TIMEOUT',
    message: `${address}: ${what}(${q}).ENABLE did not read back ${state} within ${QUEUE_TIMEOUT_MS} ms: ` +
      'the queue is misconfigured or the NIC is hung; reset the NIC and open it again',
  };
}

/** 4.6.7.1: enable rx queue `q` and wait for the enable bit (the ring is then filled and RDT moved). */
export function enableRxQueue(bar0: Uint32Array, address: string, q: number): void {
  setFlags(bar0, rxdctl(q), QUEUE_ENABLE);
  pause(QUEUE_SETTLE_MS);
  waitSet(bar0, rxdctl(q), QUEUE_ENABLE, QUEUE_TIMEOUT_MS, queueTimeout(address, 'RXDCTL', q, 'as set'));
}

/** 4.6.8.1: enable tx queue `q` (head and tail at 0: empty) and wait for the enable bit. */
export function enableTxQueue(bar0: Uint32Array, address: string, q: number): void {
  set(bar0, tdh(q), 0);
  set(bar0, tdt(q), 0);
  setFlags(bar0, txdctl(q), QUEUE_ENABLE);
  pause(QUEUE_SETTLE_MS);
  waitSet(bar0, txdctl(q), QUEUE_ENABLE, QUEUE_TIMEOUT_MS, queueTimeout(address, 'TXDCTL', q, 'as set'));
}

/**
 * Waits {@link QUEUE_SETTLE_MS}, then polls until `(reg & mask) === 0` or `timeoutMs` passed; true
 * when it cleared. Never throws.
 */
function settleClear(bar0: Uint32Array, offset: number, mask: number, timeoutMs: number): boolean {
  pause(QUEUE_SETTLE_MS);
  return pollClear(bar0, offset, mask, timeoutMs);
}

/**
 * Stops all DMA and resets the NIC, so the memory it used can be freed: receive off and rx queues
 * disabled (4.6.7.1.2), tx queues disabled with their write-backs flushed (4.6.8.2, TXDCTL.SWFLSH),
 * transmit off, then PCIe master disable and a global reset (4.6.3.2). The global reset always
 * happens: a queue that does not confirm its disable is stopped by the reset. With the link down a tx
 * queue cannot drain, so its disable is not waited for (as Linux does). Returns the queues that did
 * not confirm in time, for the caller to report; throws only when the reset itself fails (then the
 * NIC may still DMA, and its memory must stay mapped).
 */
export function stopDevice(bar0: Uint32Array, address: string, rxQueues: number, txQueues: number): string[] {
  const stuck: string[] = [];
  clearFlags(bar0, REG.RXCTRL, RXCTRL_RXEN);
  for (let q = 0; q < rxQueues; q++) {
    clearFlags(bar0, rxdctl(q), QUEUE_ENABLE);
    if (!settleClear(bar0, rxdctl(q), QUEUE_ENABLE, QUEUE_TIMEOUT_MS)) stuck.push(`RXDCTL(${q})`);
  }
  for (let q = 0; q < txQueues; q++) set(bar0, txdctl(q), TXDCTL_SWFLSH);
  if ((get(bar0, REG.LINKS) & LINKS.UP) !== 0) {
    for (let q = 0; q < txQueues; q++) {
      if (!settleClear(bar0, txdctl(q), QUEUE_ENABLE, QUEUE_TIMEOUT_MS)) stuck.push(`TXDCTL(${q})`);
    }
  }
  clearFlags(bar0, REG.DMATXCTL, DMATXCTL_TE);
  resetDevice(bar0, address);
  return stuck;
}

/**
 * Turns unicast and multicast promiscuous receive on or off. FCTRL may change only while receive is
 * off (8.2.3.7.1): receive is turned off, FCTRL written, and receive turned on again with the
 * Rx-enable sequence ({@link enableRx}) if it was on.
 */
export function setPromiscuousMode(bar0: Uint32Array, address: string, on: boolean): void {
  const wasOn = (get(bar0, REG.RXCTRL) & RXCTRL_RXEN) !== 0;
  if (wasOn) clearFlags(bar0, REG.RXCTRL, RXCTRL_RXEN);
  if (on) setFlags(bar0, REG.FCTRL, FCTRL.UPE | FCTRL.MPE);
  else clearFlags(bar0, REG.FCTRL, FCTRL.UPE | FCTRL.MPE);
  if (wasOn) enableRx(bar0, address);
}

/** ERR_INVALID_MAC for `mac`. */
export function invalidMacError(address: string, mac: Uint8Array): TsnicError {
  const kind = mac.every((b) => b === 0) ? 'all zeros' : 'a multicast (group) address';
  return new TsnicError(
    'ERR_INVALID_MAC',
    `${address}: the EEPROM's MAC address ${formatMac(mac)} is ${kind}, not a usable station address: ` +
      'reprogram the EEPROM with the vendor tool (Linux refuses such a NIC too)',
  );
}

/**
 * The 82599 registers and bits this driver programs, declared from the 82599 datasheet (section 8.2.3,
 * register descriptions; offsets cross-checked with Linux ixgbe_type.h and ixy). Offsets are byte
 * offsets into BAR0; per-queue registers are functions of the queue index (queues 0..63 only, the
 * 82599's 64 queues per direction in the non-virtualized mode this driver uses).
 */

/** Register offsets (82599 datasheet 8.2.3). */
export const REG = {
  /** Device Control (8.2.3.1.1). */
  CTRL: 0x00000,
  /** Device Status (8.2.3.1.2). */
  STATUS: 0x00008,
  /** Extended Device Control (8.2.3.1.3). */
  CTRL_EXT: 0x00018,
  /** Receive Checksum Control (8.2.3.7, receive filter registers). */
  RXCSUM: 0x05000,
  /** Multiple Receive Queues Command: RSS set-up (7.1.2.8). */
  MRQC: 0x05818,
  /**
   * Security Rx Control / Status: the gate of the rx data path that the 82599's Rx-enable sequence
   * closes around an RXCTRL write (Linux's and DPDK's enable_rx_dma for the 82599).
   */
  SECRXCTRL: 0x08d00,
  SECRXSTAT: 0x08d04,
  /** Extended Interrupt Cause (8.2.3.5.1). */
  EICR: 0x00800,
  /** Extended Interrupt Mask Set/Read (8.2.3.5.3). */
  EIMS: 0x00880,
  /** Extended Interrupt Mask Clear (8.2.3.5.4). */
  EIMC: 0x00888,
  /** Receive DMA Control (8.2.3.8.8). */
  RDRXCTL: 0x02f00,
  /** Receive Control (8.2.3.8.10). */
  RXCTRL: 0x03000,
  /** Rx Missed Packets Count of packet buffer 0 (RXMPC[0], 8.2.3.23.4). */
  RXMPC0: 0x03fa0,
  /** CRC Error Count (8.2.3.23.1). */
  CRCERRS: 0x04000,
  /** Good Packets Received Count (8.2.3.23.18). */
  GPRC: 0x04074,
  /** Good Packets Transmitted Count (8.2.3.23.22). */
  GPTC: 0x04080,
  /** Good Octets Received Count, low / high (8.2.3.23.19-20). */
  GORCL: 0x04088,
  GORCH: 0x0408c,
  /** Good Octets Transmitted Count, low / high (8.2.3.23.23-24). */
  GOTCL: 0x04090,
  GOTCH: 0x04094,
  /** MAC Core Control 0 (8.2.3.22.8). */
  HLREG0: 0x04240,
  /** Auto-Negotiation Control (8.2.3.22.19). */
  AUTOC: 0x042a0,
  /** Link Status (8.2.3.22.20). */
  LINKS: 0x042a4,
  /** DCB Transmit Descriptor Plane Control and Status (8.2.3.10.2). */
  RTTDCS: 0x04900,
  /** DMA Tx Control (8.2.3.9.2). */
  DMATXCTL: 0x04a80,
  /** Filter Control (8.2.3.7.1). */
  FCTRL: 0x05080,
  /** DMA Tx TCP Max Allow Size Requests (8.2.3.9.1). */
  DTXMXSZRQ: 0x08100,
  /** Receive Address Low / High of entry 0: the station address (8.2.3.7.8-9). */
  RAL0: 0x0a200,
  RAH0: 0x0a204,
  /** EEPROM/Flash Control (8.2.3.2.1). */
  EEC: 0x10010,
  /** EEPROM Read (8.2.3.2.2). */
  EERD: 0x10014,
} as const;

/** Receive Descriptor Base Address Low of queue `q` (8.2.3.8.1); the other rx queue registers follow. */
export function rdbal(q: number): number {
  return 0x01000 + 0x40 * q;
}
/** Receive Descriptor Base Address High (8.2.3.8.2). */
export function rdbah(q: number): number {
  return 0x01004 + 0x40 * q;
}
/** Receive Descriptor Length in bytes (8.2.3.8.3). */
export function rdlen(q: number): number {
  return 0x01008 + 0x40 * q;
}
/** Receive Descriptor Head (8.2.3.8.4). */
export function rdh(q: number): number {
  return 0x01010 + 0x40 * q;
}
/** Receive Descriptor Tail (8.2.3.8.5). */
export function rdt(q: number): number {
  return 0x01018 + 0x40 * q;
}
/** Receive Descriptor Control (8.2.3.8.6). */
export function rxdctl(q: number): number {
  return 0x01028 + 0x40 * q;
}
/** Split Receive Control (8.2.3.8.7): queues 0..15 at 0x2100 + 4q (also aliased in the queue block). */
export function srrctl(q: number): number {
  return q <= 15 ? 0x02100 + 4 * q : 0x01014 + 0x40 * q;
}
/** Rx DCA Control (8.2.3.11.1): queues 0..15 at 0x2200 + 4q. */
export function dcaRxctrl(q: number): number {
  return q <= 15 ? 0x02200 + 4 * q : 0x0100c + 0x40 * q;
}
/** Queue Packets Received Drop Count of queue `q` < 16 (8.2.3.23; clear on read): SRRCTL.DROP_EN drops. */
export function qprdc(q: number): number {
  return 0x01430 + 0x40 * q;
}
/** RSS Random Key word `i` of 10 (7.1.2.8.1): key byte 4i in bits 7:0. */
export function rssrk(i: number): number {
  return 0x05c80 + 4 * i;
}
/** Redirection Table word `i` of 32 (7.1.2.8.2): four one-byte entries, entry 4i in bits 7:0. */
export function reta(i: number): number {
  return 0x05c00 + 4 * i;
}
/** Transmit Descriptor Base Address Low of queue `q` (8.2.3.9.5). */
export function tdbal(q: number): number {
  return 0x06000 + 0x40 * q;
}
/** Transmit Descriptor Base Address High (8.2.3.9.6). */
export function tdbah(q: number): number {
  return 0x06004 + 0x40 * q;
}
/** Transmit Descriptor Length in bytes (8.2.3.9.7). */
export function tdlen(q: number): number {
  return 0x06008 + 0x40 * q;
}
/** Transmit Descriptor Head (8.2.3.9.8). */
export function tdh(q: number): number {
  return 0x06010 + 0x40 * q;
}
/** Transmit Descriptor Tail (8.2.3.9.9). */
export function tdt(q: number): number {
  return 0x06018 + 0x40 * q;
}
/** Transmit Descriptor Control (8.2.3.9.10). */
export function txdctl(q: number): number {
  return 0x06028 + 0x40 * q;
}

/** CTRL bits (8.2.3.1.1). */
export const CTRL = {
  /** PCIe master disable: stop issuing new DMA requests (5.2.5.3.2). */
  GIO_DIS: 1 << 2,
  /** Link reset (self-clearing). */
  LRST: 1 << 3,
  /** Device (global) reset (self-clearing). */
  RST: 1 << 26,
} as const;
/** Both reset bits: what a global reset sets and waits to clear (4.6.3.2). */
export const CTRL_RST_MASK = CTRL.LRST | CTRL.RST;

/** STATUS.GIO: PCIe master enable status, clear once master disable took effect (8.2.3.1.2). */
export const STATUS_GIO = 1 << 19;

/** SECRXCTRL.RX_DIS: gate the rx data path. */
export const SECRXCTRL_RX_DIS = 1 << 1;
/** SECRXSTAT.SECRX_RDY: the rx data path is gated and idle. */
export const SECRXSTAT_SECRX_RDY = 1 << 0;

/** RXCSUM.PCSD: report the RSS hash instead of the fragment checksum in rx write-back (7.1.6.2). */
export const RXCSUM_PCSD = 1 << 13;

/** MRQC fields (7.1.2.8). */
export const MRQC = {
  /** MRQE = 0001b: RSS only. */
  RSS: 0x1,
  /** Hash TCP/IPv4 4-tuples. */
  TCP_IPV4: 1 << 16,
  /** Hash IPv4 addresses (frames without a hashed L4 header). */
  IPV4: 1 << 17,
  /** Hash UDP/IPv4 4-tuples. */
  UDP_IPV4: 1 << 22,
} as const;

/** CTRL_EXT.NS_DIS: no-snoop disable (4.6.7, last step of rx init). */
export const CTRL_EXT_NS_DIS = 1 << 16;

/** Every interrupt cause in EIMC (bit 31 is reserved). */
export const EIMC_ALL = 0x7fffffff;

/** EEC bits (8.2.3.2.1). */
export const EEC = {
  /** EEPROM present. */
  PRES: 1 << 8,
  /** EEPROM auto-read done. */
  ARD: 1 << 9,
  /** Bits 14:11: EEPROM size, `1 << (SIZE + 6)` words. */
  SIZE_SHIFT: 11,
  SIZE_MASK: 0xf,
} as const;

/** RDRXCTL bits (8.2.3.8.8). */
export const RDRXCTL = {
  /** Strip the CRC (must match HLREG0.RXCRCSTRP). */
  CRCSTRIP: 1 << 1,
  /** DMA initialization done (read only). */
  DMAIDONE: 1 << 3,
} as const;

/** RXCTRL.RXEN: receive enable (8.2.3.8.10). */
export const RXCTRL_RXEN = 1 << 0;

/** FCTRL bits (8.2.3.7.1). */
export const FCTRL = {
  /** Multicast promiscuous. */
  MPE: 1 << 8,
  /** Unicast promiscuous. */
  UPE: 1 << 9,
  /** Accept broadcast. */
  BAM: 1 << 10,
} as const;

/** HLREG0 bits (8.2.3.22.8). */
export const HLREG0 = {
  /** Append the CRC on transmit. */
  TXCRCEN: 1 << 0,
  /** Strip the CRC on receive. */
  RXCRCSTRP: 1 << 1,
  /** Pad short transmit frames to 64 bytes. */
  TXPADEN: 1 << 10,
} as const;

/** AUTOC fields (8.2.3.22.19). */
export const AUTOC = {
  /** Restart auto-negotiation (self-clearing). */
  AN_RESTART: 1 << 12,
  /** Bits 15:13: link mode select. */
  LMS_MASK: 0x7 << 13,
  /** LMS = 011b: 10 GbE serial link (SFI, what SFP+ ports use). */
  LMS_10G_SERIAL: 0x3 << 13,
} as const;

/** LINKS fields (8.2.3.22.20). */
export const LINKS = {
  /** Link up. */
  UP: 1 << 30,
  /** Bits 29:28: speed, 01b 100 Mb/s, 10b 1 Gb/s, 11b 10 Gb/s. */
  SPEED_SHIFT: 28,
  SPEED_MASK: 0x3,
} as const;

/** RTTDCS.ARBDIS: disable the tx descriptor arbiter while configuring (8.2.3.10.2, 4.6.11.3.4). */
export const RTTDCS_ARBDIS = 1 << 6;

/** DTXMXSZRQ.MAX_BYTES_NUM_REQ (bits 11:0) at its maximum: no limit on outstanding tx reads (4.6.11.3.4). */
export const DTXMXSZRQ_MAX = 0xfff;

/** DMATXCTL.TE: transmit enable (8.2.3.9.2). */
export const DMATXCTL_TE = 1 << 0;

/** SRRCTL fields (8.2.3.8.7). */
export const SRRCTL = {
  /** Bits 4:0: receive buffer size in 1 KiB units. */
  BSIZEPACKET_MASK: 0x1f,
  /** Bits 27:25: descriptor type. */
  DESCTYPE_MASK: 0x7 << 25,
  /** DESCTYPE = 001b: advanced descriptors, one buffer. */
  DESCTYPE_ADV_ONEBUF: 0x1 << 25,
  /** Drop frames when the queue has no free descriptor instead of holding the packet buffer. */
  DROP_EN: 1 << 28,
} as const;

/** DCA_RXCTRL bit 12: reserved, initialised to 1 but must be cleared by software (4.6.7). */
export const DCA_RXCTRL_RESERVED_12 = 1 << 12;

/** RXDCTL.ENABLE / TXDCTL.ENABLE: queue enable (8.2.3.8.6, 8.2.3.9.10). */
export const QUEUE_ENABLE = 1 << 25;

/** TXDCTL.SWFLSH: flush the queue's pending write-backs while it is disabled (8.2.3.9.10). */
export const TXDCTL_SWFLSH = 1 << 26;

/** TXDCTL thresholds: PTHRESH bits 6:0, HTHRESH 14:8, WTHRESH 22:16 (8.2.3.9.10). */
export const TXDCTL_THRESH_MASK = 0x7f | (0x7f << 8) | (0x7f << 16);
/** Prefetch 36, host 8, write-back 4: DPDK's values, which ixy uses too (7.2.3.4.1, 7.2.3.5). */
export const TXDCTL_THRESH = 36 | (8 << 8) | (4 << 16);

/** RAH.AV: address valid (8.2.3.7.9). */
export const RAH_AV = 1 << 31;

/**
 * 82576 register offsets (BAR0, bytes) and the bits this driver uses, from the 82576 datasheet's
 * chapter 8 and Linux's igb e1000_regs.h / e1000_defines.h. Per-queue registers use the layout that
 * covers all 16 queues (0xC000 + 0x40 n for rx, 0xE000 + 0x40 n for tx; the 0x2800/0x3800 forms of
 * queues 0-3 are aliases).
 */

/** Global registers. */
export const REG = {
  CTRL: 0x0000,
  STATUS: 0x0008,
  EECD: 0x0010,
  EERD: 0x0014,
  CTRL_EXT: 0x0018,
  MDIC: 0x0020,
  ICR: 0x00c0,
  IMC: 0x00d8,
  RCTL: 0x0100,
  TCTL: 0x0400,
  RXCSUM: 0x5000,
  MTA: 0x5200,
  RAL0: 0x5400,
  RAH0: 0x5404,
  MRQC: 0x5818,
  RETA: 0x5c00,
  RSSRK: 0x5c80,
  EICR: 0x1580,
  EIMC: 0x1528,
  // Statistics (8.19), clear on read.
  CRCERRS: 0x4000,
  MPC: 0x4010,
  GPRC: 0x4074,
  GPTC: 0x4080,
  GORCL: 0x4088,
  GORCH: 0x408c,
  GOTCL: 0x4090,
  GOTCH: 0x4094,
  RNBC: 0x40a0,
} as const;

/** CTRL bits (8.2.1). */
export const CTRL = {
  /** Stop issuing new master (DMA) requests before a reset. */
  GIO_MASTER_DISABLE: 1 << 2,
  /** Set link up. */
  SLU: 1 << 6,
  /** Force speed / force duplex: cleared so the PHY's auto-negotiation decides. */
  FRCSPD: 1 << 11,
  FRCDPLX: 1 << 12,
  /** Device reset, self-clearing. */
  RST: 1 << 26,
} as const;

/** STATUS bits (8.2.2). */
export const STATUS = {
  /** Link up. */
  LU: 1 << 1,
  /** Speed, bits 7:6: 00 10 Mb/s, 01 100 Mb/s, 1x 1000 Mb/s. */
  SPEED_SHIFT: 6,
  SPEED_MASK: 0x3,
  /** The device still has master requests pending (cleared once CTRL.GIO_MASTER_DISABLE took effect). */
  GIO_MASTER_ENABLE: 1 << 19,
} as const;

/** EECD bits (8.2.3). */
export const EECD = {
  /** An EEPROM is present. */
  PRES: 1 << 8,
  /** The hardware finished reading the EEPROM after reset. */
  AUTO_RD: 1 << 9,
} as const;

/** MDIC fields (8.2.5): data 15:0, PHY register 20:16, PHY address 25:21, op 27:26, ready 28, error 30. */
export const MDIC = {
  REG_SHIFT: 16,
  PHY_SHIFT: 21,
  OP_WRITE: 1 << 26,
  OP_READ: 1 << 27,
  READY: 1 << 28,
  ERROR: 1 << 30,
} as const;

/** The internal PHY's MDIO address. */
export const PHY_ADDRESS = 1;

/** PHY control register (IEEE 802.3 clause 22, register 0) and its bits. */
export const PHY_CONTROL = 0;
export const PHY_CTRL = { AUTONEG_RESTART: 1 << 9, AUTONEG_ENABLE: 1 << 12 } as const;

/**
 * RCTL (8.10.1) and TCTL (8.12.1) keep the 8254x's bits on the 82576 (EN, UPE, MPE, LPE, BAM, SECRC;
 * EN, PSP, CT, COLD, RTLC), as do the collision threshold's value.
 */
export { RCTL, TCTL, TCTL_CT } from '../e1000/registers';
/** Full-duplex collision distance of the 82576 (Linux igb's E1000_COLLISION_DISTANCE). */
export const TCTL_COLD = 63;

/** RXCSUM.PCSD: the descriptor carries the RSS hash instead of the packet checksum (RSS needs it). */
export const RXCSUM_PCSD = 1 << 13;
/** MRQC: RSS on (MRQE 010b) hashing IPv4, IPv4/TCP and IPv4/UDP headers (8.10.13). */
export const MRQC_RSS_IPV4 = (0x2 | 0x00010000 | 0x00020000 | 0x00400000) >>> 0;
/** Entries of the RSS redirection table (32 registers of 4 one-byte entries). */
export const RETA_ENTRIES = 128;

/** SRRCTL fields (8.10.2). */
export const SRRCTL = {
  BSIZEPACKET_MASK: 0x7f,
  /** DESCTYPE 001b: advanced descriptors, one buffer. */
  DESCTYPE_ADV_ONEBUF: 1 << 25,
  DESCTYPE_MASK: 0x7 << 25,
  /** Drop frames when the queue has no free descriptor, so one full queue cannot block the others. */
  DROP_EN: 1 << 31,
} as const;

/** RXDCTL/TXDCTL.ENABLE (8.10.10, 8.12.13). */
export const QUEUE_ENABLE = 1 << 25;
/** RXDCTL thresholds: prefetch 8, host 8, write-back 1 (Linux igb's values when polling per queue). */
export const RXDCTL_THRESH = 8 | (8 << 8) | (1 << 16);
/** TXDCTL thresholds: prefetch 8, host 1, write-back 0 (each RS descriptor written back at once). */
export const TXDCTL_THRESH = 8 | (1 << 8);

/** Every interrupt cause. */
export const ALL_CAUSES = 0xffffffff;

/** Queues per direction without virtualization (82576 datasheet 1.3). */
export const MAX_QUEUES = 16;

/** The register at `base` of queue `q`: queue registers repeat every 0x40 bytes. */
const perQueue = (base: number) => (q: number): number => base + 0x40 * q;

/** Receive queue registers of queue `q` (8.10). */
export const rdbal = perQueue(0xc000);
export const rdbah = perQueue(0xc004);
export const rdlen = perQueue(0xc008);
export const srrctl = perQueue(0xc00c);
export const rdh = perQueue(0xc010);
export const rdt = perQueue(0xc018);
export const rxdctl = perQueue(0xc028);
/** Transmit queue registers of queue `q` (8.12). */
export const tdbal = perQueue(0xe000);
export const tdbah = perQueue(0xe004);
export const tdlen = perQueue(0xe008);
export const tdh = perQueue(0xe010);
export const tdt = perQueue(0xe018);
export const txdctl = perQueue(0xe028);

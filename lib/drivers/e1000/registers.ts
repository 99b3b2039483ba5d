/**
 * 8254x (82540EM / 82544GC / 82545EM) registers and bits the e1000 driver programs, from the "PCI/PCI-X
 * Family of Gigabit Ethernet Controllers Software Developer's Manual" (8254x SDM), section 13. Offsets
 * are bytes into BAR0; BAR0 is a Uint32Array, so register `off` is `bar0[off >>> 2]`.
 */

/** Register offsets (SDM 13.4, table 13-2). */
export const REG = {
  CTRL: 0x0000,
  STATUS: 0x0008,
  EERD: 0x0014,
  ICR: 0x00c0,
  IMC: 0x00d8,
  RCTL: 0x0100,
  TCTL: 0x0400,
  TIPG: 0x0410,
  RDBAL: 0x2800,
  RDBAH: 0x2804,
  RDLEN: 0x2808,
  RDH: 0x2810,
  RDT: 0x2818,
  RDTR: 0x2820,
  TDBAL: 0x3800,
  TDBAH: 0x3804,
  TDLEN: 0x3808,
  TDH: 0x3810,
  TDT: 0x3818,
  TIDV: 0x3820,
  MTA: 0x5200,
  RAL0: 0x5400,
  RAH0: 0x5404,
  // Statistics (SDM 13.7): clear on read.
  CRCERRS: 0x4000,
  MPC: 0x4010,
  GPRC: 0x4074,
  GPTC: 0x4080,
  GORCL: 0x4088,
  GORCH: 0x408c,
  GOTCL: 0x4090,
  GOTCH: 0x4094,
} as const;

/** Multicast table entries (SDM 13.5.1: 128 x 32 bits). */
export const MTA_ENTRIES = 128;

/** CTRL bits (SDM 13.4.1). */
export const CTRL = {
  LRST: 1 << 3,
  ASDE: 1 << 5,
  SLU: 1 << 6,
  FRCSPD: 1 << 11,
  FRCDPLX: 1 << 12,
  RST: 1 << 26,
  PHY_RST: 1 << 31,
} as const;

/** STATUS bits (SDM 13.4.2). */
export const STATUS = {
  LU: 1 << 1,
  SPEED_SHIFT: 6,
  SPEED_MASK: 3,
} as const;

/** EERD layout on the 82540/82544/82545 (SDM 13.4.4): start bit 0, done bit 4, address 15:8, data 31:16. */
export const EERD = {
  START: 1 << 0,
  DONE: 1 << 4,
  ADDR_SHIFT: 8,
  DATA_SHIFT: 16,
} as const;

/** RCTL bits (SDM 13.4.22). */
export const RCTL = {
  EN: 1 << 1,
  SBP: 1 << 2,
  UPE: 1 << 3,
  MPE: 1 << 4,
  LPE: 1 << 5,
  /** Broadcast accept mode. */
  BAM: 1 << 15,
  /** BSIZE = 00 with BSEX = 0: 2048-byte receive buffers. */
  BSIZE_2048: 0,
  /** Strip the Ethernet CRC from received frames (the descriptor length then excludes it). */
  SECRC: 1 << 26,
} as const;

/** TCTL bits and fields (SDM 13.4.33). */
export const TCTL = {
  EN: 1 << 1,
  /** Pad short packets to 64 bytes. */
  PSP: 1 << 3,
  CT_SHIFT: 4,
  COLD_SHIFT: 12,
  /** Re-transmit on late collision. */
  RTLC: 1 << 24,
} as const;

/** Collision threshold the SDM recommends (14.5: 0x0F). */
export const TCTL_CT = 0x0f;
/** Collision distance for full duplex (SDM 14.5: 0x40; 0x200 for half duplex). */
export const TCTL_COLD_FULL_DUPLEX = 0x40;

/** TIPG for the 82540/82545/82544 copper parts (SDM 13.4.34: IPGT 10, IPGR1 8, IPGR2 6). */
export const TIPG_COPPER = 10 | (8 << 10) | (6 << 20);

/** RAH bit: address valid (SDM 13.5.2). */
export const RAH_AV = 1 << 31;

/** Interrupt mask clear: every cause. */
export const IMC_ALL = 0xffffffff;

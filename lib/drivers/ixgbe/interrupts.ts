/**
 * The 82599's rx interrupts in MSI-X mode (datasheet 7.3; registers 8.2.3.5), as Linux ixgbe sets them
 * up for NAPI: rx queue q signals MSI-X vector q; the vector's cause clears itself (EIAC) and masks
 * itself (EIAM with GPIE.EIAME) when the message is sent, so a queue being polled raises nothing until
 * the driver unmasks it again (EIMS) after a poll came back empty. EITR spaces a vector's messages.
 */
import type { AdvRxQueue } from '../common/adv-rx-queue';
import { RX_STATUS } from '../common/adv-descriptors';
import type { RxInterruptChip } from '../common/rx-interrupts';
import { REG } from './registers';
import { get, set } from './regs';

/** General Purpose Interrupt Enable (8.2.3.5.18). */
const GPIE = 0x00898;
/** GPIE.MULTIPLE_MSIX (bit 4): MSI-X mode, IVAR maps causes to vectors, EICR bit n = vector n. */
const GPIE_MSIX_MODE = 1 << 4;
/** GPIE.OCD (bit 5): EICR reads clear only the other causes, never a queue's (7.3.4.3). */
const GPIE_OCD = 1 << 5;
/** GPIE.EIAME (bit 30): EIAM masks a vector when its message is sent. */
const GPIE_EIAME = 1 << 30;
/** GPIE.PBA_SUPPORT (bit 31): MSI-X pending bits (Linux sets it with MSI-X). */
const GPIE_PBA_SUPPORT = 1 << 31;
/** Extended Interrupt Auto Clear (8.2.3.5.6) and Auto Mask Enable (8.2.3.5.7). */
const EIAC = 0x00810;
const EIAM = 0x00890;
/** IVAR(n) (8.2.3.5.14): rx queue 2n in bits 7:0, rx queue 2n + 1 in bits 23:16; INT_ALLOC 5:0, valid bit 7. */
const ivar = (n: number): number => 0x00900 + 4 * n;
const IVAR_VALID = 0x80;
/** EITR(n) (8.2.3.5.12), n < 24: ITR interval in bits 11:3, units of 2 us; CNT_WDIS (bit 31) keeps the counter. */
const eitr = (n: number): number => 0x00820 + 4 * n;
const EITR_INTERVAL_MASK = 0xff8;
const EITR_CNT_WDIS = 1 << 31;

/** The longest EITR interval: 511 units of 2 us. */
export const EITR_MAX_US = 1022;

/** Vectors this driver uses: one per rx queue, EICR bits 15:0 (the 82599 has 16 RSS queues). */
const MAX_VECTORS = 16;

const DD = RX_STATUS.DD;

/** The 82599's rx interrupt steps for {@link RxWaiters}. */
export class IxgbeInterrupts implements RxInterruptChip {
  readonly kind = 'msix' as const;
  readonly vectors: number;
  private routed = 0;

  /**
   * @param bar0 the device registers
   * @param rx the rx queues (vector q serves queue q)
   */
  constructor(private readonly bar0: Uint32Array, private readonly rx: readonly AdvRxQueue[]) {
    this.vectors = Math.min(rx.length, MAX_VECTORS);
  }

  configure(queues: readonly number[], intervalUs: number): void {
    const bar0 = this.bar0;
    // 7.3.1 (GPIE first: it decides how the other interrupt registers behave): MSI-X mode with
    // auto-mask on the message, queue causes not cleared by EICR reads, pending bit array support.
    set(bar0, GPIE, GPIE_MSIX_MODE | GPIE_OCD | GPIE_EIAME | GPIE_PBA_SUPPORT);
    // 7.3.2 / 8.2.3.5.12: interval in 2 us units in bits 11:3.
    const itr = ((Math.round(intervalUs / 2) << 3) & EITR_INTERVAL_MASK) | EITR_CNT_WDIS;
    let mask = 0;
    for (const q of queues) {
      // 8.2.3.5.14: the rx entry of queue q in IVAR(q / 2); the tx entries are left alone.
      const shift = (q & 1) * 16;
      const reg = ivar(q >>> 1);
      set(bar0, reg, (get(bar0, reg) & ~(0xff << shift)) | ((q | IVAR_VALID) << shift));
      set(bar0, eitr(q), itr);
      mask |= 1 << q;
    }
    this.routed = mask >>> 0;
    // 7.3.4.1: each vector's cause clears, and its mask bit clears, when its message is sent.
    set(bar0, EIAC, this.routed);
    set(bar0, EIAM, this.routed);
  }

  arm(queue: number): void {
    set(this.bar0, REG.EIMS, 1 << queue);
  }

  ready(queue: number): boolean {
    const q = this.rx[queue];
    return (q.ring[(q.nextSlot << 2) + 2] & DD) !== 0;
  }

  fired(vector: number): number {
    // Auto-clear and auto-mask did the acknowledgement in hardware.
    return vector < this.rx.length ? vector : -1;
  }

  teardown(): void {
    const bar0 = this.bar0;
    // Mask first (8.2.3.5.4), then the routing: no message can be sent once this returns.
    set(bar0, REG.EIMC, this.routed);
    set(bar0, EIAM, 0);
    set(bar0, EIAC, 0);
    for (let q = 0; q < MAX_VECTORS; q++) {
      if ((this.routed & (1 << q)) === 0) continue;
      const shift = (q & 1) * 16;
      set(bar0, ivar(q >>> 1), get(bar0, ivar(q >>> 1)) & ~(0xff << shift));
    }
    set(bar0, GPIE, 0);
    this.routed = 0;
  }
}

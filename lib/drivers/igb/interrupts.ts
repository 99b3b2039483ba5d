/**
 * The 82576's rx interrupts in MSI-X mode (82576 datasheet 7.3; registers 8.8), as Linux igb sets them
 * up: rx queue q signals MSI-X vector q (IVAR0), the vector's cause clears itself when the message is
 * sent (EIAC), and the handler masks the vector (EIMC) while the queue is polled. The datasheet also
 * offers auto-mask (GPIE.EIAME with EIAM), but QEMU's igb model does not perform it (and reads EIAM
 * back inverted: QEMU-NOTES), so the driver masks by hand, which is correct on silicon too.
 */
import type { AdvRxQueue } from '../common/adv-rx-queue';
import { RX_STATUS } from '../common/adv-descriptors';
import type { RxInterruptChip } from '../common/rx-interrupts';
import { get, set } from '../ixgbe/regs';
import { REG } from './registers';

/** General Purpose Interrupt Enable (8.8.17): MULTIPLE_MSIX bit 4, PBA_SUPPORT bit 31. */
const GPIE = 0x01514;
const GPIE_MULTIPLE_MSIX = 1 << 4;
const GPIE_PBA_SUPPORT = 1 << 31;
/** Extended Interrupt Mask Set (8.8.5) and Auto Clear (8.8.7). */
const EIMS = 0x01524;
const EIAC = 0x0152c;
/**
 * IVAR0(n) (8.8.15): rx queue q's entry is in IVAR0(q & 7), bits 7:0 for queues 0-7 and 23:16 for
 * queues 8-15 (Linux igb_assign_vector for the 82576); INT_ALLOC 4:0, valid bit 7.
 */
const ivar0 = (n: number): number => 0x01700 + 4 * n;
const IVAR_VALID = 0x80;
/** EITR(n) (8.8.12): interval in bits 14:2, microseconds; CNT_IGNR (bit 31) leaves the counter alone. */
const eitr = (n: number): number => 0x01680 + 4 * n;
const EITR_INTERVAL_MASK = 0x7ffc;
const EITR_CNT_IGNR = 1 << 31;

/** The longest EITR interval, in microseconds (13 bits). */
export const IGB_EITR_MAX_US = 8191;

const DD = RX_STATUS.DD;

/** The 82576's rx interrupt steps for {@link RxWaiters}. */
export class IgbInterrupts implements RxInterruptChip {
  readonly kind = 'msix' as const;
  readonly vectors: number;
  private routed = 0;

  /**
   * @param bar0 the device registers
   * @param rx the rx queues (vector q serves queue q)
   */
  constructor(private readonly bar0: Uint32Array, private readonly rx: readonly AdvRxQueue[]) {
    this.vectors = rx.length;
  }

  configure(queues: readonly number[], intervalUs: number): void {
    const bar0 = this.bar0;
    // 7.3.2.1: GPIE first (it decides how the other interrupt registers behave): MSI-X mode.
    set(bar0, GPIE, GPIE_MULTIPLE_MSIX | GPIE_PBA_SUPPORT);
    const itr = ((intervalUs << 2) & EITR_INTERVAL_MASK) | EITR_CNT_IGNR;
    let mask = 0;
    for (const q of queues) {
      const shift = (q & 8) << 1;
      const reg = ivar0(q & 7);
      set(bar0, reg, (get(bar0, reg) & ~(0xff << shift)) | ((q | IVAR_VALID) << shift));
      set(bar0, eitr(q), itr);
      mask |= 1 << q;
    }
    this.routed = mask >>> 0;
    set(bar0, EIAC, this.routed);  // 7.3.4: each vector's cause clears when its message is sent
  }

  arm(queue: number): void {
    set(this.bar0, EIMS, 1 << queue);
  }

  ready(queue: number): boolean {
    const q = this.rx[queue];
    return (q.ring[(q.nextSlot << 2) + 2] & DD) !== 0;
  }

  fired(vector: number): number {
    set(this.bar0, REG.EIMC, 1 << vector);  // masked while the queue is polled (no auto-mask relied on)
    return vector < this.rx.length ? vector : -1;
  }

  teardown(): void {
    const bar0 = this.bar0;
    set(bar0, REG.EIMC, this.routed);
    set(bar0, EIAC, 0);
    for (let q = 0; q < 16; q++) {
      if ((this.routed & (1 << q)) === 0) continue;
      const shift = (q & 8) << 1;
      set(bar0, ivar0(q & 7), get(bar0, ivar0(q & 7)) & ~(0xff << shift));
    }
    set(bar0, GPIE, 0);
    this.routed = 0;
  }
}

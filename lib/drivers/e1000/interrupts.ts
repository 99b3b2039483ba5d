/**
 * The e1000's receive interrupt (8254x SDM 13.4.17 to 13.4.21): cause RXT0 (a descriptor written
 * back; RDTR 0 adds no delay), on the function's one line (INTx) or MSI when the function offers it.
 * The 8254x has no auto-mask: the handler masks RXT0 (IMC), reads ICR (which clears the causes and
 * deasserts the line) and, for INTx, lets VFIO unmask the line; the waiter's re-arm writes IMS again.
 * ITR spaces interrupts (units of 256 ns).
 */
import type { InterruptHost } from '../../bus/types';
import type { RxInterruptChip } from '../common/rx-interrupts';
import { RXD_STAT } from './descriptors';
import { IMC_ALL, REG } from './registers';
import type { RxQueue } from './rx-queue';

/** Interrupt Throttling (SDM 13.4.18): bits 15:0, the minimum interval in 256 ns units. */
const ITR = 0x00c4;
/** Interrupt Mask Set/Read (SDM 13.4.20). */
const IMS = 0x00d0;
/** Receiver Timer Interrupt (SDM 13.4.17, bit 7): a descriptor was written back. */
const ICR_RXT0 = 1 << 7;

/** The longest ITR interval: 65535 units of 256 ns. */
export const ITR_MAX_US = 16_776;

const DD = RXD_STAT.DD;

/** The e1000's rx interrupt steps for {@link RxWaiters}. */
export class E1000Interrupts implements RxInterruptChip {
  readonly kind: 'msi' | 'intx';
  readonly vectors = 1;

  /**
   * @param pci the function (its interrupt kinds decide MSI or INTx)
   * @param rx the one rx queue
   */
  constructor(private readonly pci: InterruptHost & { readonly bar0: Uint32Array }, private readonly rx: RxQueue) {
    this.kind = pci.interruptOffers().some((o) => o.kind === 'msi') ? 'msi' : 'intx';
  }

  configure(_queues: readonly number[], intervalUs: number): void {
    const bar0 = this.pci.bar0;
    bar0[REG.IMC >>> 2] = IMC_ALL;
    void bar0[REG.ICR >>> 2];  // SDM 13.4.17: reading ICR clears what was latched before
    bar0[ITR >>> 2] = Math.min(0xffff, Math.round((intervalUs * 1000) / 256));
  }

  arm(): void {
    this.pci.bar0[IMS >>> 2] = ICR_RXT0;
  }

  ready(): boolean {
    const q = this.rx;
    return (q.ring[(q.nextSlot << 2) + 3] & DD) !== 0;
  }

  fired(): number {
    const bar0 = this.pci.bar0;
    bar0[REG.IMC >>> 2] = ICR_RXT0;  // masked while the queue is polled
    void bar0[REG.ICR >>> 2];  // acknowledges the cause; the line deasserts
    if (this.kind === 'intx') this.pci.unmaskIntx();  // VFIO masked the line when it fired
    return 0;
  }

  teardown(): void {
    const bar0 = this.pci.bar0;
    bar0[REG.IMC >>> 2] = IMC_ALL;
    void bar0[REG.ICR >>> 2];
    bar0[ITR >>> 2] = 0;
  }
}

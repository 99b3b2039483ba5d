/**
 * Argument checks shared by the two {@link InterruptHost} backends (lib/bus/vfio.ts, lib/bus/sim.ts).
 */
import { TsnicError } from '../errors';
import type { InterruptKind } from './types';

/** Every interrupt kind, best first (the order {@link InterruptHost.interruptOffers} lists them in). */
export const INTERRUPT_KINDS: readonly InterruptKind[] = ['msix', 'msi', 'intx'];

/** Throws ERR_INVALID_ARG unless `kind` is an {@link InterruptKind} and `onVector` a function. */
export function checkInterruptArgs(kind: unknown, onVector: unknown): InterruptKind {
  if (!INTERRUPT_KINDS.includes(kind as InterruptKind)) {
    throw new TsnicError('ERR_INVALID_ARG', `interrupt kind must be one of ${INTERRUPT_KINDS.join(', ')}, got ${String(kind)}`);
  }
  if (typeof onVector !== 'function') throw new TsnicError('ERR_INVALID_ARG', 'enableInterrupts needs an onVector(vector) function');
  return kind as InterruptKind;
}

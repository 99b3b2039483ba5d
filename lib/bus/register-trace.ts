/**
 * A register trace for the simulated card: a BAR0 view that records every indexed read and write a
 * driver makes, in order. Switched on per card ({@link SimCardOptions.traceRegisters}); it makes
 * register access slow and polymorphic, so it is for tests of init order, never for benchmarks.
 */

/** One register access seen through a traced BAR0. */
export interface RegisterAccess {
  /** Read or write. */
  readonly op: 'read' | 'write';
  /** Byte offset in BAR0. */
  readonly offset: number;
  /** The value read or written. */
  readonly value: number;
}

/** The accesses of one port, oldest first, up to {@link RegisterTrace.limit} (later ones are counted only). */
export class RegisterTrace {
  /** Recorded accesses. */
  readonly accesses: RegisterAccess[] = [];
  /** Accesses beyond the limit, not recorded. */
  overflow = 0;

  /** @param limit most accesses kept */
  constructor(readonly limit = 200_000) {}

  /** Forgets what was recorded. */
  clear(): void {
    this.accesses.length = 0;
    this.overflow = 0;
  }

  /** Writes to `offset`, in order. */
  writesTo(offset: number): number[] {
    return this.accesses.filter((a) => a.op === 'write' && a.offset === offset).map((a) => a.value);
  }

  /** Index of the first access matching `match` at or after `from`, or -1. */
  indexOf(match: (a: RegisterAccess) => boolean, from = 0): number {
    for (let i = from; i < this.accesses.length; i++) if (match(this.accesses[i])) return i;
    return -1;
  }

  /** A view of `regs` that records into this trace. */
  wrap(regs: Uint32Array): Uint32Array {
    const record = (op: 'read' | 'write', index: number, value: number): void => {
      if (this.accesses.length < this.limit) this.accesses.push({ op, offset: index * 4, value });
      else this.overflow++;
    };
    return new Proxy(regs, {
      get(target, prop) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) {
          const value = target[Number(prop)];
          record('read', Number(prop), value);
          return value;
        }
        const member = Reflect.get(target, prop, target) as unknown;
        return typeof member === 'function' ? (member as (...a: unknown[]) => unknown).bind(target) : member;
      },
      set(target, prop, value: number) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) {
          target[Number(prop)] = value;
          // What the driver wrote (as the Uint32Array stores it), not a read-back: the model thread may
          // already have acted on it (e.g. a self-clearing CTRL.RST).
          record('write', Number(prop), Number(value) >>> 0);
          return true;
        }
        return Reflect.set(target, prop, value, target);
      },
    });
  }
}

/**
 * Classic BPF compiled to a JavaScript function, for the capture loop: the same semantics as the
 * interpreter (BpfProgram.run in bpf.ts, which the tests hold it to), without its dispatch. Classic BPF
 * jumps only forward, so every jump target T can be the end of a labelled block that starts at the
 * program's first instruction: `break L<T>` from anywhere before T lands on T. The blocks nest (a later
 * target's block holds an earlier one's), so the program becomes straight-line code in nested blocks,
 * with no loop and no switch. The source is made only of opcodes and numbers from a checked program
 * (no text from outside), and registers and scratch memory are locals: nothing is allocated per frame.
 */
import { BPF, type BpfInstruction } from './bpf-opcodes';

/** A compiled filter: bytes to keep of the frame `data[offset, offset + caplen)`, `wirelen` long on the wire (0: reject). */
export type BpfFunction = (data: Uint8Array, offset: number, caplen: number, wirelen: number) => number;

/** Most distinct jump targets compiled (deeper block nesting is left to the interpreter). */
export const MAX_COMPILED_TARGETS = 512;

/** Source of a load of `size` bytes at packet offset `at` (an expression) into `reg`. */
function load(reg: string, size: 1 | 2 | 4, at: string): string {
  const bounds = `if (${at} + ${size} > c) return 0; p = o + ${at};`;
  if (size === 1) return `${bounds} ${reg} = d[p];`;
  if (size === 2) return `${bounds} ${reg} = (d[p] << 8) | d[p + 1];`;
  return `${bounds} ${reg} = ((d[p] << 24) | (d[p + 1] << 16) | (d[p + 2] << 8) | d[p + 3]) >>> 0;`;
}

/** The statement for one instruction; `jump(target)` gives the statement that continues at `target`. */
function statement(insn: BpfInstruction, pc: number, jump: (target: number) => string): string {
  const { code, k } = insn;
  const branch = (cond: string): string => {
    const t = pc + 1 + insn.jt;
    const f = pc + 1 + insn.jf;
    if (t === f) return jump(t);
    return `if (${cond}) { ${jump(t)} } else { ${jump(f)} }`;
  };
  switch (code) {
    case BPF.RET_K: return `return ${k};`;
    case BPF.RET_A: return 'return A;';
    case BPF.LD_W_ABS: return load('A', 4, String(k));
    case BPF.LD_H_ABS: return load('A', 2, String(k));
    case BPF.LD_B_ABS: return load('A', 1, String(k));
    case BPF.LD_W_IND: return `q = X + ${k}; ${load('A', 4, 'q')}`;
    case BPF.LD_H_IND: return `q = X + ${k}; ${load('A', 2, 'q')}`;
    case BPF.LD_B_IND: return `q = X + ${k}; ${load('A', 1, 'q')}`;
    case BPF.LDX_B_MSH: return `if (${k} >= c) return 0; X = (d[o + ${k}] & 0xf) << 2;`;
    case BPF.LD_IMM: return `A = ${k};`;
    case BPF.LDX_IMM: return `X = ${k};`;
    case BPF.LD_MEM: return `A = m${k};`;
    case BPF.LDX_MEM: return `X = m${k};`;
    case BPF.LD_W_LEN: return 'A = w;';
    case BPF.LDX_W_LEN: return 'X = w;';
    case BPF.ST: return `m${k} = A;`;
    case BPF.STX: return `m${k} = X;`;
    case BPF.ADD_K: return `A = (A + ${k}) >>> 0;`;
    case BPF.ADD_X: return 'A = (A + X) >>> 0;';
    case BPF.SUB_K: return `A = (A - ${k}) >>> 0;`;
    case BPF.SUB_X: return 'A = (A - X) >>> 0;';
    case BPF.MUL_K: return `A = Math.imul(A, ${k}) >>> 0;`;
    case BPF.MUL_X: return 'A = Math.imul(A, X) >>> 0;';
    case BPF.DIV_K: return `A = (A / ${k}) >>> 0;`;
    case BPF.DIV_X: return 'if (X === 0) return 0; A = (A / X) >>> 0;';
    case BPF.MOD_K: return `A = A % ${k};`;
    case BPF.MOD_X: return 'if (X === 0) return 0; A = A % X;';
    case BPF.OR_K: return `A = (A | ${k}) >>> 0;`;
    case BPF.OR_X: return 'A = (A | X) >>> 0;';
    case BPF.AND_K: return `A = (A & ${k}) >>> 0;`;
    case BPF.AND_X: return 'A = (A & X) >>> 0;';
    case BPF.XOR_K: return `A = (A ^ ${k}) >>> 0;`;
    case BPF.XOR_X: return 'A = (A ^ X) >>> 0;';
    case BPF.LSH_K: return `A = (A << ${k}) >>> 0;`;
    case BPF.LSH_X: return 'A = X < 32 ? (A << X) >>> 0 : 0;';
    case BPF.RSH_K: return `A = A >>> ${k};`;
    case BPF.RSH_X: return 'A = X < 32 ? A >>> X : 0;';
    case BPF.NEG: return 'A = (0 - A) >>> 0;';
    case BPF.JA: return jump(pc + 1 + k);
    case BPF.JEQ_K: return branch(`A === ${k}`);
    case BPF.JEQ_X: return branch('A === X');
    case BPF.JGT_K: return branch(`A > ${k}`);
    case BPF.JGT_X: return branch('A > X');
    case BPF.JGE_K: return branch(`A >= ${k}`);
    case BPF.JGE_X: return branch('A >= X');
    case BPF.JSET_K: return branch(`(A & ${k}) !== 0`);
    case BPF.JSET_X: return branch('(A & X) !== 0');
    case BPF.TAX: return 'X = A;';
    case BPF.TXA: return 'A = X;';
    default: throw new Error(`unchecked opcode ${code}`);
  }
}

/** The JavaScript source of a checked program's function body (see the module comment). */
export function bpfSource(insns: readonly BpfInstruction[]): string | undefined {
  const targets = new Set<number>();
  insns.forEach((insn, pc) => {
    const add = (t: number): void => {
      if (t !== pc + 1) targets.add(t);
    };
    if (insn.code === BPF.JA) add(pc + 1 + insn.k);
    else if ((insn.code & 0x07) === 0x05) {
      add(pc + 1 + insn.jt);
      add(pc + 1 + insn.jf);
    }
  });
  if (targets.size > MAX_COMPILED_TARGETS) return undefined;
  const sorted = [...targets].sort((a, b) => b - a);
  const memory = [...new Set(insns.filter((i) => i.code === BPF.LD_MEM || i.code === BPF.LDX_MEM || i.code === BPF.ST || i.code === BPF.STX).map((i) => i.k))];
  const lines = ['let A = 0; let X = 0; let p = 0; let q = 0;'];
  if (memory.length > 0) lines.push(`let ${memory.map((k) => `m${k} = 0`).join(', ')};`);
  lines.push(...sorted.map((t) => `L${t}: {`));
  insns.forEach((insn, pc) => {
    if (targets.has(pc)) lines.push('}');
    lines.push(statement(insn, pc, (t) => (t === pc + 1 ? '' : `break L${t};`)));
  });
  lines.push('return 0;');
  return lines.join('\n');
}

/** Compiles a checked program to a function, or undefined when it has too many jump targets. */
export function compileBpf(insns: readonly BpfInstruction[]): BpfFunction | undefined {
  const body = bpfSource(insns);
  if (body === undefined) return undefined;
  return new Function('d', 'o', 'c', 'w', body) as BpfFunction;
}

/**
 * A classic BPF (cBPF) interpreter: the program libpcap's pcap_compile() makes of a tcpdump filter
 * (lib/pcap/filter.ts), run on each received frame before it is written. Semantics follow libpcap's
 * bpf_filter() and the Linux kernel's classic BPF:
 * - registers A and X and 16 words of scratch memory M[] are unsigned 32-bit; packet loads are
 *   big-endian; a load past the captured bytes ends the program with 0 (the frame is rejected), as
 *   does a division or modulo by X = 0;
 * - `len` (BPF_LEN) is the frame's length on the wire, the loads see only the captured bytes;
 * - the return value is how many bytes of the frame to keep (0: reject).
 * Programs are checked once, when built ({@link BpfProgram.from}), as the kernel's bpf_check_classic
 * does: known opcodes only, jumps forward and inside the program, M[] indexes below 16, no division
 * by a constant 0, shifts by a constant below 32, a return as the last instruction. Linux's special
 * load offsets (from SKF_LL_OFF = -0x200000: link-layer, network-layer and ancillary SKF_AD_* loads)
 * exist only on a live Linux socket and are refused: libpcap never generates them for
 * pcap_open_dead(). Running a program allocates nothing.
 */
import { TsnicError } from '../errors';
import { compileBpf, type BpfFunction } from './bpf-compile';
import { BPF, type BpfInstruction } from './bpf-opcodes';

export { BPF, type BpfInstruction } from './bpf-opcodes';
export type { BpfFunction } from './bpf-compile';

/** Most instructions in a program (BPF_MAXINSNS of Linux and libpcap). */
export const BPF_MAXINSNS = 4096;
/** Words of scratch memory (BPF_MEMWORDS). */
export const BPF_MEMWORDS = 16;
/** Lowest of Linux's special load offsets (SKF_LL_OFF = -0x200000, below SKF_NET_OFF and SKF_AD_OFF). */
const SKF_LL_OFF = 0xffe00000;


const KNOWN = new Set<number>(Object.values(BPF));
const CONDITIONAL = new Set<number>([
  BPF.JEQ_K, BPF.JEQ_X, BPF.JGT_K, BPF.JGT_X, BPF.JGE_K, BPF.JGE_X, BPF.JSET_K, BPF.JSET_X,
]);
const MEMORY = new Set<number>([BPF.LD_MEM, BPF.LDX_MEM, BPF.ST, BPF.STX]);
const PACKET_LOADS = new Set<number>([
  BPF.LD_W_ABS, BPF.LD_H_ABS, BPF.LD_B_ABS, BPF.LD_W_IND, BPF.LD_H_IND, BPF.LD_B_IND, BPF.LDX_B_MSH,
]);


function invalid(pc: number, why: string): TsnicError {
  return new TsnicError('ERR_INVALID_ARG', `BPF program: instruction ${pc}: ${why}: only valid classic BPF programs run`);
}

/** A checked classic BPF program, ready to run on frames. */
export class BpfProgram {
  /** Number of instructions. */
  readonly length: number;
  private readonly code: Uint16Array;
  private readonly jt: Uint16Array;
  private readonly jf: Uint16Array;
  private readonly k: Uint32Array;
  private readonly mem = new Uint32Array(BPF_MEMWORDS);
  private readonly usesMemory: boolean;
  /**
   * The program as a JavaScript function (lib/pcap/bpf-compile.ts): what the capture loop calls, faster
   * than {@link run} with the same results; {@link run} itself when the program has too many jump
   * targets to compile.
   */
  readonly compiled: BpfFunction;

  private constructor(insns: readonly BpfInstruction[]) {
    const n = insns.length;
    this.length = n;
    this.code = new Uint16Array(n);
    this.jt = new Uint16Array(n);
    this.jf = new Uint16Array(n);
    this.k = new Uint32Array(n);
    insns.forEach((insn, pc) => {
      this.code[pc] = insn.code;
      this.jt[pc] = insn.jt;
      this.jf[pc] = insn.jf;
      this.k[pc] = insn.k;
    });
    this.usesMemory = insns.some((insn) => insn.code === BPF.LD_MEM || insn.code === BPF.LDX_MEM);
    this.compiled = compileBpf(insns) ?? ((data, offset, caplen, wirelen) => this.run(data, offset, caplen, wirelen));
  }

  /**
   * Checks `insns` (struct bpf_insn values, or the flat [code, jt, jf, k, ...] array the addon's
   * pcapCompile returns) and returns the program. Throws ERR_INVALID_ARG naming the first bad
   * instruction.
   */
  static from(insns: readonly BpfInstruction[] | Uint32Array): BpfProgram {
    const list: BpfInstruction[] = [];
    if (insns instanceof Uint32Array) {
      if (insns.length % 4 !== 0) throw invalid(0, `${insns.length} words are not whole instructions of 4`);
      for (let i = 0; i < insns.length; i += 4) list.push({ code: insns[i], jt: insns[i + 1], jf: insns[i + 2], k: insns[i + 3] });
    } else list.push(...insns);
    const n = list.length;
    if (n === 0 || n > BPF_MAXINSNS) throw invalid(0, `a program has 1 to ${BPF_MAXINSNS} instructions, this one ${n}`);
    list.forEach(({ code, jt, jf, k }, pc) => {
      if (!Number.isInteger(code) || !KNOWN.has(code)) throw invalid(pc, `unknown opcode ${String(code)}`);
      if (!Number.isInteger(k) || k < 0 || k > 0xffffffff) throw invalid(pc, `k must be an unsigned 32-bit integer, got ${String(k)}`);
      if (!Number.isInteger(jt) || !Number.isInteger(jf) || jt < 0 || jt > 255 || jf < 0 || jf > 255) {
        throw invalid(pc, 'jump offsets must be 0 to 255');
      }
      const left = n - pc - 1;
      if (code === BPF.JA && k >= left) throw invalid(pc, `jump by ${k} leaves the program`);
      if (CONDITIONAL.has(code) && (jt >= left || jf >= left)) throw invalid(pc, `jump by ${Math.max(jt, jf)} leaves the program`);
      if (MEMORY.has(code) && k >= BPF_MEMWORDS) throw invalid(pc, `scratch memory index ${k} is not below ${BPF_MEMWORDS}`);
      if ((code === BPF.DIV_K || code === BPF.MOD_K) && k === 0) throw invalid(pc, 'division by the constant 0');
      if ((code === BPF.LSH_K || code === BPF.RSH_K) && k >= 32) throw invalid(pc, `shift by ${k} (at most 31)`);
      if (PACKET_LOADS.has(code) && k >= SKF_LL_OFF) {
        throw invalid(pc, `a Linux special offset (k = 0x${k.toString(16)}) is not interpreted here (it exists only on a Linux socket)`);
      }
    });
    const last = list[n - 1].code;
    if (last !== BPF.RET_K && last !== BPF.RET_A) throw invalid(n - 1, 'the last instruction must be a return');
    return new BpfProgram(list);
  }

  /** The instructions (for printing and tests). */
  instructions(): BpfInstruction[] {
    return Array.from({ length: this.length }, (_, pc) => ({ code: this.code[pc], jt: this.jt[pc], jf: this.jf[pc], k: this.k[pc] }));
  }

  /**
   * Runs the program on the frame `data[offset, offset + caplen)`, `wirelen` bytes long on the wire;
   * returns how many bytes to keep (0: the filter rejects it).
   */
  run(data: Uint8Array, offset: number, caplen: number, wirelen: number): number {
    const code = this.code;
    const jt = this.jt;
    const jf = this.jf;
    const kk = this.k;
    const mem = this.mem;
    if (this.usesMemory) mem.fill(0);
    let a = 0;
    let x = 0;
    let pc = 0;
    // Case labels are literals (the BPF names beside them), so that the switch compiles to a jump
    // table. An indexed load's offset X + k does not wrap: past 2^32 it is out of bounds, as in libpcap.
    for (;;) {
      const k = kk[pc];
      switch (code[pc]) {
        case 0x06 /* RET_K */:
          return k;
        case 0x16 /* RET_A */:
          return a;
        case 0x20 /* LD_W_ABS */:
        case 0x40 /* LD_W_IND */: {
          const at = code[pc] === 0x20 ? k : x + k;
          if (at + 4 > caplen) return 0;
          const p = offset + at;
          a = ((data[p] << 24) | (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3]) >>> 0;
          break;
        }
        case 0x28 /* LD_H_ABS */:
        case 0x48 /* LD_H_IND */: {
          const at = code[pc] === 0x28 ? k : x + k;
          if (at + 2 > caplen) return 0;
          a = (data[offset + at] << 8) | data[offset + at + 1];
          break;
        }
        case 0x30 /* LD_B_ABS */:
        case 0x50 /* LD_B_IND */: {
          const at = code[pc] === 0x30 ? k : x + k;
          if (at >= caplen) return 0;
          a = data[offset + at];
          break;
        }
        case 0xb1 /* LDX_B_MSH */:
          if (k >= caplen) return 0;
          x = (data[offset + k] & 0xf) << 2;
          break;
        case 0x00 /* LD_IMM */:
          a = k;
          break;
        case 0x01 /* LDX_IMM */:
          x = k;
          break;
        case 0x60 /* LD_MEM */:
          a = mem[k];
          break;
        case 0x61 /* LDX_MEM */:
          x = mem[k];
          break;
        case 0x80 /* LD_W_LEN */:
          a = wirelen;
          break;
        case 0x81 /* LDX_W_LEN */:
          x = wirelen;
          break;
        case 0x02 /* ST */:
          mem[k] = a;
          break;
        case 0x03 /* STX */:
          mem[k] = x;
          break;
        case 0x04 /* ADD_K */: a = (a + k) >>> 0; break;
        case 0x0c /* ADD_X */: a = (a + x) >>> 0; break;
        case 0x14 /* SUB_K */: a = (a - k) >>> 0; break;
        case 0x1c /* SUB_X */: a = (a - x) >>> 0; break;
        case 0x24 /* MUL_K */: a = Math.imul(a, k) >>> 0; break;
        case 0x2c /* MUL_X */: a = Math.imul(a, x) >>> 0; break;
        case 0x34 /* DIV_K */: a = Math.floor(a / k); break;
        case 0x3c /* DIV_X */:
          if (x === 0) return 0;
          a = Math.floor(a / x);
          break;
        case 0x94 /* MOD_K */: a = a % k; break;
        case 0x9c /* MOD_X */:
          if (x === 0) return 0;
          a = a % x;
          break;
        case 0x44 /* OR_K */: a = (a | k) >>> 0; break;
        case 0x4c /* OR_X */: a = (a | x) >>> 0; break;
        case 0x54 /* AND_K */: a = (a & k) >>> 0; break;
        case 0x5c /* AND_X */: a = (a & x) >>> 0; break;
        case 0xa4 /* XOR_K */: a = (a ^ k) >>> 0; break;
        case 0xac /* XOR_X */: a = (a ^ x) >>> 0; break;
        case 0x64 /* LSH_K */: a = (a << k) >>> 0; break;
        // libpcap: a shift by X of 32 or more gives 0 (JavaScript would shift by X mod 32).
        case 0x6c /* LSH_X */: a = x < 32 ? (a << x) >>> 0 : 0; break;
        case 0x74 /* RSH_K */: a = a >>> k; break;
        case 0x7c /* RSH_X */: a = x < 32 ? a >>> x : 0; break;
        case 0x84 /* NEG */: a = (0 - a) >>> 0; break;
        case 0x05 /* JA */: pc += k; break;
        case 0x15 /* JEQ_K */: pc += a === k ? jt[pc] : jf[pc]; break;
        case 0x1d /* JEQ_X */: pc += a === x ? jt[pc] : jf[pc]; break;
        case 0x25 /* JGT_K */: pc += a > k ? jt[pc] : jf[pc]; break;
        case 0x2d /* JGT_X */: pc += a > x ? jt[pc] : jf[pc]; break;
        case 0x35 /* JGE_K */: pc += a >= k ? jt[pc] : jf[pc]; break;
        case 0x3d /* JGE_X */: pc += a >= x ? jt[pc] : jf[pc]; break;
        case 0x45 /* JSET_K */: pc += (a & k) !== 0 ? jt[pc] : jf[pc]; break;
        case 0x4d /* JSET_X */: pc += (a & x) !== 0 ? jt[pc] : jf[pc]; break;
        case 0x07 /* TAX */: x = a; break;
        case 0x87 /* TXA */: a = x; break;
        default:
          // Unreachable: from() admits only the opcodes above.
          return 0;
      }
      pc++;
    }
  }
}

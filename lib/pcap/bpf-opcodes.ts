/** Classic BPF instructions: the struct and the opcodes (pcap/bpf.h), shared by the interpreter and the compiler. */

/** Opcodes, as pcap/bpf.h composes them (class | size | mode, class | op | source). */
export const BPF = {
  LD_W_ABS: 0x20, LD_H_ABS: 0x28, LD_B_ABS: 0x30,
  LD_W_IND: 0x40, LD_H_IND: 0x48, LD_B_IND: 0x50,
  LD_IMM: 0x00, LD_MEM: 0x60, LD_W_LEN: 0x80,
  LDX_IMM: 0x01, LDX_MEM: 0x61, LDX_W_LEN: 0x81, LDX_B_MSH: 0xb1,
  ST: 0x02, STX: 0x03,
  ADD_K: 0x04, ADD_X: 0x0c, SUB_K: 0x14, SUB_X: 0x1c, MUL_K: 0x24, MUL_X: 0x2c,
  DIV_K: 0x34, DIV_X: 0x3c, OR_K: 0x44, OR_X: 0x4c, AND_K: 0x54, AND_X: 0x5c,
  LSH_K: 0x64, LSH_X: 0x6c, RSH_K: 0x74, RSH_X: 0x7c, NEG: 0x84, MOD_K: 0x94, MOD_X: 0x9c,
  XOR_K: 0xa4, XOR_X: 0xac,
  JA: 0x05, JEQ_K: 0x15, JEQ_X: 0x1d, JGT_K: 0x25, JGT_X: 0x2d, JGE_K: 0x35, JGE_X: 0x3d,
  JSET_K: 0x45, JSET_X: 0x4d,
  RET_K: 0x06, RET_A: 0x16,
  TAX: 0x07, TXA: 0x87,
} as const;

/** One instruction (struct bpf_insn). */
export interface BpfInstruction {
  /** Opcode. */
  code: number;
  /** Jump offset when the condition holds. */
  jt: number;
  /** Jump offset when it does not. */
  jf: number;
  /** Constant operand (unsigned 32 bits). */
  k: number;
}

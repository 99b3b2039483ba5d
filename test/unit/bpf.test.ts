/**
 * Capture filters: libpcap's programs for tcpdump expressions, run by lib/pcap/bpf.ts on crafted frames,
 * against what each expression means (pcap-filter(7)); hand-written programs for every opcode, the
 * kernel's bounds rules and the load-time checks. Every run goes through both the interpreter and the
 * compiled function (lib/pcap/bpf-compile.ts), which must agree.
 */
import t from 'tap';
import { BPF, BpfProgram, type BpfInstruction } from '../../lib/pcap/bpf';
import { bpfSource, compileBpf, MAX_COMPILED_TARGETS } from '../../lib/pcap/bpf-compile';
import { compileFilter } from '../../lib/pcap/filter';
import { craft, type FrameSpec } from './frames';

/** Runs `program` both ways; throws when the interpreter and the compiled function disagree. */
function both(program: BpfProgram, data: Uint8Array, offset: number, caplen: number, wirelen: number): number {
  const interpreted = program.run(data, offset, caplen, wirelen);
  const compiled = program.compiled(data, offset, caplen, wirelen);
  if (interpreted !== compiled) throw new Error(`interpreter ${interpreted}, compiled ${compiled} for ${JSON.stringify(program.instructions())}`);
  return interpreted;
}

function accepts(filter: BpfProgram, frame: Uint8Array, wirelen = frame.length): boolean {
  return both(filter, frame, 0, frame.length, wirelen) > 0;
}

const CASES: Array<[expression: string, yes: FrameSpec[], no: FrameSpec[]]> = [
  ['udp', [{}, { l3: 'ipv6' }], [{ l4: 'tcp' }, { l3: 'arp' }, { vlans: [5] }, { l4: 'icmp' }]],
  ['tcp', [{ l4: 'tcp' }, { l3: 'ipv6', l4: 'tcp' }], [{}, { l3: 'arp' }]],
  ['icmp', [{ l4: 'icmp' }], [{}, { l4: 'tcp' }]],
  ['udp port 53', [{ dstPort: 53 }, { srcPort: 53 }, { dstPort: 53, ipOptionWords: 3 }, { l3: 'ipv6', dstPort: 53 }],
    [{ dstPort: 54 }, { l4: 'tcp', dstPort: 53 }, { dstPort: 53, fragmentOffset: 10 }, { vlans: [7], dstPort: 53 }]],
  ['udp dst port 53', [{ dstPort: 53 }], [{ srcPort: 53 }]],
  ['portrange 1000-1100', [{ dstPort: 1024 }, { l4: 'tcp', srcPort: 1100 }], [{ srcPort: 999, dstPort: 1101 }]],
  ['vlan', [{ vlans: [100] }, { vlans: [1, 2] }], [{}, { l3: 'arp' }]],
  ['vlan 100', [{ vlans: [100] }], [{ vlans: [101] }, {}]],
  ['vlan and udp port 53', [{ vlans: [3], dstPort: 53 }], [{ dstPort: 53 }, { vlans: [3], dstPort: 54 }]],
  ['vlan 10 and vlan 20 and udp', [{ vlans: [10, 20] }], [{ vlans: [10] }, { vlans: [20, 10] }]],
  ['host 10.0.0.1', [{}, { src: [10, 0, 0, 9], dst: [10, 0, 0, 1] }], [{ src: [10, 0, 0, 3], dst: [10, 0, 0, 4] }, { l3: 'ipv6' }]],
  ['src host 10.0.0.1', [{}], [{ src: [10, 0, 0, 2], dst: [10, 0, 0, 1] }]],
  ['net 192.168.0.0/16', [{ dst: [192, 168, 7, 7] }], [{ dst: [192, 169, 0, 1], src: [10, 1, 1, 1] }]],
  ['arp', [{ l3: 'arp' }], [{}]],
  ['ether proto 0x88b5', [{ l3: 'raw', ethertype: 0x88b5 }], [{ l3: 'raw', ethertype: 0x88b6 }, {}]],
  ['ip6', [{ l3: 'ipv6' }], [{}, { l3: 'arp' }]],
  ['ether host 02:00:00:00:00:01', [{}, { srcMac: [2, 0, 0, 0, 0, 9], dstMac: [2, 0, 0, 0, 0, 1] }], [{ srcMac: [2, 0, 0, 0, 0, 9] }]],
  ['ether broadcast', [{ dstMac: [255, 255, 255, 255, 255, 255] }], [{}]],
  ['tcp[13] & 2 != 0', [{ l4: 'tcp', tcpFlags: 0x02 }, { l4: 'tcp', tcpFlags: 0x12, ipOptionWords: 2 }], [{ l4: 'tcp', tcpFlags: 0x10 }, {}]],
  ['tcp[tcpflags] & (tcp-syn|tcp-fin) != 0', [{ l4: 'tcp', tcpFlags: 0x01 }], [{ l4: 'tcp', tcpFlags: 0x10 }]],
  ['ip[0] & 0xf > 5', [{ ipOptionWords: 1 }], [{}]],
  ['ip[2:2] > 200', [{ payload: 300 }], [{ payload: 18 }]],
  ['udp[8:4] = 0x00010203', [{}], [{ l4: 'tcp' }]],
  ['not udp', [{ l4: 'tcp' }, { l3: 'arp' }], [{}]],
  ['udp or arp', [{}, { l3: 'arp' }], [{ l4: 'tcp' }]],
];

t.test('libpcap programs accept exactly the frames the expression means', async (t) => {
  for (const [expression, yes, no] of CASES) {
    const filter = compileFilter(expression);
    yes.forEach((spec, k) => t.ok(accepts(filter, craft(spec)), `'${expression}' accepts ${JSON.stringify(spec)} (case ${k})`));
    no.forEach((spec, k) => t.notOk(accepts(filter, craft(spec)), `'${expression}' rejects ${JSON.stringify(spec)} (case ${k})`));
  }
});

t.test('len and greater read the length on the wire; loads read only the captured bytes', async (t) => {
  const frame = craft({ payload: 300 });
  const greater = compileFilter('greater 200');
  t.ok(both(greater, frame, 0, 60, frame.length) > 0, 'a frame of 346 bytes cut to 60 is still greater than 200');
  t.notOk(both(greater, frame, 0, 60, 60) > 0);
  const tail = compileFilter('udp[300] = 0xff');
  t.equal(both(tail, frame, 0, 60, frame.length), 0, 'a load past the captured bytes rejects the frame');
});

t.test('the accept value is the snaplen given to libpcap; a frame at an offset of a pool', async (t) => {
  t.equal(both(compileFilter('udp', { snaplen: 96 }), craft(), 0, 60, 60), 96);
  const pool = new Uint8Array(4096);
  pool.set(craft({ dstPort: 53 }), 2048);
  const dns = compileFilter('udp port 53');
  t.ok(both(dns, pool, 2048, 60, 60) > 0, 'reads from the frame\'s offset');
  t.notOk(both(dns, pool, 0, 60, 60) > 0, 'buffer 0 is zeros');
});

t.test('libpcap errors: a bad expression is ERR_INVALID_ARG, a missing libpcap ERR_LIBPCAP with the package', async (t) => {
  t.throws(() => compileFilter('tcp port x'), { code: 'ERR_INVALID_ARG', message: /^filter "tcp port x" does not compile: .*unknown port.*tcpdump syntax/ });
  t.throws(() => compileFilter('udp and'), { code: 'ERR_INVALID_ARG', message: /does not compile: .*syntax error/ });
  t.throws(() => compileFilter('udp', { library: 'libpcap-missing.so.0.8' }), {
    code: 'ERR_LIBPCAP', message: /libpcap-missing\.so\.0\.8.*install libpcap0\.8: apt-get install libpcap0\.8/,
  });
});

/** A program of `body` then RET A; run on a 64-byte frame of bytes 0..63. */
function evaluate(body: BpfInstruction[], frame = Uint8Array.from({ length: 64 }, (_, i) => i), wirelen = 64): number {
  return both(BpfProgram.from([...body, { code: BPF.RET_A, jt: 0, jf: 0, k: 0 }]), frame, 0, frame.length, wirelen);
}

function op(code: number, k = 0, jt = 0, jf = 0): BpfInstruction {
  return { code, jt, jf, k };
}

t.test('every ALU operation, with K and with X, in unsigned 32-bit arithmetic', async (t) => {
  const a = 0xfffffff0;
  const x = 5;
  const cases: Array<[name: string, k: number, x: number, expected: number]> = [
    ['ADD', 0x20, BPF.ADD_X, (a + x) % 2 ** 32],
    ['SUB', 0x20, BPF.SUB_X, a - x],
    ['MUL', 3, BPF.MUL_X, Number((BigInt(a) * 5n) % 2n ** 32n)],
    ['DIV', 7, BPF.DIV_X, Math.floor(a / x)],
    ['MOD', 7, BPF.MOD_X, a % x],
    ['OR', 0xf, BPF.OR_X, (a | x) >>> 0],
    ['AND', 0xf0f, BPF.AND_X, (a & x) >>> 0],
    ['XOR', 0xff, BPF.XOR_X, (a ^ x) >>> 0],
    ['LSH', 4, BPF.LSH_X, (a << x) >>> 0],
    ['RSH', 4, BPF.RSH_X, a >>> x],
  ];
  const byK: Record<string, (k: number) => number> = {
    ADD: (k) => (a + k) % 2 ** 32, SUB: (k) => a - k, MUL: (k) => Number((BigInt(a) * BigInt(k)) % 2n ** 32n), DIV: (k) => Math.floor(a / k),
    MOD: (k) => a % k, OR: (k) => (a | k) >>> 0, AND: (k) => (a & k) >>> 0, XOR: (k) => (a ^ k) >>> 0, LSH: (k) => (a << k) >>> 0, RSH: (k) => a >>> k,
  };
  for (const [name, k, codeX, expected] of cases) {
    const codeK = BPF[`${name}_K` as keyof typeof BPF];
    t.equal(evaluate([op(BPF.LD_IMM, a), op(codeK, k)]), byK[name](k), `${name} K`);
    t.equal(evaluate([op(BPF.LD_IMM, a), op(BPF.LDX_IMM, x), op(codeX)]), expected, `${name} X`);
  }
  t.equal(evaluate([op(BPF.LD_IMM, 1), op(BPF.NEG)]), 0xffffffff, 'NEG');
  t.equal(evaluate([op(BPF.LD_IMM, 1), op(BPF.LDX_IMM, 32), op(BPF.LSH_X)]), 0, 'LSH by X = 32 gives 0 (libpcap)');
  t.equal(evaluate([op(BPF.LD_IMM, 1), op(BPF.LDX_IMM, 40), op(BPF.RSH_X)]), 0, 'RSH by X = 40 gives 0');
  t.equal(evaluate([op(BPF.LD_IMM, 9), op(BPF.LDX_IMM, 0), op(BPF.DIV_X)]), 0, 'division by X = 0 ends with 0');
  t.equal(evaluate([op(BPF.LD_IMM, 9), op(BPF.LDX_IMM, 0), op(BPF.MOD_X), op(BPF.LD_IMM, 7)]), 0, 'modulo by X = 0 ends with 0 at once');
});

t.test('loads: sizes, modes, the length, scratch memory, register moves', async (t) => {
  t.equal(evaluate([op(BPF.LD_W_ABS, 4)]), 0x04050607, 'word, big-endian');
  t.equal(evaluate([op(BPF.LD_H_ABS, 62)]), 0x3e3f, 'last halfword');
  t.equal(evaluate([op(BPF.LD_B_ABS, 63)]), 63, 'last byte');
  t.equal(evaluate([op(BPF.LD_W_ABS, 61)]), 0, 'a word past the end ends with 0');
  t.equal(evaluate([op(BPF.LD_H_ABS, 63)]), 0);
  t.equal(evaluate([op(BPF.LD_B_ABS, 64)]), 0);
  t.equal(evaluate([op(BPF.LD_B_ABS, 0x7fffffff)]), 0, 'a huge offset');
  t.equal(evaluate([op(BPF.LDX_IMM, 8), op(BPF.LD_W_IND, 2)]), 0x0a0b0c0d, 'indexed word');
  t.equal(evaluate([op(BPF.LDX_IMM, 8), op(BPF.LD_H_IND, 2)]), 0x0a0b);
  t.equal(evaluate([op(BPF.LDX_IMM, 8), op(BPF.LD_B_IND, 2)]), 10);
  t.equal(evaluate([op(BPF.LDX_IMM, 0xffffffff), op(BPF.LD_B_IND, 2)]), 0, 'X + k past 2^32 does not wrap around to byte 1');
  t.equal(evaluate([op(BPF.LDX_IMM, 62), op(BPF.LD_H_IND, 1)]), 0, 'indexed load past the end');
  const ihl = Uint8Array.from({ length: 64 }, (_, i) => (i === 14 ? 0x46 : 0));
  t.equal(evaluate([op(BPF.LDX_B_MSH, 14), op(BPF.TXA)], ihl), 24, 'MSH: 4 * (P[14] & 0xf)');
  t.equal(evaluate([op(BPF.LDX_B_MSH, 64), op(BPF.TXA)]), 0, 'MSH past the end');
  t.equal(evaluate([op(BPF.LD_W_LEN)], undefined, 1500), 1500, 'LD LEN: the wire length');
  t.equal(evaluate([op(BPF.LDX_W_LEN), op(BPF.TXA)], undefined, 77), 77, 'LDX LEN');
  t.equal(evaluate([op(BPF.LD_IMM, 11), op(BPF.ST, 3), op(BPF.LDX_IMM, 22), op(BPF.STX, 15), op(BPF.LD_MEM, 15), op(BPF.TAX), op(BPF.LD_MEM, 3), op(BPF.ADD_X)]), 33,
    'ST, STX, LD MEM, TAX');
  t.equal(evaluate([op(BPF.LDX_IMM, 5), op(BPF.ST, 0), op(BPF.LDX_MEM, 0), op(BPF.TXA)]), 0, 'LDX MEM of what ST stored (A was 0)');
  const readsMemory = BpfProgram.from([op(BPF.LD_MEM, 2), op(BPF.JEQ_K, 0, 0, 1), op(BPF.LD_IMM, 5), op(BPF.ST, 2), op(BPF.RET_K, 1)]);
  const frame = new Uint8Array(64);
  t.equal(both(readsMemory, frame, 0, 64, 64), 1);
  t.equal(both(readsMemory, frame, 0, 64, 64), 1, 'scratch memory starts at 0 on every run, whatever the previous run left');
});

t.test('jumps: JA, and each comparison with K and with X', async (t) => {
  const jump = (code: number, a: number, operand: number): number =>
    evaluate([op(BPF.LD_IMM, a), op(BPF.LDX_IMM, operand), op(code, operand, 0, 2), op(BPF.LD_IMM, 1), op(BPF.JA, 1), op(BPF.LD_IMM, 0)]);
  for (const [name, k, x, test] of [
    ['JEQ', BPF.JEQ_K, BPF.JEQ_X, (a: number, b: number) => a === b],
    ['JGT', BPF.JGT_K, BPF.JGT_X, (a: number, b: number) => a > b],
    ['JGE', BPF.JGE_K, BPF.JGE_X, (a: number, b: number) => a >= b],
    ['JSET', BPF.JSET_K, BPF.JSET_X, (a: number, b: number) => (a & b) !== 0],
  ] as const) {
    for (const [a, b] of [[5, 5], [6, 5], [4, 5], [0x80000000, 1], [1, 0x80000000], [0xffffffff, 0x7fffffff]]) {
      const want = test(a, b) ? 1 : 0;
      t.equal(jump(k, a, b), want, `${name} K ${a} ${b}`);
      t.equal(jump(x, a, b), want, `${name} X ${a} ${b}`);
    }
  }
});

t.test('load-time checks refuse what the kernel refuses', async (t) => {
  const ret = op(BPF.RET_K, 1);
  for (const [program, message] of [
    [[], /1 to 4096 instructions, this one 0/],
    [Array.from({ length: 4097 }, () => ret), /this one 4097/],
    [[op(0xff), ret], /instruction 0: unknown opcode 255/],
    [[op(BPF.JA, 1), ret], /instruction 0: jump by 1 leaves the program/],
    [[op(BPF.JEQ_K, 0, 0, 2), ret, ret], /jump by 2 leaves the program/],
    [[op(BPF.LD_MEM, 16), ret], /scratch memory index 16/],
    [[op(BPF.ST, 99), ret], /scratch memory index 99/],
    [[op(BPF.DIV_K, 0), ret], /division by the constant 0/],
    [[op(BPF.MOD_K, 0), ret], /division by the constant 0/],
    [[op(BPF.LSH_K, 32), ret], /shift by 32/],
    [[op(BPF.LD_W_ABS, 0xfffff000 + 4), ret], /Linux special offset/],
    [[op(BPF.LD_B_IND, 0xffe00000), ret], /Linux special offset/],
    [[op(BPF.LD_IMM, 1)], /instruction 0: the last instruction must be a return/],
  ] as const) {
    t.throws(() => BpfProgram.from(program as unknown as BpfInstruction[]), { code: 'ERR_INVALID_ARG', message }, String(message));
  }
  t.throws(() => BpfProgram.from(new Uint32Array(5)), { message: /not whole instructions/ });
  t.equal(BpfProgram.from(Uint32Array.of(BPF.RET_K, 0, 0, 7)).run(new Uint8Array(1), 0, 1, 1), 7, 'the addon\'s flat form');
});

t.test('the compiler: forward jumps become nested blocks; too many targets fall back to the interpreter', async (t) => {
  const source = bpfSource(compileFilter('udp port 53').instructions()) ?? '';
  t.notMatch(source, /switch|for \(|while/, 'straight-line code, no dispatch loop');
  t.match(source, /^L\d+: \{$/m, 'labelled blocks');
  // A chain of JEQs each skipping the next instruction when A equals its index: one target each.
  const many = MAX_COMPILED_TARGETS + 1;
  const chain: BpfInstruction[] = [];
  for (let i = 0; i < many; i++) chain.push(op(BPF.JEQ_K, i, 1, 0));
  for (let i = 0; i < 3; i++) chain.push(op(BPF.RET_K, i + 1));
  t.equal(compileBpf(chain), undefined, `${many} targets are not compiled`);
  const program = BpfProgram.from(chain);
  t.equal(program.compiled(new Uint8Array(1), 0, 1, 1), program.run(new Uint8Array(1), 0, 1, 1), 'the fallback is the interpreter');
});

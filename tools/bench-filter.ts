/**
 * Cost of a capture filter per frame, interpreted (BpfProgram.run) and compiled to JavaScript
 * (BpfProgram.compiled), over a pool of 64 crafted frames (UDP port 53, TCP, VLAN-tagged UDP, ARP).
 * Run: npx ts-node-transpile-only tools/bench-filter.ts ['filter' ...]   (needs libpcap0.8)
 * docs/capture.md quotes its numbers.
 */
import { compileFilter } from '../lib/pcap/filter';
import type { BpfFunction } from '../lib/pcap/bpf';
import { craft } from '../test/unit/frames';

const FRAMES = [craft({ dstPort: 53 }), craft({ l4: 'tcp' }), craft({ vlans: [3], dstPort: 53 }), craft({ l3: 'arp' })];
const BUFFER = 2048;
const pool = new Uint8Array(BUFFER * 64);
for (let i = 0; i < 64; i++) pool.set(FRAMES[i % FRAMES.length], i * BUFFER);

/** Nanoseconds per call of `run` over the pool (after a warm-up), and how many frames it accepted. */
function measure(run: BpfFunction, frames: number): { ns: number; accepted: number } {
  let accepted = 0;
  for (let w = 0; w < 200_000; w++) accepted += run(pool, (w & 63) * BUFFER, 60, 60) > 0 ? 1 : 0;
  accepted = 0;
  const start = process.hrtime.bigint();
  for (let w = 0; w < frames; w++) accepted += run(pool, (w & 63) * BUFFER, 60, 60) > 0 ? 1 : 0;
  return { ns: Number(process.hrtime.bigint() - start) / frames, accepted };
}

const filters = process.argv.length > 2 ? process.argv.slice(2) : ['udp', 'udp port 53', 'vlan and udp port 53', 'tcp[13] & 2 != 0'];
console.log('| filter | instructions | interpreter ns/frame | compiled ns/frame |');
console.log('|---|---:|---:|---:|');
for (const expression of filters) {
  const program = compileFilter(expression);
  const interpreted = measure((d, o, c, w) => program.run(d, o, c, w), 5_000_000);
  const compiled = measure(program.compiled, 5_000_000);
  if (interpreted.accepted !== compiled.accepted) throw new Error(`${expression}: the interpreter and the compiled function disagree`);
  console.log(`| \`${expression}\` | ${program.length} | ${interpreted.ns.toFixed(1)} | ${compiled.ns.toFixed(1)} |`);
}

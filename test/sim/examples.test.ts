// The examples run as the README shows them (npx ts-node-transpile-only examples/NAME.ts), with
// small limits, on the simulated card; their output carries the verdicts.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';

const ROOT = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

async function example(name: string, args: string[]): Promise<string> {
  // As a person runs it from a shell. tap puts its module hooks into every child's NODE_OPTIONS (they
  // would take .ts files away from ts-node), so the shell drops them before running the command.
  const command = `unset NODE_OPTIONS; exec npx ts-node-transpile-only examples/${name}.ts "$@"`;
  const { stdout } = await run('sh', ['-c', command, 'sh', ...args], { cwd: ROOT, timeout: 120_000 });
  return stdout;
}

t.test('pktgen.ts: every frame reaches the tester in sequence with valid checksums', async (t) => {
  const out = await example('pktgen', ['sim:0', '200000']);
  t.match(out, /^sent 200000 frames at [\d.]+ Mpps$/m);
  t.match(out, /^the tester received 200000, 0 gaps, 0 bad checksums$/m);
});

t.test('fwd.ts: forwards both ways between sim:0 and sim:1, with a rate line per second', async (t) => {
  const out = await example('fwd', ['sim:0', 'sim:1', '2']);
  t.match(out, /^[\d.]+ Mpps forwarded$/m, 'a per-second rate');
  const m = /^forwarded (\d+) frames in 2 s$/m.exec(out);
  t.ok(m !== null, 'a total line');
  // Both testers generate at 1 Mpps for 2 s; how much of it crosses depends on the machine's speed
  // (a speed target belongs in the benchmark), but frames must cross.
  t.ok(Number(m?.[1]) > 0, `forwarded ${m?.[1]}`);
});

t.test('capture.ts: writes a pcap with the frames asked for', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-example-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'x.pcap');
  await example('capture', ['sim:0', file, '100']);
  const bytes = fs.readFileSync(file);
  t.equal(bytes.readUInt32LE(0), 0xa1b2c3d4, 'pcap magic');
  // Global header 24 bytes, then 100 records of a 16-byte header plus the frame.
  let records = 0;
  for (let off = 24; off < bytes.length; off += 16 + bytes.readUInt32LE(off + 8)) records++;
  t.equal(records, 100, '100 frames');
});

t.test('filter.ts: keeps one flow of four in rotated pcapng files', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-example-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'f.pcapng');
  const out = await example('filter', ['sim:0', file, '250', 'udp src port 1025']);
  t.match(out, new RegExp(`^kept 250 frames of 'udp src port 1025' in 3 files: ${file} ${file}1 ${file}2$`, 'm'));
  const rejected = Number(/^the filter rejected (\d+) frames$/m.exec(out)?.[1]);
  t.ok(rejected > 0, `the other flows were rejected (${rejected})`);
  for (const f of [file, `${file}1`, `${file}2`]) t.equal(fs.readFileSync(f).readUInt32LE(0), 0x0a0d0d0a, `${f}: a pcapng section header`);
});

t.test('replay.ts: a replayed capture comes back identical on the other port', async (t) => {
  const out = await example('replay', []);
  t.match(out, /^replayed 100 frames of .*original\.pcap; sim:1 captured 100$/m);
  t.match(out, /^identical frame by frame: yes$/m);
});

t.test('trial.ts: sends on sim:0, receives on sim:1 through the cross wiring, none lost, per flow', async (t) => {
  const out = await example('trial', ['sim:0,wiring=cross', 'sim:1', '80000']);
  t.match(out, /^sent 80000, received 80000, lost 0, reordered 0, duplicated 0, corrupted 0$/m);
  t.equal(out.match(/^flow 10\.0\.0\.1:10\d\d -> 10\.0\.0\.2:1024: 10000\/10000, latency avg [\d.]+ us \(software\)$/gm)?.length, 8, '8 flows, all received');
});

t.test('flows.ts: an IMIX of 16 tagged flows at 2 Gbit/s reaches the tester', async (t) => {
  const out = await example('flows', ['sim:0', '12000']);
  // IMIX: 12 frames of 60, 590 (x4: 7 and 4) and 1514 bytes = 4294 bytes per 12 frames.
  t.match(out, /^sent 12000 frames, 4294000 bytes, [\d.]+ Gbit\/s on the wire \([\d.]+ of frames\)$/m);
  t.match(out, /^the far end received 12000$/m);
});

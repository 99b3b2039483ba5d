// Issue 3: the model under sanitizers (tools/sanitize.sh): ThreadSanitizer and ASan + UBSan + LSan on
// the model driven by a C++ forwarder thread, then the model's own tests in Node against ASan builds
// of both addons (tsnic.node and tsnic_sim.node). About a minute on two cores.
import { spawn } from 'node:child_process';
import path from 'node:path';
import t from 'tap';

const ROOT = path.resolve(__dirname, '..', '..');

t.test('tools/sanitize.sh: no race, no memory error, no leak, model tests pass on the ASan addons', async (t) => {
  // The script runs its own tap: without this run's tap variables and module hooks.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TAP|_TAPJS|NODE_OPTIONS$)/.test(k)));
  const command = `unset NODE_OPTIONS; exec tools/sanitize.sh 100000`;
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (c) => resolve({ code: c, out }));
  });
  if (code !== 0) t.comment(out.slice(-4000));
  t.equal(code, 0, 'exit 0');
  t.notMatch(out, /WARNING: ThreadSanitizer|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/, 'no sanitizer report');
  const runs = out.match(/100000 frames forwarded .* lost\/corrupt 0, DMA faults 0/g) ?? [];
  t.equal(runs.length, 2, 'TSan and ASan runs forwarded every frame intact');
  t.match(out, /# \{ total: \d+, pass: \d+ \}/, 'model tests passed on the ASan addons');
  // test/unit/addon-split.test.ts, run by the script, names the files the addons were mapped from.
  t.match(out, /# addons: \S*\/tsnic-sanitize\.\w+\/addon\/build\/Release\/tsnic\.node \S*\/tsnic-sanitize\.\w+\/addon\/build\/Release\/tsnic_sim\.node\n/, 'both addons were the ASan builds');
  t.match(out, /== sanitizers: clean/);
});

// Issue 8, teardown: however a process that owns NICs ends (close(), normal exit, SIGINT, SIGTERM, an
// uncaught exception in its loop), each device is stopped and reset before its DMA memory is freed.
// The simulated card is the judge: after the teardown it reports zero DMA faults and zero datasheet
// violations, among them memoryFreedWhileActive (memory released under an enabled queue), and the
// register trace at each release of DMA memory shows the port stopped and its reset completed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { SimCard } from '../../lib/bus/sim';
import type { Mode } from './fixtures/teardown-child';

const LOADER = require.resolve('@isaacs/ts-node-temp-fork-for-pr-2009/register/transpile-only');
const CHILD = path.join(__dirname, 'fixtures', 'teardown-child.ts');

interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: string[];
  stderr: string;
}

/** Runs the child in `mode`; in the signal modes sends that signal once it says `running`. */
function runChild(mode: Mode): Promise<ChildEnd> {
  // `-e` rather than an entry file: under tap, an entry file would go through the ESM loader (no TS).
  const entry = `require(${JSON.stringify(CHILD)}).run(process.argv[1])`;
  const child = spawn(process.execPath, ['-r', LOADER, '-e', entry, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if ((mode === 'SIGINT' || mode === 'SIGTERM') && stdout.includes('running\n')) child.kill(mode);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, lines: stdout.split('\n').filter((l) => l !== ''), stderr });
    });
  });
}

const ZERO_VIOLATIONS = Object.fromEntries(Object.keys(SimCard.create().violations(0)).map((k) => [k, 0]));

const cases: { mode: Mode; code: number | null; signal: NodeJS.Signals | null; reason: string; closed: number }[] = [
  { mode: 'close', code: 0, signal: null, reason: 'exit', closed: 0 },
  { mode: 'exit', code: 0, signal: null, reason: 'exit', closed: 2 },
  { mode: 'uncaught', code: 1, signal: null, reason: 'uncaughtException', closed: 2 },
  { mode: 'SIGINT', code: null, signal: 'SIGINT', reason: 'SIGINT', closed: 2 },
  { mode: 'SIGTERM', code: null, signal: 'SIGTERM', reason: 'SIGTERM', closed: 2 },
];

for (const c of cases) {
  t.test(`${c.mode}: devices stopped and reset before their memory is freed`, async (t) => {
    const end = await runChild(c.mode);
    t.equal(end.code, c.code, 'exit code');
    t.equal(end.signal, c.signal, 'ended by the signal it got (tsnic re-raises it after the teardown)');
    t.equal(end.lines[0], 'running', 'traffic was flowing when the end came');
    t.equal(end.lines.length, 2, 'one report');
    const report = JSON.parse(end.lines[1] ?? '{}') as Record<string, unknown>;
    t.equal(report.reason, c.reason);
    t.equal(report.closed, c.closed, 'devices the teardown closed');
    t.same(report.devicesClosed, [true, true]);
    t.same(report.stillOpen, []);
    const frees = report.frees as { frees: number; unsafe: number; problems: string[] }[];
    for (const [port, audit] of frees.entries()) {
      t.ok(audit.frees >= 2, `sim:${port}: its rings and its mempool were released (${audit.frees} frees)`);
      t.equal(audit.unsafe, 0, `sim:${port}: every release came after rx/tx stopped and a completed reset`);
      t.same(audit.problems, [], `sim:${port}: nothing missing before a release`);
    }
    t.equal(report.dmaFaults, 0, 'no DMA outside live memory');
    t.same(report.violations, [ZERO_VIOLATIONS, ZERO_VIOLATIONS], 'no datasheet violation on either port');
    if (c.mode === 'uncaught') t.match(end.stderr, /boom in the forwarding loop/, 'the error is still printed');
    else t.equal(end.stderr, '', 'nothing on stderr');
  });
}

t.test('the judge works: freeing a ring under an enabled queue is a memoryFreedWhileActive violation', async (t) => {
  const card = SimCard.create();
  t.teardown(() => card.close());
  const port = card.port(0);
  port.enableBusMastering();
  const ring = port.allocDma(4096, { hugepages: 'never' });
  const regs = port.bar0;
  // 82599 datasheet 8.2.3.8.1-8.2.3.8.2 and 8.2.3.8.6: RDBAL/RDBAH/RDLEN of queue 0, then RXDCTL.ENABLE.
  regs[0x01000 >>> 2] = ring.iova % 2 ** 32;
  regs[0x01004 >>> 2] = Math.floor(ring.iova / 2 ** 32);
  regs[0x01008 >>> 2] = 4096;
  regs[0x01028 >>> 2] |= 1 << 25;
  const until = Date.now() + 2000;
  while ((regs[0x01028 >>> 2] & (1 << 25)) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
  t.ok(regs[0x01028 >>> 2] & (1 << 25), 'queue enabled');
  port.freeDma(ring);
  t.equal(card.violations(0).memoryFreedWhileActive, 1, 'counted');
  t.equal(card.violations(1).memoryFreedWhileActive, 0, 'on that port only');
});

// Issue 8, teardown: however a process that owns NICs ends (close(), normal exit, SIGINT, SIGTERM, an
// uncaught exception in its loop), each device is stopped and reset before its DMA memory is freed.
// The simulated card is the judge: after the teardown it reports zero DMA faults and zero datasheet
// violations, among them memoryFreedWhileActive (memory released under an enabled queue), and the
// register trace at each release of DMA memory shows the port stopped and its reset completed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { SimCard } from '../../lib/bus/sim';
import { IxgbeDevice } from '../../lib/drivers/ixgbe';
import { auditFrees, signalOf, type FreeAudit, type Mode } from './fixtures/teardown-child';

/** A TypeScript require hook with a disk cache: a child then starts in a fraction of a second. */
const LOADER = path.join(__dirname, 'fixtures', 'ts-require-cached.cjs');
const CHILD = path.join(__dirname, 'fixtures', 'teardown-child.ts');

interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: string[];
  stderr: string;
}

/**
 * The environment without tap's: under tap, NODE_OPTIONS preloads its process-info hook, which adds a
 * signal-exit listener for SIGINT/SIGTERM, and the child would then not end as a plain application does.
 */
function plainEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !/^_?TAP/.test(k)));
}

/** Runs the child in `mode`; in the signal modes sends that signal once it says `running`. */
function runChild(mode: Mode): Promise<ChildEnd> {
  // `-e` rather than an entry file: under tap, an entry file would go through the ESM loader (no TS).
  const entry = `require(${JSON.stringify(CHILD)}).run(process.argv[1])`;
  const child = spawn(process.execPath, ['-r', LOADER, '-e', entry, mode], { stdio: ['ignore', 'pipe', 'pipe'], env: plainEnv() });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let stdout = '';
  let stderr = '';
  let signalled = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    const signal = signalOf(mode);
    if (signal !== undefined && !signalled && stdout.includes('running\n')) {
      signalled = true;
      child.kill(signal);
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, lines: stdout.split('\n').filter((l) => l !== ''), stderr });
    });
  });
}

function zeroViolations(): Record<string, number> {
  const card = SimCard.create();
  const zero = Object.fromEntries(Object.keys(card.violations(0)).map((k) => [k, 0]));
  card.close();
  return zero;
}
const ZERO_VIOLATIONS = zeroViolations();

// What each ending looks like from outside (documented in docs/errors.md's teardown notes): an
// unhandled signal is re-raised after the teardown, so the parent sees the signal, not an exit code;
// an application's own signal handler owns shutdown (the exit teardown finds nothing left open); an
// application listener that never ends the process gets a 2 s grace, then tsnic ends it by the signal.
const cases: {
  mode: Mode; code: number | null; signal: NodeJS.Signals | null; reason: string; closed: number; stderr?: RegExp; said?: string;
}[] = [
  { mode: 'close', code: 0, signal: null, reason: 'exit', closed: 0 },
  { mode: 'exit', code: 0, signal: null, reason: 'exit', closed: 2 },
  { mode: 'uncaught', code: 1, signal: null, reason: 'uncaughtException', closed: 2, stderr: /boom in the forwarding loop/ },
  { mode: 'rejection', code: 1, signal: null, reason: 'uncaughtException', closed: 2, stderr: /boom in an async forwarding loop/ },
  { mode: 'SIGINT', code: null, signal: 'SIGINT', reason: 'SIGINT', closed: 2 },
  { mode: 'SIGTERM', code: null, signal: 'SIGTERM', reason: 'SIGTERM', closed: 2 },
  { mode: 'SIGHUP', code: null, signal: 'SIGHUP', reason: 'SIGHUP', closed: 2 },
  { mode: 'SIGINT-handled', code: 0, signal: null, reason: 'exit', closed: 0, said: 'closed by the application' },
  { mode: 'SIGTERM-ignored', code: null, signal: 'SIGTERM', reason: 'SIGTERM', closed: 2 },
];

// Two children at a time (the machine has two cores), started up front; the subtests read their ends.
const ends = new Map<Mode, Promise<ChildEnd>>();
let queue: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
for (const [i, c] of cases.entries()) {
  const end = queue[i % 2].then(() => runChild(c.mode));
  ends.set(c.mode, end);
  queue[i % 2] = end;
}
queue = [];

for (const c of cases) {
  t.test(`${c.mode}: devices stopped and reset before their memory is freed`, async (t) => {
    const end = await (ends.get(c.mode) ?? runChild(c.mode));
    t.equal(end.code, c.code, 'exit code');
    t.equal(end.signal, c.signal, 'ended by a signal only when the signal ended it');
    t.equal(end.lines[0], 'running', 'traffic was flowing when the end came');
    t.same(end.lines.slice(1, -1), c.said === undefined ? [] : [c.said], 'what the application said');
    const report = JSON.parse(end.lines.at(-1) ?? '{}') as Record<string, unknown>;
    t.equal(report.reason, c.reason);
    t.equal(report.closed, c.closed, 'devices the teardown closed');
    t.same(report.devicesClosed, [true, true]);
    t.same(report.stillOpen, []);
    const frees = report.frees as FreeAudit[];
    for (const [port, audit] of frees.entries()) {
      t.ok(audit.frees >= 2, `sim:${port}: its rings and its mempool were released (${audit.frees} frees)`);
      t.equal(audit.unsafe, 0, `sim:${port}: every release came after rx/tx stopped and a completed reset`);
      t.same(audit.problems, [], `sim:${port}: nothing missing before a release`);
    }
    t.equal(report.dmaFaults, 0, 'no DMA outside live memory');
    t.same(report.violations, [ZERO_VIOLATIONS, ZERO_VIOLATIONS], 'no datasheet violation on either port');
    if (c.stderr !== undefined) t.match(end.stderr, c.stderr, 'the error is still printed');
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
  // ENABLE reads back as written at once; the model latches the queue on its next register scan
  // (microseconds: its thread spins). Without this pause the free could come first, rarely.
  await new Promise((r) => setTimeout(r, 20));
  port.freeDma(ring);
  t.equal(card.violations(0).memoryFreedWhileActive, 1, 'counted');
  t.equal(card.violations(1).memoryFreedWhileActive, 0, 'on that port only');
});

t.test('the reset judge works: memory released under a running port is flagged', async (t) => {
  const card = SimCard.create({ traceRegisters: true, linkUpDelayMs: 2 });
  t.teardown(() => card.close());
  const trace = card.trace(0);
  if (trace === undefined) throw new Error('no trace');
  const dev = await IxgbeDevice.open(card.port(0), {});
  const audit = auditFrees(dev, trace);
  dev.pci.close(); // frees rings and mempool with the queues still running: what close() must never do
  t.equal(audit.frees, 2, 'rings and mempool released');
  t.equal(audit.unsafe, 2, 'both flagged');
  t.match(audit.problems[0], /after the reset/, 'the queues were enabled after the last reset');
  t.ok(card.violations(0).memoryFreedWhileActive > 0, 'and the model agrees');
});

// Issue 14, teardown: close and every other ending of a process that receives on interrupts turn the
// interrupts off before the NIC is reset: the queue's vector masked in EIMC and the host's eventfds
// disabled (the register trace and a spy on the port say in which order), and a process whose waits
// are over exits by itself (the eventfd watchers do not keep the event loop alive).
import { spawn } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { IxgbeDevice } from '../../lib/drivers/ixgbe';
import { CTRL, REG } from '../../lib/drivers/ixgbe/registers';
import type { RegisterTrace } from '../../lib/bus/register-trace';
import type { SimPort } from '../../lib/bus/sim';
import type { IrqChildMode, IrqChildReport } from './fixtures/interrupts-child';
import { assertConformant, testCard } from './ixgbe-helpers';

const EIMC = 0x888;
const GPIE = 0x898;
const LOADER = path.join(__dirname, 'fixtures', 'ts-require-cached.cjs');
const CHILD = path.join(__dirname, 'fixtures', 'interrupts-child.ts');

function lastIndex(trace: RegisterTrace, end: number, match: (a: { op: string; offset: number; value: number }) => boolean): number {
  for (let i = Math.min(end, trace.accesses.length) - 1; i >= 0; i--) if (match(trace.accesses[i])) return i;
  return -1;
}

/** The trace index at which the port's host interrupts were turned off (-1: never while enabled). */
function spyHostOff(port: SimPort, trace: RegisterTrace): () => number {
  let at = -1;
  const disable = port.disableInterrupts.bind(port);
  port.disableInterrupts = () => {
    if (at < 0 && port.interruptsEnabled) at = trace.accesses.length;
    disable();
  };
  return () => at;
}

const isReset = (a: { op: string; offset: number; value: number }): boolean => a.op === 'write' && a.offset === REG.CTRL && (a.value & CTRL.RST) !== 0;

t.test('close: waiters woken, vector masked, routing removed and eventfds off, then the reset', async (t) => {
  const card = testCard(t, { traceRegisters: true });
  const port = card.port(0);
  const trace = card.trace(0);
  if (trace === undefined) throw new Error('no trace');
  const hostOff = spyHostOff(port, trace);
  const dev = await IxgbeDevice.open(port, { rxMode: 'adaptive' });
  t.ok(port.interruptsEnabled, 'MSI-X eventfds set up at open');
  const sleeping = dev.waitForRx(0);
  trace.clear();
  dev.close();
  t.equal(await sleeping, false, 'the sleeping waiter was woken by close');
  const reset = lastIndex(trace, Infinity, isReset);
  const masked = lastIndex(trace, reset, (a) => a.op === 'write' && a.offset === EIMC && (a.value & 1) !== 0);
  const gpieOff = lastIndex(trace, reset, (a) => a.op === 'write' && a.offset === GPIE && a.value === 0);
  t.ok(reset > 0, 'close reset the port');
  t.ok(masked >= 0 && masked < reset, `vector 0 masked (EIMC, access ${masked}) before the reset (access ${reset})`);
  t.ok(gpieOff >= 0 && gpieOff < reset, 'MSI-X mode left (GPIE 0) before the reset');
  t.ok(hostOff() >= 0 && hostOff() <= reset, `host eventfds off (before access ${hostOff()}) before the reset`);
  t.notOk(port.interruptsEnabled);
  assertConformant(t, card);
});

t.test('a failed interrupt set-up at open is undone before the open\'s own reset', async (t) => {
  const card = testCard(t, { traceRegisters: true });
  const port = card.port(0);
  const trace = card.trace(0);
  if (trace === undefined) throw new Error('no trace');
  const hostOff = spyHostOff(port, trace);
  const enable = port.enableInterrupts.bind(port);
  port.enableInterrupts = (kind, vectors, onVector) => {
    enable(kind, vectors, onVector);
    throw Object.assign(new Error('injected: the host failed after routing the vectors'), { code: 'ERR_INTERRUPTS' });
  };
  await t.rejects(IxgbeDevice.open(port, { rxMode: 'interrupt' }), { message: /injected/ });
  const reset = lastIndex(trace, Infinity, isReset);
  t.ok(hostOff() >= 0 && hostOff() <= reset, 'eventfds off before the clean-up reset');
  t.notOk(port.interruptsEnabled);
  t.equal(card.violations(0).memoryFreedWhileActive, 0);
});

/** The environment without tap's (see teardown.test.ts: tap preloads a signal hook into children). */
function plainEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !/^_?TAP/.test(k)));
}

interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  killed: boolean;
  said: string[];
  report?: IrqChildReport;
  stderr: string;
}

function runChild(mode: IrqChildMode): Promise<ChildEnd> {
  const entry = `require(${JSON.stringify(CHILD)}).run(process.argv[1])`;
  const child = spawn(process.execPath, ['-r', LOADER, '-e', entry, mode], { stdio: ['ignore', 'pipe', 'pipe'], env: plainEnv() });
  let killed = false;
  // A child that does not end by itself is a failure (reported, not waited for by tap's timeout).
  const killer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, 30_000);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (mode === 'SIGTERM' && stdout.includes('running\n') && !child.killed) child.kill('SIGTERM');
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const said = stdout.split('\n').filter((l) => l !== '');
      const json = said.find((l) => l.startsWith('{'));
      resolve({ code, signal, killed, said, stderr, ...(json === undefined ? {} : { report: JSON.parse(json) as IrqChildReport }) });
    });
  });
}

const endings: { mode: IrqChildMode; code: number | null; signal: NodeJS.Signals | null; reason: string }[] = [
  { mode: 'idle-exit', code: 0, signal: null, reason: 'exit' },
  { mode: 'SIGTERM', code: null, signal: 'SIGTERM', reason: 'SIGTERM' },
  { mode: 'uncaught', code: 1, signal: null, reason: 'uncaughtException' },
];

for (const e of endings) {
  t.test(`process ending '${e.mode}': interrupts off before the reset, the process ends`, async (t) => {
    const end = await runChild(e.mode);
    t.notOk(end.killed, `the child ended by itself (${end.said.join(' | ')}; stderr: ${end.stderr.slice(0, 400)})`);
    t.same({ code: end.code, signal: end.signal }, { code: e.code, signal: e.signal }, 'how it ended');
    t.ok(end.said.includes('running'), 'it reached the point where it ends');
    const r = end.report;
    if (r === undefined) {
      t.fail(`no report after the teardown; stderr: ${end.stderr}`);
      return;
    }
    t.equal(r.reason, e.reason);
    t.equal(r.closed, 1, 'the teardown closed the device');
    t.ok(r.reset >= 0, 'the port was reset');
    t.ok(r.masked >= 0 && r.masked < r.reset, `vector 0 masked (${r.masked}) before the reset (${r.reset})`);
    t.ok(r.hostOff >= 0 && r.hostOff <= r.reset, `host eventfds off (${r.hostOff}) before the reset`);
    t.equal(r.interruptsEnabled, false);
    t.same(r.violations, [], 'no datasheet violations');
    if (e.mode !== 'idle-exit') t.equal(r.received, 100, 'received every frame on interrupts first');
  });
}

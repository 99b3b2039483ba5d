// Issue 12, the mutation table: is the simulated 82599 as strict as silicon? Each variant of the ixgbe
// driver in fixtures/mutants.ts breaks one init step or one data-path rule; each runs the same
// workload (fixtures/mutant-scenario.ts) in a child process. A variant counts as caught only by the
// model's own reaction: a named violation, traffic that does not arrive, counters that do not balance,
// or an error the device's behaviour forced on the driver. The unbroken driver must run the same
// workload with none of these. Every variant must be caught: the workload's card has strict tails
// (docs/simulator.md), which closed the last three gaps (a tail moved before its descriptors were
// ready, on rx and tx, and DROP_EN drops read from RXMPC alone). The table is printed.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { ScenarioResult } from './fixtures/mutant-scenario';
import { MUTANTS, type Mutant } from './fixtures/mutants';

const ROOT = path.join(__dirname, '..', '..');
const LOADER = path.join(__dirname, 'fixtures', 'ts-require-cached.cjs');
const SCENARIO = path.join(__dirname, 'fixtures', 'mutant-scenario.ts');
const CHILD_TIMEOUT_MS = 60_000;

function plainEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !/^_?TAP/.test(k)));
  return { ...env, ...extra };
}

/** Runs the workload with `mutant` applied (none: the control); resolves with its result or a failure text. */
function runVariant(mutant: Mutant | undefined): Promise<ScenarioResult | { crashed: string }> {
  const entry = `require(${JSON.stringify(SCENARIO)}).run()`;
  const env = plainEnv(mutant === undefined ? {} : { TSNIC_MUTATION: JSON.stringify(mutant) });
  const child = spawn(process.execPath, ['-r', LOADER, '-e', entry], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, CHILD_TIMEOUT_MS);
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (timedOut) resolve({ crashed: `no result within ${CHILD_TIMEOUT_MS} ms` });
      else if (line === undefined) resolve({ crashed: `exit ${String(code ?? signal)}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
      else resolve(JSON.parse(line) as ScenarioResult | { crashed: string });
    });
  });
}

/** Everything in `r` that a correct driver on silicon would not show, as sentences. */
export function findings(r: ScenarioResult | { crashed: string }): string[] {
  if ('crashed' in r) return [`the run failed: ${r.crashed}`];
  const out: string[] = [];
  for (const [name, n] of Object.entries(r.violations)) out.push(`violation ${name} x${n}`);
  if (r.dmaFaults > 0) out.push(`${r.dmaFaults} DMA accesses outside live memory`);
  const p = r.phases;
  for (const [name, phase] of Object.entries(p)) {
    if (phase.error !== undefined) out.push(`${name}: ${phase.error}`);
    else if (!phase.completed) out.push(`${name}: traffic stopped before the phase's deadline (${JSON.stringify(phase)})`);
  }
  const tx = p.tx;
  if (tx !== undefined && Number(tx.peerDamaged) > 0) out.push(`tx: the peer found ${String(tx.peerDamaged)} frames missing, late or corrupt`);
  const trickle = p.trickle;
  if (trickle !== undefined && trickle.error === undefined && Number(trickle.missed) > 0) {
    out.push(`trickle: ${String(trickle.missed)} of ${String(trickle.peerSent)} frames missed at a rate any driver keeps up with`);
  }
  for (const name of ['trickle', 'rx', 'starve']) {
    const ph = p[name];
    if (ph === undefined || ph.error !== undefined) continue;
    const sent = Number(ph.peerSent);
    const accounted = Number(ph.received) + Number(ph.missed) + Number(ph.rxErrors);
    if (sent !== accounted) {
      out.push(`${name}: counters do not balance: peer sent ${sent}, received ${String(ph.received)} + missed ${String(ph.missed)} + errors ${String(ph.rxErrors)}`);
    }
  }
  const rx = p.rx;
  if (rx !== undefined && rx.error === undefined && (Number(rx.queue0) === 0 || Number(rx.queue1) === 0)) {
    out.push(`rx: RSS left a queue empty (queue 0: ${String(rx.queue0)}, queue 1: ${String(rx.queue1)})`);
  }
  const starve = p.starve;
  if (starve !== undefined && starve.error === undefined && Number(starve.bufferOverflows) > 0) {
    out.push(`starve: the shared packet buffer overflowed ${String(starve.bufferOverflows)} times while queue 1 was full (head-of-line blocking)`);
  }
  if (p.open !== undefined && p.open.completed && p.close === undefined) out.push('close: never reached');
  return out;
}

t.test('every variant still applies to the driver source', async (t) => {
  for (const m of MUTANTS) {
    let source = readFileSync(path.join(ROOT, m.file), 'utf8');
    for (const e of m.edits) {
      const first = source.indexOf(e.find);
      t.ok(first >= 0 && source.indexOf(e.find, first + 1) < 0, `${m.name}: its text occurs exactly once in ${m.file}`);
      source = source.replace(e.find, () => e.replace);
    }
  }
  t.ok(MUTANTS.length >= 25, `${MUTANTS.length} variants`);
});

t.test('the model catches broken drivers the way silicon would', async (t) => {
  const control = await runVariant(undefined);
  t.same(findings(control), [], 'the unbroken driver runs the whole workload cleanly');
  const results: { mutant: Mutant; found: string[] }[] = [];
  // Two children at a time: each spins one core while traffic flows.
  for (let i = 0; i < MUTANTS.length; i += 2) {
    const pair = MUTANTS.slice(i, i + 2);
    const runs = await Promise.all(pair.map((m) => runVariant(m)));
    pair.forEach((m, k) => results.push({ mutant: m, found: findings(runs[k]) }));
  }
  const caught = results.filter((r) => r.found.length > 0);
  const lines = results.map((r) => `${r.found.length > 0 ? 'caught ' : 'MISSED '} ${r.mutant.name.padEnd(32)} ${r.found[0] ?? ''}`);
  t.comment(`mutation table: ${caught.length} of ${results.length} caught (${Math.round((100 * caught.length) / results.length)}%)\n${lines.join('\n')}`);
  for (const r of results) t.not(r.found.length, 0, `${r.mutant.name} is caught (${r.mutant.silicon})`);
});

/**
 * Instructions per packet of a lockstep point, counted by Valgrind's callgrind (docs/benchmark.md,
 * "Instructions per packet"): this VM exposes no hardware counter (`perf stat -e instructions` is not
 * supported), and callgrind's count is deterministic, unlike a clock on a shared machine.
 *
 * The point runs in a child process (count-main.ts) under callgrind, which dumps the main thread's
 * instructions between the count markers. The model's share is the inclusive count of its passes
 * (`tsnic::sim::SimStep`, or the reference's `LockstepPass` wrapper around it); for TypeScript also the
 * call into the model per pass (JavaScript -> N-API -> SimStep), taken from the child's calibration
 * region on an idle card. The driver's instructions per packet are what remains over the packets.
 * The simulated card's access trap needs the CPU's single-step flag, which Valgrind does not emulate:
 * the child runs with TSNIC_SIM_NO_ACCESS_TRAP=1 (the hot path touches no trapped page; the timed
 * points keep the trap and its checks).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inclusiveOf, optimizedJsSelf, parseCallgrind, parsePerfMap, type CallgrindDump } from './callgrind';
import { CALIBRATION_PASSES } from './count-main';
import type { BenchImpl, BenchMode } from './results';

/** What to count. */
export interface CountSpec {
  impl: BenchImpl;
  mode: BenchMode;
  batch: number;
  /** Frame size without FCS. */
  frameSize: number;
  /** Packets of the warm-up and of the counted loop each. */
  packets: number;
}

/** What a count found. */
export interface InstructionCount {
  /** Packets of the counted loop. */
  packets: number;
  /** The driver's instructions per packet. */
  driverPerPacket: number;
  /** The model's instructions per packet, including (TypeScript) the calls into it. */
  modelPerPacket: number;
  /**
   * TypeScript only (null for the reference): instructions per packet of V8-optimized code in the
   * counted loop (`JS:*` in the child's perf map): the driver's hot path and the loop around it,
   * without the model, the N-API glue, or code that ran interpreted, in baseline code or in V8's
   * runtime while it was still tiering up. Unlike {@link driverPerPacket} it does not move with how
   * much of the run V8 spent getting there (docs/benchmark.md, "Instructions per packet").
   */
  optimizedJsPerPacket: number | null;
}

/**
 * How to start the child with extra arguments: node and the compiled count-main.js by default; tests
 * that run from the TypeScript sources pass node with their loader.
 */
export type ChildCommand = readonly string[];

const DEFAULT_CHILD: ChildCommand = [process.execPath, path.join(__dirname, 'count-main.js')];

/**
 * V8 flags of the counting child: a perf map names the JIT code in the dumps, and compiling on the
 * main thread makes when code tiers up a function of the work done (under Valgrind a background
 * compile finishes at a time the thread scheduler picks).
 */
const CHILD_V8_FLAGS = ['--perf-basic-prof', '--no-concurrent-recompilation', '--no-concurrent-osr'];

/** The Valgrind version line, or undefined when `valgrind` is not on the PATH. */
export function valgrindVersion(): string | undefined {
  const r = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The perf map the counting child wrote (`perf-<pid>.map` in the temporary directory; the pid from its dumps' names), if it ran. */
function perfMapOf(dir: string): string | undefined {
  const pid = fs.readdirSync(dir).map((name) => /^cg\.(\d+)/.exec(name)?.[1]).find((p) => p !== undefined);
  // V8 writes the map to /tmp whatever TMPDIR says.
  return pid === undefined ? undefined : `/tmp/perf-${pid}.map`;
}

function readDumps(dir: string): CallgrindDump[] {
  // --separate-threads=yes names a marked dump cg.<pid>.<n>-<thread> (the main thread is 01) and the
  // one written at exit cg.<pid>-<thread>.
  const part = (f: string): number => Number(/^cg\.\d+\.(\d+)-01$/.exec(f)?.[1] ?? NaN);
  const files = fs.readdirSync(dir).filter((f) => Number.isInteger(part(f)));
  files.sort((a, b) => part(a) - part(b));
  return files.map((f) => parseCallgrind(fs.readFileSync(path.join(dir, f), 'utf8')));
}

/** Runs that may fail before the counted loop (see {@link countInstructions}). */
const ATTEMPTS = 3;

/**
 * Counts one point under callgrind; throws with the child's output when the run fails. The driver's
 * open waits on the model with wall-clock timeouts (EEPROM, reset, link) that a Valgrind run on a busy
 * machine can overrun; such a run fails before the counted loop and is tried again, up to
 * {@link ATTEMPTS} times (the count itself does not depend on time).
 */
export function countInstructions(spec: CountSpec, child: ChildCommand = DEFAULT_CHILD): InstructionCount {
  for (let attempt = 1; ; attempt++) {
    try {
      return countOnce(spec, child);
    } catch (err) {
      if (attempt >= ATTEMPTS || !(err instanceof ChildFailed)) throw err;
    }
  }
}

class ChildFailed extends Error {}

function countOnce(spec: CountSpec, child: ChildCommand): InstructionCount {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-callgrind-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, TSNIC_SIM_NO_ACCESS_TRAP: '1' };
    delete env.NODE_OPTIONS;
    const r = spawnSync('valgrind', [
      '--tool=callgrind', `--callgrind-out-file=${path.join(dir, 'cg.%p')}`, '--separate-threads=yes',
      // JIT code is written at run time; the model thread and the JavaScript thread spin on each other
      // while the driver opens (fair scheduling lets both run).
      '--smc-check=all-non-file', '--fair-sched=yes',
      '--zero-before=tsnic_count_begin', '--dump-before=tsnic_count_end',
      // --perf-basic-prof also opens V8's code log, isolate-*-v8.log in the working directory: kept in
      // the temporary directory instead, which goes with the rest.
      child[0], ...CHILD_V8_FLAGS, '--no-logfile-per-isolate', `--logfile=${path.join(dir, 'v8.log')}`, ...child.slice(1), spec.impl, spec.mode, String(spec.batch), String(spec.frameSize), String(spec.packets),
    ], { encoding: 'utf8', env, timeout: 900_000, maxBuffer: 64 << 20 });
    if (r.error !== undefined || r.status !== 0) {
      throw new ChildFailed(`callgrind count of ${spec.impl} ${spec.mode} batch ${spec.batch} failed (${r.error?.message ?? `exit ${String(r.status)}`}): ${r.stderr.split('\n').filter((l) => !l.startsWith('==')).join('\n').trim()}`);
    }
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { packets: number; passes: number | null };
    const mapFile = perfMapOf(dir);
    const perfMap = parsePerfMap(mapFile !== undefined && fs.existsSync(mapFile) ? fs.readFileSync(mapFile, 'utf8') : '');
    const dumps = readDumps(dir);
    const expected = spec.impl === 'ts' ? 2 : 1;
    if (dumps.length !== expected) throw new Error(`callgrind wrote ${dumps.length} marked dumps of the main thread, expected ${expected}`);
    const point = dumps[dumps.length - 1];
    let model: number;
    let optimizedJsPerPacket: number | null = null;
    if (spec.impl === 'native') {
      model = inclusiveOf(point, 'tsnic::(anonymous namespace)::LockstepPass');
    } else {
      const cal = dumps[0];
      const perCall = (cal.total - inclusiveOf(cal, 'tsnic::sim::SimStep')) / CALIBRATION_PASSES;
      model = inclusiveOf(point, 'tsnic::sim::SimStep') + perCall * (out.passes ?? 0);
      if (perfMap.length === 0) throw new Error('the counting child left no perf map in the temporary directory: node did not honour --perf-basic-prof');
      optimizedJsPerPacket = optimizedJsSelf(point, perfMap) / out.packets;
    }
    if (model <= 0) throw new Error('callgrind dump has no model passes: the markers or the model symbols were not found (is the addon stripped?)');
    return { packets: out.packets, driverPerPacket: (point.total - model) / out.packets, modelPerPacket: model / out.packets, optimizedJsPerPacket };
  } finally {
    const mapFile = perfMapOf(dir);
    if (mapFile !== undefined) fs.rmSync(mapFile, { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

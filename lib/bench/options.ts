/** Command line of `npm run bench` (see docs/benchmark.md). */
import { TsnicError } from '../errors';
import { BENCH_MODES, type BenchMode } from './results';

/** Parsed options. */
export interface BenchOptions {
  /** Print the results as JSON instead of the table. */
  json: boolean;
  /** Seconds per measured point (default 0.5). */
  seconds: number;
  /** Packets per measured point, 0 for no limit (default); a point stops at whichever comes first. */
  packets: number;
  /** The 50-million-frame forwarding heap check instead of the sweep (with --lockstep: in lockstep). */
  long: boolean;
  /** Modes to run. */
  modes: BenchMode[];
  /** Batch sizes of the 64-byte sweep. */
  batches: number[];
  /** Only the lockstep points (driver cost per packet, model time subtracted). */
  lockstep: boolean;
  /** Only the interrupt measurements (lib/bench/interrupts.ts, docs/interrupts.md). */
  interrupts: boolean;
  /** Count each lockstep point's instructions per packet under Valgrind's callgrind (about a minute per point). */
  instructions: boolean;
  /** Lockstep points: runs per point, the one with the lowest driver ns per packet kept (other load only adds). */
  repeat: number;
  /** Skip the native reference. */
  noNative: boolean;
  /** Directory for the SVG and JSON files. */
  outDir: string;
}

/** The usage text. */
export const USAGE = `usage: npm run bench -- [--json] [--seconds S] [--packets N] [--long] [--lockstep | --interrupts] [--modes tx,rx,forward]
                        [--batches 1,2,4,...] [--repeat N] [--instructions] [--no-native] [--out DIR]`;

function numberArg(name: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n < min || n > max) {
    throw new TsnicError('ERR_INVALID_ARG', `${name} needs a number from ${min} to ${max}, got ${String(v)}\n${USAGE}`);
  }
  return n;
}

/** Parses `argv` (without node and script); ERR_INVALID_ARG with the usage on a bad option. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = {
    json: false, seconds: 0.5, packets: 0, long: false, lockstep: false, interrupts: false, instructions: false, repeat: 1,
    modes: [...BENCH_MODES],
    batches: [1, 2, 4, 8, 16, 32, 64, 128, 256], noNative: false, outDir: 'bench-results',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--json': o.json = true; break;
      case '--long': o.long = true; break;
      case '--lockstep': o.lockstep = true; break;
      case '--interrupts': o.interrupts = true; break;
      case '--no-native': o.noNative = true; break;
      case '--instructions': o.instructions = true; break;
      case '--repeat': o.repeat = Math.floor(numberArg(a, argv[++i], 1, 100)); break;
      case '--seconds': o.seconds = numberArg(a, argv[++i], 0.01, 600); break;
      case '--packets': o.packets = Math.floor(numberArg(a, argv[++i], 0, 1e12)); break;
      case '--out': o.outDir = argv[++i] ?? ''; break;
      case '--modes': {
        const modes = (argv[++i] ?? '').split(',');
        for (const m of modes) {
          if (!BENCH_MODES.includes(m as BenchMode)) {
            throw new TsnicError('ERR_INVALID_ARG', `--modes takes tx, rx and forward, got ${m}\n${USAGE}`);
          }
        }
        o.modes = modes as BenchMode[];
        break;
      }
      case '--batches':
        o.batches = (argv[++i] ?? '').split(',').map((b) => Math.floor(numberArg('--batches', b, 1, 256)));
        break;
      default:
        throw new TsnicError('ERR_INVALID_ARG', `unknown option ${a}\n${USAGE}`);
    }
  }
  if (o.interrupts && (o.long || o.lockstep)) {
    throw new TsnicError('ERR_INVALID_ARG', `--interrupts runs alone: not with --long or --lockstep\n${USAGE}`);
  }
  if (o.outDir === '') throw new TsnicError('ERR_INVALID_ARG', `--out needs a directory\n${USAGE}`);
  return o;
}

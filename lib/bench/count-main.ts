/**
 * The child process of an instruction count (lib/bench/instructions.ts starts it under callgrind):
 * `count-main <ts|native> <mode> <batch> <frameSize> <packets>`. For TypeScript it first runs
 * {@link CALIBRATION_PASSES} model passes on an idle lockstep card between the count markers (dump 1:
 * what one pass costs outside the model's own code), then the lockstep point with a warm-up of the same
 * packet count and the measured loop between the markers (dump 2). The native reference marks its own
 * loop (dump 1). Prints `{ packets, passes }` as JSON on stdout.
 */
import { findDriver } from '../drivers/index';
import { benchNative } from './binding';
import { modelPass } from './lockstep-loops';
import { newLockstepCard, runNativeLockstep, runTsLockstepLoop } from './lockstep-points';
import type { BenchMode } from './results';

/** Model passes of the TypeScript calibration region. */
export const CALIBRATION_PASSES = 2000;

function calibrate(): void {
  const card = newLockstepCard();
  try {
    const pass = modelPass(card);
    const handle = card.handle;
    for (let i = 0; i < CALIBRATION_PASSES; i++) pass(handle, 1);
    benchNative.benchCountBegin();
    for (let i = 0; i < CALIBRATION_PASSES; i++) pass(handle, 1);
    benchNative.benchCountEnd();
  } finally {
    card.close();
  }
}

/** Runs the count for `argv` (see the file header); resolves to what it printed. */
export async function countMain(argv: readonly string[]): Promise<string> {
  const [impl, mode, batch, frameSize, packets] = argv;
  const spec = {
    mode: mode as BenchMode,
    batch: Number(batch),
    frameSize: Number(frameSize),
    // Packets only: the warm-up runs as many packets as the measured loop, whatever the clock says.
    limit: { seconds: 3600, packets: Number(packets) },
    warmupSeconds: 3600,
    warmupPackets: Number(packets),
  };
  let out: { packets: number; passes: number | null };
  if (impl === 'native') {
    const c = await runNativeLockstep(spec);
    out = { packets: c.packets, passes: null };
  } else {
    const driver = findDriver(0x8086, 0x10fb);
    if (driver === undefined) throw new Error('no driver claims the simulated 82599 (8086:10fb)');
    calibrate();
    const r = await runTsLockstepLoop(driver, spec);
    out = { packets: r.packets, passes: r.passes };
  }
  const text = JSON.stringify(out);
  process.stdout.write(text + '\n');
  return text;
}

if (require.main === module) {
  countMain(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}

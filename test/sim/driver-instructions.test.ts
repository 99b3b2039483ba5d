// A regression guard for the driver's hot path that does not time anything (issue 15; docs/benchmark.md,
// "Instructions per packet"): the lockstep forwarder at batch 32 with 64-byte frames, counted under
// Valgrind's callgrind. What is compared is the instructions per packet of V8-optimized code in the
// counted loop (InstructionCount.optimizedJsPerPacket): the driver's rx, tx and buffer recycling plus
// the small loop around them, without the model and without V8's tier-up work. That figure held within
// 1% between a 100 000 and a 200 000 packet run (523.0 and 526.1, before the last hot-path changes),
// where the whole region's count moved from 949 to 609 with when V8 compiled what.
import path from 'node:path';
import t from 'tap';
import { countInstructions, valgrindVersion } from '../../lib/bench/instructions';

/**
 * Optimized-JavaScript instructions per forwarded packet, recorded 2026-11-26 (see docs/benchmark.md), as
 * this test counts them: from the sources through the test loader (whose transpiled JavaScript can
 * compile to a slightly different count than tsc's output in dist/; at this record both gave 446).
 */
const RECORDED = 446;
/** A change that costs more than this fraction over the record fails the test. */
const MARGIN = 0.1;

const LOADER = path.join(__dirname, 'fixtures', 'ts-require-cached.cjs');
const COUNT_MAIN = path.join(__dirname, '..', '..', 'lib', 'bench', 'count-main.ts');
/** The counting child from the TypeScript sources (`node -e`: its arguments follow in process.argv[1..]). */
const CHILD = [
  process.execPath, '-r', LOADER, '-e',
  `require(${JSON.stringify(COUNT_MAIN)}).countMain(process.argv.slice(1)).catch((e) => { console.error(e); process.exit(1); })`,
];

t.test('the lockstep forwarder stays within its recorded instructions per packet', async (t) => {
  if (valgrindVersion() === undefined) {
    t.fail('valgrind is not installed: apt-get install valgrind (.ci/run installs it); this guard cannot run without it');
    return;
  }
  const n = countInstructions({ impl: 'ts', mode: 'forward', batch: 32, frameSize: 60, packets: 100_000 }, CHILD);
  const per = n.optimizedJsPerPacket ?? NaN;
  t.comment(`optimized JavaScript ${per.toFixed(1)} instructions per forwarded packet (record ${RECORDED}); whole driver region ${n.driverPerPacket.toFixed(0)}, model ${n.modelPerPacket.toFixed(0)}`);
  t.equal(n.packets >= 100_000, true, `the counted loop forwarded ${n.packets} packets`);
  t.ok(per > RECORDED / 3, `the count found the optimized loop (${per.toFixed(1)} per packet): far below the record means the perf map or the markers broke`);
  t.ok(per <= RECORDED * (1 + MARGIN), `${per.toFixed(1)} instructions per packet is within ${MARGIN * 100}% of the record ${RECORDED}: a hot-path change that costs more must say why in docs/benchmark.md and move the record`);
  if (per < RECORDED * (1 - MARGIN)) t.comment(`the hot path got cheaper than the record by more than ${MARGIN * 100}%: lower RECORDED to keep the guard tight`);
});

t.test('the guard fails a hot path that allocates and calls a closure per packet', async (t) => {
  if (valgrindVersion() === undefined) {
    t.fail('valgrind is not installed: apt-get install valgrind (.ci/run installs it)');
    return;
  }
  // The loader (fixtures/ts-require-cached.cjs) applies TSNIC_MUTATION in the child: the rx run loop
  // wraps each buffer id and each length in an array and maps it through an arrow function, the kind of
  // per-packet allocation and closure the hot-path rules forbid.
  process.env.TSNIC_MUTATION = JSON.stringify({
    file: 'lib/drivers/common/adv-rx-queue.ts',
    edits: [
      { find: '      ids[k] = slots[i];\n', replace: '      ids[k] = [slots[i]].map((id) => id)[0];\n' },
      { find: '      lengths[k] = ring[w + 3] & lengthMask;\n', replace: '      lengths[k] = [ring[w + 3] & lengthMask].map((l) => l)[0];\n' },
    ],
  });
  try {
    const n = countInstructions({ impl: 'ts', mode: 'forward', batch: 32, frameSize: 60, packets: 100_000 }, CHILD);
    const per = n.optimizedJsPerPacket ?? NaN;
    t.ok(per > RECORDED * (1 + MARGIN), `the broken hot path counts ${per.toFixed(1)} instructions per packet, over the guard's ${(RECORDED * (1 + MARGIN)).toFixed(0)}`);
  } finally {
    delete process.env.TSNIC_MUTATION;
  }
});

// The bridge suite (issue 17): a Linux software bridge in a QEMU guest as the device under test,
// tsnic on both sides of it (two vfio-bound e1000s), measuring it with RFC 2544 at the small scale
// software emulation allows. Checks that the results are consistent: no loss at a low rate, every
// frame accounted for, latency above zero and below the trial length, throughput below line rate.
// Prints the bridge's RFC 2544 table. Skipped, visibly, outside CI when QEMU is missing; under
// CI=true it must run.
import t, { type Test } from 'tap';
import type { GuestRunResult } from '../../tools/qemu/harness';
import { INSTALL_HINT, unavailableReason } from '../../tools/qemu/prepare';
import type { LatencySummary } from '../../lib/apps/latency';
import type { Rfc2544Result, TrialResult } from '../../lib/apps/rfc2544';
import { bootSuite } from './boot';
import { BRIDGE_PLAN } from './guest/bridge-plan';

const inCi = process.env.CI === 'true';
const why = unavailableReason();

interface Results {
  fatal?: string;
  bridge?: { error?: string; links: string[] };
  open?: { error?: string; macA: string; macB: string; linkA: { up: boolean; speedMbps: number }; timesync: boolean };
  lowRate?: TrialResult & { error?: string };
  latency?: { error?: string; trial: TrialResult; latency: LatencySummary };
  rfc2544?: { error?: string; table: string; result: Rfc2544Result; bridgeDrops: Record<string, Record<string, number>> };
}

function accounted(t: Test, what: string, r: TrialResult): void {
  t.equal(r.received + r.lost, r.sent, `${what}: received ${r.received} + lost ${r.lost} = sent ${r.sent}`);
}

if (why !== undefined && !inCi) {
  t.comment(`qemu bridge suite skipped: ${why}. To run it: ${INSTALL_HINT}`);
  t.plan(0, `qemu bridge suite skipped: ${why}`);
} else {
  let run: GuestRunResult | undefined;
  let results: Results = {};

  t.before(async () => {
    if (why !== undefined) throw new Error(`CI=true but the qemu bridge suite cannot run: ${why}. ${INSTALL_HINT}`);
    ({ run, results } = await bootSuite<Results>(t, 'bridge', [
      { hub: 0, bind: 'vfio' },
      { hub: 0, bind: 'kernel-up' },
      { hub: 1, bind: 'kernel-up' },
      { hub: 1, bind: 'vfio' },
    ], 9 * 60_000));
  });

  t.test('the guest bridged X and Y, opened A and B, and exited 0', async (t) => {
    t.equal(run?.failure, undefined, 'no harness failure');
    t.equal(run?.exitCode, 0, 'exit code 0');
    t.equal(results.fatal, undefined, 'no uncaught error in the guest');
    if (run !== undefined && run.exitCode !== 0) t.comment(run.output);
    t.equal(results.bridge?.error, undefined, 'br0 created with both ports');
    t.equal(results.open?.error, undefined, 'both vfio NICs opened');
    t.equal(results.open?.linkA.up, true, 'link up');
    t.equal(results.open?.timesync, false, 'the e1000 has no IEEE 1588 clock: software timestamps');
  });

  t.test('no loss at a low rate, every frame accounted for', async (t) => {
    const r = results.lowRate;
    t.equal(r?.error, undefined, 'the trial ran');
    if (r === undefined || r.error !== undefined) return;
    // How many the emulated sender manages depends on the host's load; that some went is what counts.
    t.ok(r.sent > 0, `${r.sent} frames sent (${Math.round(r.offeredPps)} pps offered of ${BRIDGE_PLAN.lowRate.ratePps} asked)`);
    t.equal(r.lost, 0, 'nothing lost through the bridge at a low rate');
    accounted(t, 'low rate', r);
    t.equal(r.seqGaps, 0, 'no sequence number missing');
  });

  t.test('latency through the bridge: above zero, below the trial length, software timestamps', async (t) => {
    const r = results.latency;
    t.equal(r?.error, undefined, 'the latency run ran');
    if (r === undefined || r.error !== undefined) return;
    const l = r.latency;
    t.equal(l.timestamps, 'software', 'e1000: timestamps from the host clock, and said so');
    t.ok(l.samples > 0, `${l.samples} probes timed of ${l.probesSent}`);
    t.ok(l.minNs > 0, `min latency ${(l.minNs / 1e3).toFixed(1)} us is above zero`);
    t.ok(l.maxNs < BRIDGE_PLAN.latency.durationS * 1e9, `max latency ${(l.maxNs / 1e3).toFixed(1)} us is below the trial length`);
    accounted(t, 'latency load', r.trial);
  });

  t.test('RFC 2544 of the bridge: consistent throughput, latency and loss; the table', async (t) => {
    const r = results.rfc2544;
    t.equal(r?.error, undefined, 'the RFC 2544 run ran');
    if (r === undefined || r.error !== undefined) return;
    t.comment(`\n${r.table}`);
    t.equal(r.result.timestamps, 'software', 'software timestamps on the e1000');
    t.equal(r.result.sizes.length, BRIDGE_PLAN.rfc2544.frameSizes.length, 'every frame size measured');
    for (const s of r.result.sizes) {
      t.ok(s.throughputPps > 0, `${s.frameSize} B: a zero-loss rate was found (${Math.round(s.throughputPps)} pps)`);
      t.ok(s.throughputPps < s.lineRatePps, `${s.frameSize} B: throughput below line rate (${s.throughputPct.toFixed(2)}%)`);
      for (const x of [...s.searchTrials, ...(s.latencyTrial === undefined ? [] : [s.latencyTrial]), ...s.loss.map((p) => p.trial)]) {
        accounted(t, `${s.frameSize} B at ${Math.round(x.ratePps)} pps`, x);
      }
      const l = s.latency;
      t.ok(l !== undefined && l.samples > 0 && l.minNs > 0 && l.maxNs < r.result.trialS * 1e9,
        `${s.frameSize} B: latency at the throughput rate within (0, trial length): ${l === undefined ? 'none' : `${l.samples} probes`}`);
    }
  });
}

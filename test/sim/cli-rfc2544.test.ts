// `tsnic rfc2544` on the simulated card: port 0 -> port 1 through a device under test that forwards
// 500 frames per second (maxRate knob on sim:0's line); the command finds that rate within its
// resolution and writes the JSON result and both SVG plots. The "line" is 1 Mbit/s (1488 pps at 64
// bytes), a rate any host offers however busy; the device's queue (300 frames) absorbs the bursts a
// descheduled sender or model thread makes, and 4 s trials overflow it once the rate exceeds the
// limit by 75 pps, half the resolution (149 pps).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { Rfc2544Result } from '../../lib/apps/rfc2544';
import { tsnic } from './cli-run';

t.test('tsnic rfc2544 finds the rate a simulated device under test forwards', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-rfc2544-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const limit = 500;
  const json = await tsnic([
    'rfc2544', `sim:0,wiring=cross,linkUpDelayMs=2,maxRate=${limit}pps,queue=300`, 'sim:1', '--sizes', '64', '--trial', '4',
    '--line-mbps', '1', '--resolution', '10', '--loss-steps', '100', '--probe-interval', '20', '--json',
    '--plot', path.join(dir, 'loss.svg'), '--latency-plot', path.join(dir, 'lat.svg'),
  ], { timeoutMs: 300_000 });
  t.equal(json.code, 0, `exit 0 (stderr: ${json.stderr.slice(-400)})`);
  t.match(json.stderr, /64 B search: 1488 pps asked/, 'each trial is reported on stderr');
  t.match(fs.readFileSync(path.join(dir, 'loss.svg'), 'utf8'), /^<svg [^]*<polyline [^]*<\/svg>\n$/, 'the loss plot is an SVG with a curve');
  t.match(fs.readFileSync(path.join(dir, 'lat.svg'), 'utf8'), /^<svg [^]*hardware timestamps[^]*<\/svg>\n$/, 'the latency histogram is an SVG');
  const r = JSON.parse(json.stdout) as Rfc2544Result;
  t.equal(r.timestamps, 'hardware', 'hardware timestamps');
  const s = r.sizes[0];
  const step = (10 / 100) * s.lineRatePps;
  t.ok(Math.abs(s.throughputPps - limit) <= step,
    `throughput ${Math.round(s.throughputPps)} pps within ${Math.round(step)} pps of the knob's ${limit} ` +
      `(trials ${s.searchTrials.map((x) => `${Math.round(x.ratePps)}/${Math.round(x.offeredPps)}:${x.lost}`).join(' ')})`);
  for (const x of s.searchTrials) t.equal(x.received + x.lost, x.sent, `${Math.round(x.ratePps)} pps: received + lost = sent`);
});

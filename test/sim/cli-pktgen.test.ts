// The command lines run with a --duration bound as well as their --count: a run whose traffic stops
// ends within seconds and its totals say how far it got, instead of running until the test's timeout.
import t from 'tap';
import { startTsnic, tsnic } from './cli-run';

t.test('tsnic pktgen sim:0 --count 1000000 --json ends with the totals the tester confirms', async (t) => {
  // --duration bounds a run whose traffic stops; generous, since a loaded machine sends slowly.
  const r = await tsnic(['pktgen', 'sim:0', '--count', '1000000', '--duration', '100', '--json'], { timeoutMs: 150_000 });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stderr, '');
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const last = lines[lines.length - 1];
  t.match(last, {
    type: 'total', device: 'sim:0', tx_packets: 1000000, tx_bytes: 60000000, peer_rx_packets: 1000000,
    peer_seq_gaps: 0, peer_bad_checksums: 0,
  }, `the totals: ${JSON.stringify(last)}`);
  for (const key of ['tx_packets', 'tx_bytes', 'rx_packets', 'rx_bytes', 'rx_missed', 'rx_errors', 'seconds', 'mpps', 'gbps']) {
    t.type(last[key], 'number', `${key} is a number`);
  }
  t.ok(lines.slice(0, -1).every((l) => l.type === 'interval'), 'every earlier line is an interval');
});

t.test('plain output (piped): interval lines and a readable total line', async (t) => {
  const r = await tsnic(['pktgen', 'sim:1', '--count', '5000', '--duration', '10', '--size', '1514', '--batch', '16', '--dst-mac', '02:00:00:00:00:09']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^sim:1 total: [\d.]+ s, tx 5000 packets 7570000 bytes, .*peer received 5000 \(0 sequence gaps, 0 bad checksums\)\n$/m);
  t.notOk(r.stdout.includes('\r') || r.stdout.includes('\u001b['), 'no terminal control characters when piped');
});

t.test('Ctrl-C stops pktgen cleanly: exit 0, totals printed, every sent frame seen by the tester', async (t) => {
  const child = startTsnic(['pktgen', 'sim:0', '--rate', '0.5Mpps', '--json']);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  // Interrupt once the first interval line shows that frames flow.
  const started = Date.now();
  while (!stdout.includes('"interval"') && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 20));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.equal(code, 0, stderr);
  const last = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, number | string>;
  t.equal(last.type, 'total');
  t.ok((last.tx_packets as number) > 0);
  t.equal(last.peer_rx_packets, last.tx_packets);
  t.equal(last.peer_seq_gaps, 0);
});

t.test('fwd and stats on the simulated card run for --duration and report both ports', async (t) => {
  const fwd = await tsnic(['fwd', 'sim:0', 'sim:1', '--duration', '1.5', '--json']);
  t.equal(fwd.code, 0, fwd.stderr);
  const lines = fwd.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | string>);
  const totals = lines.filter((l) => l.type === 'total');
  t.same(totals.map((l) => l.device), ['sim:0', 'sim:1']);
  t.ok(totals.every((l) => (l.rx_packets as number) > 0 && (l.tx_packets as number) > 0), 'traffic both ways');
  t.ok(lines.some((l) => l.type === 'interval' && l.device === 'sim:1'));
  const stats = await tsnic(['stats', 'sim:0,rate=100kpps', '--duration', '0.5', '--interval', '0.1']);
  t.equal(stats.code, 0, stats.stderr);
  t.match(stats.stdout, /^sim:0 {2}rx \d+ pkts [\d.]+ k?pps [\d.]+ Gbit\/s L1 [\d.]+ L2 {2}missed \d+ {2}link up$/m);
  t.match(stats.stdout, /^sim:0 total: .* rx \d+ packets/m);
});

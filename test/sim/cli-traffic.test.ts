/**
 * The generator through the CLI: `pktgen A --rx B` over the simulated card's cross wiring (zero loss
 * at line rate for 10 M frames, exact loss under a fault knob), the rate syntax and the traffic flags
 * (usage errors exit 2 naming the flag), and the live line's width on a terminal.
 */
import t from 'tap';
import { main } from '../../lib/cli/main';
import { startTsnic, tsnic } from './cli-run';

type Json = Record<string, unknown>;

/** The terminal control sequences the live line uses: cursor up, erase to end of line. */
const CONTROL = new RegExp(`${String.fromCharCode(27)}\\[\\d*[AK]`, 'g');

/**
 * Runs `tsnic ...args` (with --json) as a child, watching its interval lines: once they started, when
 * none with traffic arrives for `stallMs` the child is killed and the result says what it saw; the
 * first line may take `startMs` (a loaded machine starts node and the TypeScript loader slowly).
 * Resolves with the exit code, the JSON lines and stderr.
 */
async function watched(args: string[], stallMs = 10_000, startMs = 120_000): Promise<{ code: number | null; lines: Json[]; stderr: string; stalled?: string }> {
  const child = startTsnic(args);
  let buffered = '';
  let stderr = '';
  const lines: Json[] = [];
  let lastProgress = Date.now();
  let stalled: string | undefined;
  child.stdout?.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, nl)) as Json;
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      if (line.type !== 'interval' || (line.tx_packets as number) > 0 || (line.rx_packets as number) > 0) lastProgress = Date.now();
    }
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const watchdog = setInterval(() => {
    const limit = lines.length === 0 ? startMs : stallMs;
    if (Date.now() - lastProgress > limit && stalled === undefined) {
      stalled = `no traffic for ${limit} ms; last lines: ${lines.slice(-4).map((l) => JSON.stringify(l)).join(' ')}; stderr: ${stderr}`;
      child.kill('SIGKILL');
    }
  }, 200);
  const code = await exited;
  clearInterval(watchdog);
  return { code, lines, stderr, stalled };
}

t.test('pktgen sim:0 --rx sim:1: 10 M frames at line rate over the cross wiring, none lost', async (t) => {
  const r = await watched(['pktgen', 'sim:0', '--rx', 'sim:1', '--count', '10000000', '--rate', 'line', '--src-port', '1024-1027', '--json']);
  t.equal(r.stalled, undefined);
  t.equal(r.code, 0, r.stderr);
  const trial = r.lines.find((l) => l.type === 'trial') as { total: Json; flows: Json[] } & Json;
  t.ok(trial !== undefined, 'a trial line');
  t.match(trial.total, { sent: 10_000_000, received: 10_000_000, lost: 0, reordered: 0, duplicated: 0, corrupted: 0 });
  t.same(trial.flows.map((f) => [f.tuple, f.sent, f.received, f.lost]), [0, 1, 2, 3].map((k) => [`10.0.0.1:${1024 + k} -> 10.0.0.2:1024`, 2_500_000, 2_500_000, 0]));
  t.match(trial, { tx_device: 'sim:0', rx_device: 'sim:1', foreign: 0, unexpected: 0, latency_clock: 'software' });
  const totals = r.lines.filter((l) => l.type === 'total');
  t.match(totals, [{ device: 'sim:0', tx_packets: 10_000_000 }, { device: 'sim:1', rx_packets: 10_000_000, rx_missed: 0, peer_tx_packets: 10_000_000 }]);
  t.ok(r.lines.filter((l) => l.type === 'interval').every((l) => l.device === 'sim:0' || l.device === 'sim:1'), 'interval records of both devices');
});

t.test('pktgen --rx sim:1,rxErrorEvery=1000: exactly one frame in 1000 lost, reported per flow', async (t) => {
  const r = await tsnic(['pktgen', 'sim:0', '--rx', 'sim:1,rxErrorEvery=1000', '--count', '100000', '--dst-port', '1-4', '--duration', '60'], { timeoutMs: 120_000 });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^trial sim:0 -> sim:1: sent 100000, received 99900, lost 100, reordered 0, duplicated 0, corrupted 0$/m);
  t.match(r.stdout, /^latency \(software, us\): min [\d.]+ avg [\d.]+ p50 [\d.]+ p99 [\d.]+ max [\d.]+$/m);
  // Frames 1000, 2000, ... of the port: sequence numbers 999, 1999, ...: flow 3 (destination port 4).
  t.match(r.stdout, /^ {2}flow 0 10\.0\.0\.1:1024 -> 10\.0\.0\.2:1: sent 25000 received 25000 lost 0 /m);
  t.match(r.stdout, /^ {2}flow 3 10\.0\.0\.1:1024 -> 10\.0\.0\.2:4: sent 25000 received 24900 lost 100 /m);
  t.match(r.stdout, /^sim:1 total: .*rx 99900 packets .*rx errors 100/m);
});

t.test('one port given twice is wired to itself; the rate syntax paces it', async (t) => {
  const r = await tsnic(['pktgen', 'sim:1', '--rx', 'sim:1', '--count', '3000', '--rate', '20kpps', '--size', 'imix', '--vlan', '7:3', '--json'], { timeoutMs: 60_000 });
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Json);
  const trial = lines.find((l) => l.type === 'trial') as { total: Json } & Json;
  t.match(trial.total, { sent: 3000, received: 3000, lost: 0 });
  const tx = lines.find((l) => l.type === 'total' && (l.tx_packets as number) > 0) as Json;
  // 3000 frames at 20 kpps take at least 0.15 s (the limiter never sends ahead of the rate).
  t.ok((tx.seconds as number) >= 0.149, `paced: ${String(tx.seconds)} s`);
  t.equal(tx.tx_bytes, 250 * (7 * 60 + 4 * 590 + 1514), 'IMIX bytes');
});

t.test('usage errors exit 2 with one line naming the flag and the fix', async (t) => {
  const cases: [string[], RegExp][] = [
    [['pktgen', 'sim:0', '--rate', '100'], /^tsnic: --rate "100" has no unit: add one, e\.g\. 100pps, 100kpps, 100Mpps, 100Gbps, 100% \(see: tsnic pktgen --help\)$/],
    [['pktgen', 'sim:0', '--rate', '120%'], /--rate 120% is above line rate: use at most 100%/],
    [['pktgen', 'sim:0', '--size', '59'], /--size must be a whole number from 60 to 1514, got "59" \(sizes without FCS/],
    [['pktgen', 'sim:0', '--size', 'huge'], /--size must be frame sizes such as 60, 60-1514/],
    [['pktgen', 'sim:0', '--vlan', '5000'], /--vlan must be ID\[:PRIORITY\]/],
    [['pktgen', 'sim:0', '--src-ip', '10.0.0'], /source address must be an IPv4 address or range/],
    [['pktgen', 'sim:0', '--src-port', '1-65535', '--dst-port', '1-2'], /make 131070 flows/],
    [['pktgen', 'sim:0', '--flow-order', 'shuffle'], /--flow-order must be sequential or random/],
    [['pktgen', 'sim:0', '--rx', 'eth1'], /^tsnic: --rx: "eth1" is not a device/],
    [['stats', 'sim:0,rate=100000'], /^tsnic: <dev>: rate "100000" has no unit: add one, e\.g\. 100000pps/],
    [['stats', 'sim:0,rate=fast'], /<dev>: rate must be a rate such as 14\.88Mpps/],
  ];
  for (const [args, message] of cases) {
    const r = await tsnic(args);
    t.equal(r.code, 2, `${args.join(' ')}: exit 2 (${r.stderr.trim()})`);
    t.match(r.stderr.trim(), message, args.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
});

t.test('a sim spec rate in the rate syntax feeds stats: 1000 frames at 50 kpps', async (t) => {
  const r = await tsnic(['stats', 'sim:0,rate=50kpps,count=1000', '--duration', '20', '--json'], { timeoutMs: 60_000 });
  t.equal(r.code, 0, r.stderr);
  const total = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Json;
  const line = r.stdout.trim().split('\n').pop() ?? '';
  t.match(total, { type: 'total', peer_tx_packets: 1000 }, line);
  // stats receives adaptively (asleep on the interrupt between frames): on a loaded machine a wake-up can
  // come later than the 512-descriptor ring lasts at 50 kpps (10 ms), and the queue then drops (DROP_EN,
  // rx_missed); every frame is still received or counted.
  t.equal(Number(total.rx_packets) + Number(total.rx_missed) + Number(total.rx_dropped), 1000, `every frame received or counted: ${line}`);
  t.ok(Number(total.rx_packets) > 0, 'frames received');
});

/** Runs `tsnic ...args` in this process with a terminal of `columns`; returns the live lines written. */
async function liveLines(args: string[], columns: number): Promise<{ code: number; lines: string[]; out: string }> {
  let out = '';
  const code = await main(args, {
    stdout: { write: (s: string) => (out += s), isTTY: true, columns },
    stderr: { write: () => true },
  });
  // Each update starts with \r (and a cursor-up when it has several lines), each line ends with "erase
  // to end of line"; the totals follow. Every line the terminal shows, without the control sequences:
  const totals = out.indexOf(' total: ');
  const live = out.slice(0, out.lastIndexOf('\n', totals)).split(/\r|\n/).map((l) => l.replace(CONTROL, '')).filter((l) => l !== '');
  return { code, lines: live, out };
}

t.test('the live line fits the terminal: 80 columns never wrap, wide terminals get every detail', async (t) => {
  const narrow = await liveLines(['fwd', 'sim:0', 'sim:1', '--duration', '2.5'], 80);
  t.equal(narrow.code, 0);
  t.ok(narrow.lines.length >= 2, `live updates: ${narrow.lines.length}`);
  for (const l of narrow.lines) {
    t.ok(l.length < 80, `${l.length} < 80: ${l}`);
    t.match(l, /^sim:[01] +tx [\d.]+[kMG]?( pkts)? [\d.]+ ?[kM]?pps/, `packets and a rate: ${l}`);
    t.notOk(l.endsWith('~'), `not cut: ${l}`);
  }
  // Both devices: on one line while it fits 80 columns (low rates, short numbers), else a line each.
  t.ok(narrow.lines.some((l) => l.startsWith('sim:1') || l.includes(' | sim:1 ')), 'both devices (one line when it fits, else a line each)');
  const wide = await liveLines(['fwd', 'sim:0', 'sim:1', '--duration', '1.5'], 300);
  t.match(wide.lines[0], /^sim:0 {2}tx \d+ pkts [\d.]+ [kM]?pps [\d.]+ Gbit\/s L1 [\d.]+ L2 {2}rx \d+ pkts .* {2}link up {2}\| {2}sim:1 /);
  // 500 frames per second: shown in pps, never as "0.00 Mpps"; the packet count is the run's so far.
  const slow = await liveLines(['stats', 'sim:0,rate=500pps', '--duration', '2.5', '--interval', '0.5'], 80);
  t.ok(slow.lines.length >= 3, `${slow.lines.length} updates`);
  const counts = slow.lines.map((l) => {
    const m = /^sim:0 {2}rx (\d+) pkts (\d+) pps [\d.]+ Gbit\/s L1 [\d.]+ L2 {2}missed 0 {2}link up$/.exec(l);
    t.ok(m !== null, `a low rate in pps: ${l}`);
    return Number(m?.[1]);
  });
  t.ok(counts.every((c, k) => k === 0 || c >= counts[k - 1]) && counts[counts.length - 1] > counts[0], `cumulative: ${counts.join(' ')}`);
});

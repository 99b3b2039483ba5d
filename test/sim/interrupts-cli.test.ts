// Issue 14, the CLI: capture and stats receive adaptively by default (sleeping on the interrupt when
// idle), --busy-poll spins; either way every frame the tester sent is received or counted.
import t from 'tap';
import { tsnic } from './cli-run';

interface Total { type: string; rx_packets: number; rx_missed: number; rx_errors: number; rx_dropped: number; peer_tx_packets: number }

function total(stdout: string): Total | undefined {
  const line = stdout.trim().split('\n').find((l) => l.includes('"type":"total"'));
  return line === undefined ? undefined : (JSON.parse(line) as Total);
}

for (const flags of [[], ['--busy-poll']]) {
  t.test(`stats ${flags.join(' ') || '(adaptive)'}: frames at 4 kpps, every one received or counted`, async (t) => {
    const r = await tsnic(['stats', 'sim:0,rate=4000pps', '--duration', '1.5', '--json', ...flags], { timeoutMs: 60_000 });
    t.equal(r.code, 0, r.stderr);
    const s = total(r.stdout);
    t.ok(s !== undefined, 'a total line');
    if (s === undefined) return;
    t.ok(s.peer_tx_packets > 0, `the tester sent ${s.peer_tx_packets}`);
    t.equal(s.rx_packets + s.rx_missed + s.rx_errors + s.rx_dropped, s.peer_tx_packets, 'the counts balance');
    t.ok(s.rx_packets > 0, `received ${s.rx_packets}`);
  });
}

t.test('--busy-poll is in the help of capture and stats', async (t) => {
  for (const cmd of ['capture', 'stats']) {
    const r = await tsnic([cmd, '--help']);
    t.match(r.stdout, /--busy-poll/, `${cmd} --help`);
  }
});

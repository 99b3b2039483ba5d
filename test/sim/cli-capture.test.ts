import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { run, tsnic } from './cli-run';

const TSHARK = '/usr/bin/tshark';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-cli-capture-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

t.test('tsnic capture sim:0 --count 1000 writes a file tshark reads as 1000 UDP frames', async (t) => {
  const file = path.join(dir, 'x.pcap');
  // --duration bounds the run: if frames stop coming, it ends and the totals say how many arrived.
  const r = await tsnic(['capture', 'sim:0', '--count', '1000', '--duration', '10', '--out', file, '--json']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stderr, '');
  const last = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  t.match(last, { type: 'total', device: 'sim:0', rx_packets: 1000, file }, `the totals: ${JSON.stringify(last)}`);

  if (!fs.existsSync(TSHARK)) {
    t.fail(`${TSHARK} is missing: install Debian's tshark package to check pcap files`);
    return;
  }
  const count = await run(TSHARK, ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'udp.srcport', '-e', 'frame.len']);
  t.equal(count.code, 0, count.stderr);
  const lines = count.stdout.trim().split('\n');
  t.equal(lines.length, 1000, 'tshark reads 1000 frames');
  t.ok(lines.every((l, i) => l === `${i + 1}\t1024\t60`), 'each a 60-byte UDP frame from port 1024');
  const info = await run('/usr/bin/capinfos', ['-M', '-c', '-E', file]);
  t.equal(info.code, 0, info.stderr);
  t.match(info.stdout, /File encapsulation:\s+ether\n/);
  t.match(info.stdout, /Number of packets:\s+1000\n/);
});

t.test('nanosecond capture with a snaplen reads back in tshark with the cut lengths', async (t) => {
  const file = path.join(dir, 'n.pcap');
  const r = await tsnic(['capture', 'sim:1', '--count', '10', '--duration', '10', '--out', file, '--nanosecond', '--snaplen', '42']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /sim:1 total: .* rx 10 packets/);
  const fields = await run(TSHARK, ['-r', file, '-T', 'fields', '-e', 'frame.cap_len', '-e', 'frame.len']);
  t.equal(fields.code, 0, fields.stderr);
  t.same(fields.stdout.trim().split('\n'), Array(10).fill('42\t60'));
});

t.test('capture without --out, with a bad number or an unwritable file exits non-zero with one line', async (t) => {
  for (const [args, message] of [
    [['capture', 'sim:0', '--count', '10'], 'tsnic: missing --out FILE.pcap (see: tsnic capture --help)'],
    [['capture', 'sim:0', '--out', path.join(dir, 'y.pcap'), '--count', 'lots'], 'tsnic: --count must be a whole number'],
    [['capture', 'sim:0', '--out', path.join(dir, 'y.pcap'), '--snaplen', '0'], 'tsnic: --snaplen must be a whole number from 1 to 262144'],
    [['capture', 'sim:0', '--out', path.join(dir, 'missing', 'y.pcap'), '--count', '1'], `tsnic: cannot create ${path.join(dir, 'missing', 'y.pcap')}: ENOENT`],
  ] as const) {
    const r = await tsnic(args);
    t.not(r.code, 0, args.join(' '));
    t.equal(r.stderr.split('\n').length, 2, 'one line');
    t.ok(r.stderr.startsWith(message), `${args.join(' ')}: ${r.stderr}`);
  }
});

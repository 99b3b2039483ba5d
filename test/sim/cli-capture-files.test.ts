/**
 * `tsnic capture` through the CLI (child processes) on the simulated card: --filter in tcpdump syntax,
 * pcapng output, rotation, and a pcap on stdout whose reader stops early (`| head -c 100`); each file
 * read back by tshark.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { main } from '../../lib/cli/main';
import { run, tsnic, tsnicArgv } from './cli-run';

const TSHARK = '/usr/bin/tshark';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-cli-files-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

t.test('--filter keeps only the frames it accepts; the rest count as rx_filtered and the totals balance', async (t) => {
  const file = path.join(dir, 'f.pcap');
  // Four flows (UDP source ports 1024..1027, round robin): the filter takes one of them.
  const r = await tsnic(['capture', 'sim:0,flows=4', '--count', '200', '--duration', '20', '--filter', 'udp src port 1025', '--out', file, '--json']);
  t.equal(r.code, 0, r.stderr);
  const total = lastJson(r.stdout);
  t.equal(total.rx_packets, 200, `200 frames written: ${JSON.stringify(total)}`);
  const filtered = total.rx_filtered as number;
  // Three flows of four are rejected (fewer when the host missed frames: those never reach the filter).
  t.ok(filtered > 0, `the filter rejected the other flows' frames (${filtered})`);
  t.ok((total.rx_discarded as number) >= filtered, 'rx_discarded includes them');
  const balance = (total.peer_tx_packets as number) - (total.rx_packets as number) - (total.rx_missed as number) -
    (total.rx_errors as number) - (total.rx_dropped as number) - (total.rx_discarded as number);
  t.equal(balance, 0, 'peer_tx_packets = rx_packets + rx_missed + rx_errors + rx_dropped + rx_discarded');
  const ports = await run(TSHARK, ['-r', file, '-T', 'fields', '-e', 'udp.srcport']);
  t.equal(ports.code, 0, ports.stderr);
  const lines = ports.stdout.trim().split('\n');
  t.equal(lines.length, 200, 'tshark reads 200 frames');
  t.ok(lines.every((l) => l === '1025'), 'every one from port 1025');
});

t.test('a filter that does not compile, a bad format and rotation to stdout are usage errors (exit 2)', async (t) => {
  for (const [args, message] of [
    [['--filter', 'udp port x'], /^tsnic: filter "udp port x" does not compile: .*tcpdump syntax/],
    [['--filter', ' '], /^tsnic: --filter needs an expression/],
    [['--format', 'pcapx'], /^tsnic: --format must be pcap or pcapng, got "pcapx"/],
    [['--rotate-count', '10', '--out', '-'], /^tsnic: --rotate-size and --rotate-count need a file name/],
    [['--rotate-size', '0'], /^tsnic: --rotate-size must be a number from 0\.001/],
  ] as const) {
    const argv = ['capture', 'sim:0', '--count', '1', ...args];
    if (!(args as readonly string[]).includes('--out')) argv.push('--out', path.join(dir, 'never.pcap'));
    const r = await tsnic(argv);
    t.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.match(r.stderr, message);
    t.equal(r.stderr.split('\n').length, 2, 'one line');
  }
  t.notOk(fs.existsSync(path.join(dir, 'never.pcap')), 'nothing was created');
});

t.test('pcapng by extension: tshark reads the interface name, the resolution and the frames', async (t) => {
  const file = path.join(dir, 'x.pcapng');
  const r = await tsnic(['capture', 'sim:1', '--count', '50', '--duration', '20', '--nanosecond', '--out', file]);
  t.equal(r.code, 0, r.stderr);
  const fields = await run(TSHARK, ['-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'frame.len', '-e', 'udp.dstport']);
  t.equal(fields.code, 0, fields.stderr);
  t.same(fields.stdout.trim().split('\n'), Array(50).fill('sim:1\t60\t1024'), 'if_name = the device spec, 50 UDP frames');
  const info = await run('/usr/bin/capinfos', ['-T', '-m', '-r', file]);
  t.match(info.stdout, /,pcapng,ether,nanoseconds,/);
  const forced = path.join(dir, 'forced.pcap');
  const f = await tsnic(['capture', 'sim:0', '--count', '5', '--duration', '20', '--format', 'pcapng', '--out', forced]);
  t.equal(f.code, 0, f.stderr);
  t.equal(fs.readFileSync(forced).readUInt32LE(0), 0x0a0d0d0a, '--format pcapng wins over the .pcap name');
});

t.test('--rotate-count: files named as tcpdump -C names them, each complete', async (t) => {
  const base = path.join(dir, 'ring.pcap');
  const r = await tsnic(['capture', 'sim:0', '--count', '250', '--duration', '20', '--rotate-count', '100', '--out', base, '--json']);
  t.equal(r.code, 0, r.stderr);
  const total = lastJson(r.stdout);
  t.same(total.files, [base, `${base}1`, `${base}2`], `three files: ${JSON.stringify(total.files)}`);
  const counts: number[] = [];
  for (const file of [base, `${base}1`, `${base}2`]) {
    const c = await run('/usr/bin/capinfos', ['-c', '-M', file]);
    counts.push(Number(/Number of packets:\s+(\d+)/.exec(c.stdout)?.[1]));
  }
  t.same(counts, [100, 100, 50]);
});

t.test('--rotate-size: no file passes the size', async (t) => {
  const base = path.join(dir, 'size.pcapng');
  const r = await tsnic(['capture', 'sim:0', '--count', '1000', '--duration', '20', '--rotate-size', '0.02', '--out', base, '--json']);
  t.equal(r.code, 0, r.stderr);
  const files = lastJson(r.stdout).files as string[];
  t.ok(files.length >= 4, `${files.length} files of at most 20000 bytes for 1000 frames of 92 bytes`);
  for (const file of files) t.ok(fs.statSync(file).size <= 20000, `${path.basename(file)}: ${fs.statSync(file).size} bytes`);
});

t.test('--out - | head -c 100: the capture ends quietly when head has its bytes, status 0', async (t) => {
  // No --count and no --duration: only the closed pipe can end the run within the limit.
  const argv = tsnicArgv(['capture', 'sim:0', '--out', '-']).map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('bash', ['-c', `${argv} | head -c 100 | wc -c; echo "tsnic status \${PIPESTATUS[0]}"`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  t.equal(code, 0, `ended within 60 s (stderr: ${stderr})`);
  t.match(stdout, /^100\ntsnic status 0\n$/, 'head got its 100 bytes; tsnic exited 0');
  t.notMatch(stderr, /EPIPE|Error|\n {4}at /, 'no error, no stack trace');
  t.match(stderr, /^sim:0 total: .*rx \d+ packets/m, 'the totals on stderr');
});

t.test('--help of capture and replay names the new options and what they do', async (t) => {
  const help = async (name: string): Promise<string> => {
    let text = '';
    t.equal(await main([name, '--help'], { stdout: { write: (s: string) => (text += s) }, stderr: { write: () => true } }), 0);
    return text;
  };
  const capture = await help('capture');
  t.match(capture, /^ {2}--filter EXPR +Keep only frames this tcpdump-syntax filter accepts/m);
  t.match(capture, /^ {2}--format pcap\|pcapng +File format/m);
  t.match(capture, /^ {2}--rotate-size MB +Start a new file/m);
  t.match(capture, /^ {2}--rotate-count N +Start a new file after N frames/m);
  t.match(capture, /named as tcpdump -C names them:\s+FILE, FILE1, FILE2/);
  t.match(capture, /same timestamp/);
  const replay = await help('replay');
  t.match(replay, /^Usage: tsnic replay <dev> <file> \[options\]$/m);
  for (const flag of ['--rate R', '--loop N', '--preserve-timing', '--link-timeout S', '--no-link-wait', '--json']) t.match(replay, new RegExp(`^ {2}${flag} `, 'm'), flag);
  t.match(replay, /Ctrl-C stops at any moment/);
  let top = '';
  await main(['--help'], { stdout: { write: (s: string) => (top += s) }, stderr: { write: () => true } });
  t.match(top, /^ {2}replay +Send the frames of a pcap or pcapng file/m, 'tsnic --help lists replay');
});

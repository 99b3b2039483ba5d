/**
 * How a run ends, through the CLI as a child process: a closed stdout (`| head -1`), Ctrl-C while
 * waiting for link, the link timeout and --no-link-wait, and capture --out - (the pcap on stdout).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import t from 'tap';
import { main } from '../../lib/cli/main';
import { startTsnic, tsnicArgv } from './cli-run';

/** A started child whose output is collected as it comes. */
interface Running {
  child: ChildProcess;
  stdout: () => Buffer;
  stderr: () => string;
  /** Resolves with the exit code, or null when `limitMs` passed (the child is then killed). */
  exit: (limitMs: number) => Promise<number | null>;
}

function start(args: string[]): Running {
  const child = startTsnic(args);
  const out: Buffer[] = [];
  let err = '';
  child.stdout?.on('data', (d: Buffer) => out.push(d));
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => Buffer.concat(out),
    stderr: () => err,
    exit: async (limitMs) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), limitMs);
      });
      const result = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (result === 'late') {
        child.kill('SIGKILL');
        return null;
      }
      return result;
    },
  };
}

/** Waits until `ready()` holds, at most `limitMs`; returns whether it did. */
async function until(ready: () => boolean, limitMs = 30_000): Promise<boolean> {
  const begin = Date.now();
  while (!ready()) {
    if (Date.now() - begin > limitMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

for (const command of [['pktgen', 'sim:0'], ['stats', 'sim:0']]) {
  t.test(`${command[0]}: a closed stdout ends the run quietly, totals on stderr, exit 0`, async (t) => {
    // 60 s of run: only the closed pipe can end it within the limit below.
    const run = start([...command, '--duration', '60', '--json']);
    t.ok(await until(() => run.stdout().includes('\n')), `a first line on stdout (stderr: ${run.stderr()})`);
    run.child.stdout?.destroy(); // as `| head -1` does once it has its line
    const code = await run.exit(30_000);
    t.equal(code, 0, `exit 0 (stderr: ${run.stderr()})`);
    t.notMatch(run.stderr(), /EPIPE|Error|\n {4}at /, 'no error and no stack trace');
    const total = JSON.parse(run.stderr().trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    t.equal(total.type, 'total', 'the totals went to stderr');
    t.ok((total.seconds as number) < 40, `the run ended when stdout closed (${String(total.seconds)} s)`);
  });
}

for (const args of [['pktgen', 'sim:0,wiring=unplugged'], ['stats', 'sim:0,linkUpDelayMs=60000']]) {
  t.test(`${args.join(' ')}: Ctrl-C while waiting for link ends the run with its totals`, async (t) => {
    // A link timeout of an hour: only Ctrl-C can end the wait within the limit below.
    const run = start([...args, '--link-timeout', '3600']);
    const notice = `waiting for link on ${args[1]} (Ctrl-C to stop)\n`;
    t.ok(await until(() => run.stderr().includes(notice)), `"${notice.trim()}" on stderr (got: ${run.stderr()})`);
    const sent = Date.now();
    run.child.kill('SIGINT');
    const code = await run.exit(20_000);
    t.equal(code, 0, `exit 0 (stderr: ${run.stderr()})`);
    // Generous for a loaded machine; what it guards against is a wait that ignores Ctrl-C (an hour).
    t.ok(Date.now() - sent < 10_000, `ended ${Date.now() - sent} ms after Ctrl-C`);
    t.match(run.stdout().toString(), /^sim:0 total: /m, 'totals printed');
  });
}

t.test('--link-timeout gives up with advice; --no-link-wait runs without link', async (t) => {
  const late = start(['pktgen', 'sim:1,wiring=unplugged', '--link-timeout', '0.3']);
  t.equal(await late.exit(30_000), 1);
  t.match(
    late.stderr(),
    /^tsnic: sim:1,wiring=unplugged: no link after 0.3 s: .*--link-timeout S.*--no-link-wait\n$/,
    'one line naming both ways out',
  );
  const now = start(['pktgen', 'sim:1,wiring=unplugged', '--no-link-wait', '--duration', '0.3', '--json']);
  t.equal(await now.exit(30_000), 0, now.stderr());
  t.notMatch(now.stderr(), /waiting for link/);
  const total = JSON.parse(now.stdout().toString().trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  t.equal(total.type, 'total');
  t.equal(total.link_up, false, 'ran with the link down');
  t.equal(total.peer_rx_packets, 0, 'nothing reached the unplugged far end');
});

t.test('capture --out - writes the pcap to stdout (a pipe) and the reports to stderr', async (t) => {
  // Through a shell pipe, as `tsnic capture ... --out - | tshark -r -` runs.
  const argv = [...tsnicArgv(['capture', 'sim:0', '--count', '100', '--out', '-']), '|', 'cat'];
  const child = spawn('sh', ['-c', argv.map((a) => (a === '|' ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.equal(code, 0, stderr);
  const pcap = Buffer.concat(out);
  t.ok(pcap.length >= 24, `a pcap header (${pcap.length} bytes; stderr: ${stderr})`);
  if (pcap.length < 24) return;
  t.equal(pcap.readUInt32LE(0), 0xa1b2c3d4, 'pcap magic (microseconds)');
  let records = 0;
  for (let at = 24; at + 16 <= pcap.length; records++) at += 16 + pcap.readUInt32LE(at + 8);
  t.equal(records, 100, '100 frames in the pcap');
  t.match(stderr, /^sim:0 total: .*rx \d+ packets/m, 'the totals on stderr');
  t.notOk(fs.existsSync('-'), 'no file named -');
});

t.test('capture --out - refuses a socket as stdout, naming --out', async (t) => {
  const run = start(['capture', 'sim:0', '--count', '1', '--out', '-']);
  t.equal(await run.exit(30_000), 2);
  t.match(run.stderr(), /^tsnic: --out -: stdout is a socket, .*pipe the output/);
});

t.test('--help of the device commands names the link flags, the link wait and the closed stdout', async (t) => {
  for (const name of ['pktgen', 'fwd', 'capture', 'stats']) {
    let help = '';
    t.equal(await main([name, '--help'], { stdout: { write: (s: string) => (help += s) }, stderr: { write: () => true } }), 0);
    t.match(help, /^ {2}--link-timeout S +Seconds to wait for link/m, `${name} --help: --link-timeout`);
    t.match(help, /^ {2}--no-link-wait +Start at once/m, `${name} --help: --no-link-wait`);
    t.match(help, /Ctrl-C stops at any moment/, `${name} --help: Ctrl-C`);
    t.match(help, /When stdout\s+closes/, `${name} --help: closed stdout`);
  }
});

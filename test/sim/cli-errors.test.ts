import t, { type Test } from 'tap';
import { commands, main } from '../../lib/cli/main';
import { tsnic } from './cli-run';

/** Runs main() in this process, collecting what it writes. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/** Asserts a run failed with exactly one `tsnic: ...` line on stderr matching `pattern`. */
async function fails(t: Test, argv: string[], pattern: RegExp, code = 2): Promise<void> {
  const r = await run(argv);
  t.equal(r.code, code, `${argv.join(' ')}: exit ${code}`);
  t.match(r.stderr, /^tsnic: [^\n]+\n$/, `${argv.join(' ')}: one line`);
  t.match(r.stderr, pattern, argv.join(' '));
}

t.test('every subcommand has --help, listed by tsnic --help', async (t) => {
  const top = await run(['--help']);
  t.equal(top.code, 0);
  for (const c of commands) {
    t.match(top.stdout, new RegExp(`^  ${c.spec.name} +\\S`, 'm'), `tsnic --help lists ${c.spec.name}`);
    const h = await run([c.spec.name, '--help']);
    t.equal(h.code, 0);
    t.match(h.stdout, new RegExp(`^Usage: tsnic ${c.spec.name}`));
    t.match(h.stdout, /--help/);
    t.same(await run(['help', c.spec.name]), h, `tsnic help ${c.spec.name} is the same`);
  }
  t.same(commands.map((c) => c.spec.name).sort(), ['bind', 'capture', 'fwd', 'hugepages', 'list', 'pktgen', 'replay', 'rfc2544', 'stats', 'unbind']);
});

t.test('unknown command and no command', async (t) => {
  await fails(t, ['frobnicate'], /unknown command "frobnicate": use one of pktgen, fwd/);
  const none = await run([]);
  t.equal(none.code, 2);
  t.match(none.stdout, /^Usage: tsnic <command>/);
});

t.test('unknown flags are refused by every subcommand', async (t) => {
  for (const argv of [['pktgen', 'sim:0'], ['fwd', 'sim:0', 'sim:1'], ['capture', 'sim:0', '--out', 'x.pcap'], ['stats', 'sim:0'], ['hugepages'], ['list'], ['bind', '0000:03:00.0'], ['unbind', '0000:03:00.0']]) {
    await fails(t, [...argv, '--bogus'], new RegExp(`unknown option --bogus \\(see: tsnic ${argv[0]} --help\\)`));
  }
});

t.test('bad numbers are refused with the option, the accepted range and the value', async (t) => {
  await fails(t, ['pktgen', 'sim:0', '--count', '1.5'], /--count must be a whole number from 1 to \d+, got "1.5"/);
  await fails(t, ['pktgen', 'sim:0', '--size', '59'], /--size must be a whole number from 60 to 1514, got "59"/);
  await fails(t, ['pktgen', 'sim:0', '--rate', 'fast'], /--rate must be a rate such as 14\.88Mpps, 500kpps, 1000pps, 5Gbps \(on the wire\), 800Mbps, 50% \(of line rate\) or line, got "fast"/);
  await fails(t, ['pktgen', 'sim:0', '--batch', '0'], /--batch must be a whole number from 1 to 1024/);
  await fails(t, ['pktgen', 'sim:0', '--duration', '-1'], /--duration must be a number/);
  await fails(t, ['fwd', 'sim:0', 'sim:1', '--duration', 'x'], /--duration must be a number/);
  await fails(t, ['capture', 'sim:0', '--out', 'x.pcap', '--count', '0'], /--count must be a whole number/);
  await fails(t, ['stats', 'sim:0', '--interval', '0'], /--interval must be a number from 0.01 to 3600/);
  await fails(t, ['hugepages', '--pages', '-3'], /--pages must be a whole number from 0/);
  await fails(t, ['pktgen', 'sim:0', '--dst-mac', '01:02'], /--dst-mac must be a MAC address like 02:00:00:00:00:01, got "01:02"/);
});

t.test('missing and surplus arguments', async (t) => {
  await fails(t, ['pktgen'], /missing <dev> \(see: tsnic pktgen --help\)/);
  await fails(t, ['fwd', 'sim:0'], /missing <devB>/);
  await fails(t, ['capture', 'sim:0'], /missing --out FILE.pcap/);
  await fails(t, ['stats', 'sim:0', 'sim:1'], /unexpected argument "sim:1"/);
  await fails(t, ['pktgen', 'sim:0', '--count'], /--count needs a value/);
});

t.test('malformed device specs are usage errors (exit 2) naming the argument', async (t) => {
  await fails(t, ['pktgen', 'eth0', '--count', '1'], /^tsnic: <dev>: "eth0" is not a device: use a PCI address like 0000:03:00.0 .* sim:0 or sim:1/);
  await fails(t, ['pktgen', '', '--count', '1'], /^tsnic: <dev>: "" is not a device/);
  await fails(t, ['stats', 'sim:2', '--duration', '0.1'], /^tsnic: <dev>: "sim:2" is not a simulated port: use sim:0 or sim:1/);
  await fails(t, ['pktgen', 'sim:7'], /^tsnic: <dev>: "sim:7" is not a simulated port/);
  await fails(t, ['capture', 'sim:0,colour=red', '--out', 'x.pcap'], /^tsnic: <dev>: unknown sim option "colour"/);
  await fails(t, ['pktgen', 'sim:0,bogus=1'], /^tsnic: <dev>: unknown sim option "bogus" in "sim:0,bogus=1": use wiring, linkUpDelayMs/);
  await fails(t, ['pktgen', 'sim:0,wiring=bogus'], /^tsnic: <dev>: wiring must be one of tester, loopback, cross, unplugged, got bogus/);
  await fails(t, ['pktgen', 'sim:0,linkUpDelayMs=-5'], /^tsnic: <dev>: linkUpDelayMs must be a whole number of milliseconds from 0 to 60000, got "-5"/);
  await fails(t, ['pktgen', 'sim:0,frameSize'], /^tsnic: <dev>: "frameSize" in "sim:0,frameSize" is not a key=value option/);
  await fails(t, ['fwd', 'sim:1', 'bogus'], /^tsnic: <devB>: "bogus" is not a device/);
  await fails(t, ['bind', 'bogus'], /^tsnic: <pci>: "bogus" is not a PCI address: use the form 0000:03:00.0/);
  await fails(t, ['unbind', 'eth0'], /^tsnic: <pci>: "eth0" is not a PCI address/);
  const odd = await run(['pktgen', 'sim:0,linkUpDelayMs=-5']);
  t.notMatch(odd.stderr, /is not a sim device/, 'a bad option value is not reported as a bad device');
});

t.test('fwd needs two different devices', async (t) => {
  await fails(t, ['fwd', 'sim:0', 'sim:0', '--duration', '0.1'], /^tsnic: <devA> and <devB> are both sim:0: they must be two different devices/);
  await fails(t, ['fwd', 'sim:1,wiring=tester', 'sim:1', '--duration', '0.1'], /are both sim:1/);
  await fails(t, ['fwd', '03:00.0', '0000:03:00.0'], /are both 0000:03:00.0/);
});

t.test('capture --out "" is a usage error naming --out', async (t) => {
  await fails(t, ['capture', 'sim:0', '--out', ''], /^tsnic: --out needs a file name, or - for stdout/);
  await fails(t, ['capture', 'sim:0', '--out='], /^tsnic: --out needs a file name/);
});

t.test('a well-formed address of no device is not a usage error (exit 1)', async (t) => {
  await fails(t, ['pktgen', '0000:ff:1f.7', '--count', '1'], /0000:ff:1f\.7: no such PCI device .*tsnic list/, 1);
});

t.test('as a process: one line on stderr, no stack trace, non-zero exit', async (t) => {
  const r = await tsnic(['pktgen', 'sim:0', '--count', 'many']);
  t.equal(r.code, 2);
  t.equal(r.stdout, '');
  t.equal(r.stderr, 'tsnic: --count must be a whole number from 1 to 9007199254740991, got "many" (see: tsnic pktgen --help)\n');
  const bad = await tsnic(['capture', '0000:zz:00.0', '--out', 'x.pcap']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^tsnic: <dev>: "0000:zz:00.0" is not a device[^\n]*\n$/);
});

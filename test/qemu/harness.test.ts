// The QEMU harness itself: arguments in, output, exit status and files out, NIC binding, and the hard
// timeout. Skipped visibly outside CI when QEMU or Debian's packages are missing.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runInGuest } from '../../tools/qemu/harness';
import { GUEST_JS_ROOT, INSTALL_HINT, prepareHost, unavailableReason } from '../../tools/qemu/prepare';

const why = unavailableReason();

if (why !== undefined && process.env.CI !== 'true') {
  t.comment(`qemu harness tests skipped: ${why}. To run them: ${INSTALL_HINT}`);
  t.plan(0, `qemu harness tests skipped: ${why}`);
} else {
  const script = path.join(GUEST_JS_ROOT, 'test', 'qemu', 'guest', 'echo-exit.js');

  t.before(() => {
    if (why !== undefined) throw new Error(`CI=true but QEMU cannot run: ${why}. ${INSTALL_HINT}`);
    prepareHost((line) => t.comment(line));
  });

  t.test('runs a program in the guest: arguments, output, exit status, job folder, bindings', async (t) => {
    const run = await runInGuest({
      script,
      args: ['3', "it's", 'a test'],
      timeoutMs: 180_000,
      nics: [{ bind: 'vfio' }, { bind: 'kernel' }, { bind: 'none' }],
    });
    t.equal(run.failure, undefined);
    t.equal(run.timedOut, false);
    t.equal(run.exitCode, 3, 'the program\'s exit status');
    t.match(run.output, /^echo: it's a test$/m, 'stdout, quoting intact');
    t.match(run.output, /^drivers: vfio-pci,e1000,none$/m, 'each NIC bound as asked');
    t.equal(fs.readFileSync(path.join(run.jobDir, 'echo.txt'), 'utf8'), "it's a test", 'the guest wrote the job folder');
    t.same(run.nics.map((n) => n.address), ['0000:00:10.0', '0000:00:11.0', '0000:00:12.0']);
    fs.rmSync(run.jobDir, { recursive: true, force: true });
  });

  t.test('a program stuck in a busy loop: the watchdog prints its stack and ends it', async (t) => {
    const run = await runInGuest({
      script: path.join(GUEST_JS_ROOT, 'test', 'qemu', 'guest', 'stall.js'),
      timeoutMs: 180_000,
      nics: [],
      env: { TSNIC_GUEST_SILENT_MS: '3000' },
    });
    t.equal(run.timedOut, false, 'the guest ended before the hard timeout');
    t.equal(run.exitCode, 143, 'ended by SIGTERM (128 + 15)');
    t.match(run.output, /\] spinning$/m, 'the program got to its loop');
    t.match(run.output, /the main event loop has not turned for [3-9] s/, 'the reason');
    t.match(run.output, /thread \d+ node: state R/, 'the main thread was running');
    t.match(run.output, /at spinForever \(.*stall\.js:\d+:\d+\)\n.*at main \(/, 'the JavaScript stack, innermost first');
    fs.rmSync(run.jobDir, { recursive: true, force: true });
  });

  t.test('a guest over its time limit is killed and the result says so', async (t) => {
    const run = await runInGuest({ script, args: ['0'], timeoutMs: 2000, nics: [] });
    t.equal(run.timedOut, true);
    t.equal(run.exitCode, null);
    t.match(run.failure, /did not finish within 2 s: QEMU was killed/);
    fs.rmSync(run.jobDir, { recursive: true, force: true });
  });
}

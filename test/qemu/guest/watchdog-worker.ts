/**
 * The guest program's stall watchdog, run in a worker thread (started by watchdog.ts). It wakes every
 * second and fires once, when the main thread's event loop stopped turning for `silentMs` or when the
 * run passed `budgetMs` (just before the host's hard timeout would kill QEMU without a word). Firing
 * prints, straight to fd 2 (a worker's process.stderr goes through the main thread, which may be
 * stuck): the main thread's JavaScript stack (the inspector pauses it from here, even inside a busy
 * loop), the state of each thread of the process as the guest kernel sees it, and the load; then it
 * ends the process with SIGTERM, so the host reads an exit status and this output.
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import { workerData } from 'node:worker_threads';

/** What watchdog.ts hands the worker. */
export interface WatchdogData {
  /** Incremented by a timer of the main thread: it stops when the main event loop stops. */
  beat: Int32Array;
  /** Longest the main event loop may stay still, ms. */
  silentMs: number;
  /** Longest the program may run, ms (Infinity: no limit). */
  budgetMs: number;
}

const data = workerData as WatchdogData;
const started = Date.now();

function say(text: string): void {
  fs.writeSync(2, `[watchdog ${((Date.now() - started) / 1000).toFixed(1)}s] ${text}\n`);
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    return `(${(err as Error).message})`;
  }
}

/** Each thread's name, state, user and system ticks and last CPU (proc(5): stat fields 3, 14, 15, 39). */
function threadStates(): string[] {
  return fs.readdirSync('/proc/self/task').map((tid) => {
    const stat = readOr(`/proc/self/task/${tid}/stat`);
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const wchan = readOr(`/proc/self/task/${tid}/wchan`);
    return `  thread ${tid} ${name}: state ${f[0]}, utime ${f[11]}, stime ${f[12]} ticks, cpu ${f[36]}, wchan ${wchan}`;
  });
}

function fire(reason: string): void {
  say(`${reason}: the main thread's stack follows, then the process ends`);
  for (const line of threadStates()) say(line);
  say(`loadavg ${readOr('/proc/loadavg')}`);
  const session = new inspector.Session();
  session.connectToMainThread();
  const end = (): void => {
    process.kill(process.pid, 'SIGTERM');
  };
  // If the inspector cannot pause the main thread (it is stuck outside JavaScript), end anyway.
  const noPause = setTimeout(() => {
    say('the main thread did not pause within 5 s: it is not running JavaScript (stuck in native code or the kernel)');
    end();
  }, 5000);
  // Debugger.enable announces every script loaded so far; the paused frames name theirs by id.
  const urls = new Map<string, string>();
  session.on('Debugger.scriptParsed', (message) => urls.set(message.params.scriptId, message.params.url));
  session.on('Debugger.paused', (message) => {
    clearTimeout(noPause);
    for (const f of message.params.callFrames) {
      const where = `${urls.get(f.location.scriptId) ?? f.url}:${f.location.lineNumber + 1}:${(f.location.columnNumber ?? 0) + 1}`;
      say(`  at ${f.functionName === '' ? '(anonymous)' : f.functionName} (${where})`);
    }
    end();
  });
  session.post('Debugger.enable', () => session.post('Debugger.pause'));
}

let lastBeat = Atomics.load(data.beat, 0);
let lastChange = Date.now();
const timer = setInterval(() => {
  const now = Date.now();
  const beat = Atomics.load(data.beat, 0);
  if (beat !== lastBeat) {
    lastBeat = beat;
    lastChange = now;
  }
  if (now - lastChange >= data.silentMs) {
    clearInterval(timer);
    fire(`the main event loop has not turned for ${((now - lastChange) / 1000).toFixed(0)} s`);
  } else if (now - started >= data.budgetMs) {
    clearInterval(timer);
    fire(`the program ran ${((now - started) / 1000).toFixed(0)} s, its whole budget (the host kills the guest soon)`);
  }
}, 1000);

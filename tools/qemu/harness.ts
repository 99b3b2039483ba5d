/**
 * Runs a Node.js program of the project inside a QEMU guest whose NICs sit behind a virtual IOMMU, and
 * returns its exit code and output. The guest (tools/qemu/guest-image.ts) mounts the host's root
 * read-only, binds the chosen NICs to vfio-pci and runs the program under the host's own `node` inside
 * `chroot /host`, so the program sees the project exactly as it is on the host (build it first: the
 * guest cannot write to it). A hard timeout kills QEMU and says so.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseConsole, tail } from './console';
import { buildGuest, CACHE_DIR, PROJECT_ROOT, type GuestImage } from './guest-image';
import { placeNics, qemuArgs, type GuestNic, type PlacedNic } from './machine';

/** Options of {@link runInGuest}. */
export interface GuestRunOptions {
  /** The program: a JavaScript file, absolute or relative to the project root. */
  script: string;
  /** Its arguments. */
  args?: string[];
  /** The NICs, in order (index i sits at PCI 00:(0x10+i).0 unless it is `withoutIommu`). */
  nics: GuestNic[];
  /** Hard limit for the whole run, boot included, in ms. Default 300000. */
  timeoutMs?: number;
  /** Extra environment for the program (PATH, HOME=/tmp and the TSNIC_* variables are always set). */
  env?: Record<string, string>;
  /** Guest RAM in MiB. Default 1024. */
  memoryMb?: number;
  /** 2 MiB hugepages reserved in the guest. Default 64. */
  hugepages?: number;
  /** Virtual CPUs. Default 2. */
  cpus?: number;
  /** Receives the console as it arrives (for a person watching). */
  onConsole?: (chunk: string) => void;
  /** A guest built beforehand; built (or taken from the cache) when absent. */
  image?: GuestImage;
}

/** The outcome of {@link runInGuest}. */
export interface GuestRunResult {
  /** The program's exit status; null when it never finished (timeout, guest failure). */
  exitCode: number | null;
  /** The program's output (stdout and stderr interleaved, as on the console). */
  output: string;
  /** True when the hard timeout killed QEMU. */
  timedOut: boolean;
  /** Why the run failed outside the program (timeout, guest set-up, QEMU), or undefined. */
  failure?: string;
  /** The whole serial console plus QEMU's own messages. */
  console: string;
  /** The job folder shared with the guest (writable there as $TSNIC_JOB_DIR). Kept after the run. */
  jobDir: string;
  /** Where each NIC landed. */
  nics: PlacedNic[];
  /** Wall-clock time of the run in ms. */
  durationMs: number;
}

/** Time (at most a quarter of the run's) before the hard timeout at which the guest's watchdog reports a stalled program and ends it. */
const GUEST_REPORT_MARGIN_MS = 30_000;

/** Where the guest sees the job folder (init.sh bind-mounts it there inside the chroot). */
export const GUEST_JOB_DIR = '/tmp/tsnic-job';

/** Quotes one word for POSIX sh. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The job folder's two files: job.sh (what init binds) and run.sh (the program, run in the chroot). */
export function jobFiles(
  placed: PlacedNic[],
  script: string,
  args: string[],
  env: Record<string, string>,
): { jobSh: string; runSh: string } {
  const pick = (test: (n: PlacedNic) => boolean): string => placed.filter(test).map((n) => n.address).join(' ');
  const jobSh = [
    `TSNIC_VFIO=${shellQuote(pick((n) => n.bind === 'vfio'))}`,
    `TSNIC_UNBIND=${shellQuote(pick((n) => n.bind === 'none'))}`,
    `TSNIC_LINK_UP=${shellQuote(pick((n) => n.bind === 'kernel-up'))}`,
    '',
  ].join('\n');
  const fullEnv: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/tmp',
    ...env,
    TSNIC_GUEST: '1',
    TSNIC_JOB_DIR: GUEST_JOB_DIR,
    TSNIC_GUEST_NICS: JSON.stringify(placed),
  };
  const envWords = Object.entries(fullEnv).map(([k, v]) => shellQuote(`${k}=${v}`));
  const runSh = [
    `cd ${shellQuote(PROJECT_ROOT)} || exit 126`,
    `exec /usr/bin/env -i ${envWords.join(' ')} ${[process.execPath, script, ...args].map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
  return { jobSh, runSh };
}

/** The qemu-system-x86_64 binary the harness runs. */
export const QEMU = 'qemu-system-x86_64';

let deviceHelp: string | undefined;

/** Whether the installed QEMU has the device model `model` (from `-device help`, read once). */
export function qemuHasDevice(model: string): boolean {
  if (deviceHelp === undefined) {
    try {
      deviceHelp = execFileSync(QEMU, ['-device', 'help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      // No QEMU at all: the run itself reports that, with the package to install.
      return true;
    }
  }
  return deviceHelp.includes(`name "${model}"`);
}

/** Throws, naming the fix, when the installed QEMU lacks a NIC model of `nics`. */
export function checkNicModels(nics: GuestNic[], has: (model: string) => boolean = qemuHasDevice): void {
  for (const model of new Set(nics.map((n) => n.model ?? 'e1000'))) {
    if (has(model)) continue;
    const version = model === 'igb' ? ' (the 82576 model came with QEMU 8; Debian bookworm has 7.2)' : '';
    throw new Error(
      `the installed ${QEMU} has no "${model}" NIC model${version}: install QEMU 10 from bookworm-backports ` +
        '(add a bookworm-backports entry to apt\'s sources as .ci/run does, apt-get update, ' +
        'then apt-get install -t bookworm-backports qemu-system-x86)',
    );
  }
}

/** Boots the guest, runs the program, returns what happened. Never rejects for the program's failure. */
export async function runInGuest(options: GuestRunOptions): Promise<GuestRunResult> {
  const started = Date.now();
  checkNicModels(options.nics);
  const image = options.image ?? buildGuest();
  const script = path.resolve(PROJECT_ROOT, options.script);
  if (!fs.existsSync(script)) throw new Error(`${script} does not exist: build it first (npm run compile)`);
  const placed = placeNics(options.nics);
  const timeoutMs = options.timeoutMs ?? 300_000;
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const jobDir = fs.mkdtempSync(path.join(CACHE_DIR, 'job-'));
  const { jobSh, runSh } = jobFiles(placed, script, options.args ?? [], {
    ...options.env,
    TSNIC_RAWSEND: image.rawsend,
    // The guest's stall watchdog (test/qemu/guest/watchdog.ts) reports before this hard timeout kills it.
    TSNIC_GUEST_BUDGET_MS: String(timeoutMs - Math.min(GUEST_REPORT_MARGIN_MS, timeoutMs / 4)),
  });
  fs.writeFileSync(path.join(jobDir, 'job.sh'), jobSh);
  fs.writeFileSync(path.join(jobDir, 'run.sh'), runSh);
  // The guest mounts a fresh tmpfs on /tmp; init.sh binds the project back over it when it lives there.
  fs.writeFileSync(path.join(jobDir, 'project-root'), `${PROJECT_ROOT}\n`);
  for (const nic of options.nics) if (nic.pcap !== undefined) fs.rmSync(nic.pcap, { force: true });

  const args = qemuArgs({
    kernel: image.kernel,
    initrd: image.initrd,
    jobDir,
    nics: options.nics,
    memoryMb: options.memoryMb ?? 1024,
    hugepages: options.hugepages ?? 64,
    cpus: options.cpus ?? 2,
  });
  const child = spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let transcript = '';
  let lastOutputMs = started;
  const take = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    transcript += text;
    lastOutputMs = Date.now();
    options.onConsole?.(text);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const exit = await new Promise<{ code: number | null; spawnError?: Error }>((resolve) => {
    child.on('error', (err) => resolve({ code: null, spawnError: err }));
    child.on('close', (code) => resolve({ code }));
  });
  clearTimeout(timer);

  const report = parseConsole(transcript);
  let failure: string | undefined;
  if (exit.spawnError !== undefined) {
    failure = `cannot start qemu-system-x86_64 (${exit.spawnError.message}): apt-get install qemu-system-x86`;
  } else if (timedOut) {
    failure =
      `the guest did not finish within ${Math.round(timeoutMs / 1000)} s: QEMU was killed ` +
      `(${report.began ? 'the program was running' : 'the program never started'}); the console was last heard ` +
      `${((lastOutputMs - started) / 1000).toFixed(1)} s into the run. Last console lines:\n` +
      tail(transcript, 15);
  } else if (report.guestErrors.length > 0) {
    failure = `the guest's set-up failed: ${report.guestErrors.join('; ')}`;
  } else if (report.exitCode === null) {
    failure = `the guest stopped without reporting an exit status (QEMU exit ${String(exit.code)}). ` +
      `Last console lines:\n${tail(transcript, 15)}`;
  }
  return {
    exitCode: timedOut ? null : report.exitCode,
    output: report.output,
    timedOut,
    failure,
    console: transcript,
    jobDir,
    nics: placed,
    durationMs: Date.now() - started,
  };
}

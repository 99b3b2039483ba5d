/**
 * Command line for a person: boots the QEMU guest and runs one Node.js program of the project in it.
 *
 *   npx ts-node-transpile-only tools/qemu/run.ts [options] SCRIPT.js [ARGS...]
 *
 * Options:
 *   --nic SPEC       add a NIC; SPEC is comma-separated key=value: bind=vfio|kernel|kernel-up|none,
 *                    hub=N, model=e1000|e1000-82545em|e1000-82544gc|igb, pcap=FILE, no-iommu
 *                    (default when no --nic: two NICs on hub 0, the first vfio, the second kernel-up)
 *   --timeout S      hard limit in seconds (default 300)
 *   --build          run `npm run compile` first (for scripts that require dist/)
 * Exit status: the program's, or 124 when the guest timed out, 125 when the guest failed.
 */
import { execFileSync } from 'node:child_process';
import { runInGuest } from './harness';
import type { GuestNic, NicBinding, NicModel } from './machine';
import { PROJECT_ROOT } from './guest-image';
import { prepareHost, unavailableReason, INSTALL_HINT } from './prepare';

function parseNic(spec: string): GuestNic {
  const nic: GuestNic = {};
  for (const part of spec.split(',').filter((p) => p !== '')) {
    const [key, value = ''] = part.split('=');
    if (key === 'bind') nic.bind = value as NicBinding;
    else if (key === 'hub') nic.hub = Number(value);
    else if (key === 'model') nic.model = value as NicModel;
    else if (key === 'pcap') nic.pcap = value;
    else if (key === 'no-iommu') nic.withoutIommu = true;
    else throw new Error(`--nic: unknown key ${key} (bind, hub, model, pcap, no-iommu)`);
  }
  return nic;
}

async function main(argv: string[]): Promise<number> {
  const nics: GuestNic[] = [];
  let timeoutS = 300;
  let build = false;
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('--'); i++) {
    if (argv[i] === '--nic') nics.push(parseNic(argv[++i] ?? ''));
    else if (argv[i] === '--timeout') timeoutS = Number(argv[++i]);
    else if (argv[i] === '--build') build = true;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  const [script, ...args] = argv.slice(i);
  if (script === undefined) throw new Error('usage: tools/qemu/run.ts [--nic SPEC]... [--timeout S] [--build] SCRIPT.js [ARGS...]');
  const why = unavailableReason();
  if (why !== undefined) throw new Error(`${why}. ${INSTALL_HINT}`);
  if (build) execFileSync('npm', ['run', 'compile'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  const image = prepareHost((line) => process.stderr.write(`qemu: ${line}\n`));
  const result = await runInGuest({
    script,
    args,
    image,
    timeoutMs: timeoutS * 1000,
    nics: nics.length > 0 ? nics : [{ bind: 'vfio' }, { bind: 'kernel-up' }],
    onConsole: (chunk) => process.stdout.write(chunk),
  });
  process.stderr.write(`qemu: job folder ${result.jobDir}; ${(result.durationMs / 1000).toFixed(1)} s\n`);
  if (result.failure !== undefined) process.stderr.write(`qemu: ${result.failure}\n`);
  if (result.timedOut) return 124;
  return result.exitCode ?? 125;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`qemu: ${(err as Error).message}\n`);
    process.exit(2);
  },
);

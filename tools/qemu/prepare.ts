/**
 * Host-side preparation for a guest run: checks the tools, builds the native addon when it is missing,
 * compiles the guest programs (lib/ and test/qemu/guest/, TypeScript to JavaScript under
 * .cache/qemu/js, because the guest runs plain `node`) and builds or reuses the guest image.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildGuest, CACHE_DIR, kernelPackage, missingHostTools, PROJECT_ROOT, type GuestImage } from './guest-image';

/** Compiled guest programs: `.cache/qemu/js/test/qemu/guest/<name>.js`. */
export const GUEST_JS_ROOT = path.join(CACHE_DIR, 'js');

/** How to get what is missing, for skip messages. */
export const INSTALL_HINT =
  'as root: apt-get update && apt-get install -y qemu-system-x86 busybox-static cpio kmod gcc tshark ' +
  '(the kernel comes from `apt-get download` of linux-image-amd64\'s current version)';

/** Why the guest cannot be built or booted on this host, or undefined when it can. */
export function unavailableReason(): string | undefined {
  const missing = missingHostTools();
  if (missing.length > 0) return `missing on this host: ${missing.join(', ')}`;
  try {
    kernelPackage();
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

function addonBuilt(): boolean {
  const release = path.join(PROJECT_ROOT, 'build', 'Release');
  return fs.existsSync(release) && fs.readdirSync(release).some((f) => f.endsWith('.node'));
}

/** Builds what a guest run needs; returns the guest image. `log` gets one line per step taken. */
export function prepareHost(log: (line: string) => void = () => {}): GuestImage {
  if (!addonBuilt()) {
    log('building the native addon (node-gyp)');
    execFileSync('flock', ['/tmp/tsnic-build.lock', 'npx', 'node-gyp', 'configure', 'build'], { cwd: PROJECT_ROOT, stdio: 'pipe' });
  }
  log('compiling lib/ and test/qemu/guest/ for the guest');
  const tsc = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(__dirname, 'tsconfig.guest.json')], { cwd: PROJECT_ROOT, stdio: 'pipe' });
  } catch (err) {
    // tsc still emits on type errors (those are `npm run typecheck`'s to report); fail only without output.
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
    if (!fs.existsSync(path.join(GUEST_JS_ROOT, 'lib', 'device.js'))) throw new Error(`compiling the guest programs failed:\n${out}`);
    log(`warning: type errors while compiling for the guest:\n${out}`);
  }
  // lib/bus/addon.ts loads the addons from two levels above its own folder: point that at the real build.
  const link = path.join(GUEST_JS_ROOT, 'build');
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(PROJECT_ROOT, 'build'), link);
  return buildGuest(log);
}

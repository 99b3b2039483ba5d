/**
 * Builds the QEMU guest from Debian's packages: the kernel of `linux-image-amd64` (downloaded with
 * `apt-get download`, unpacked with `dpkg-deb -x`, never installed), an initramfs holding busybox-static,
 * the modules the guest needs (with their dependencies, in load order) and tools/qemu/init.sh, plus the
 * static raw-socket sender from tools/qemu/rawsend.c. Everything lands in `.cache/qemu/guest-<hash>/`,
 * where the hash covers every input, so a changed kernel, busybox, init script or sender rebuilds it and
 * an unchanged one is reused.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Modules the guest loads (their dependencies are added). af_packet and ipv6 are built in on Debian.
 * e1000 and igb drive the NICs left to Linux (the peers on the wire); bridge is the device under test
 * of test/qemu/bridge-rfc2544.test.ts.
 */
export const GUEST_MODULES = [
  'virtio_pci', '9pnet_virtio', '9p', 'vfio', 'vfio_iommu_type1', 'vfio-pci', 'e1000', 'igb', 'bridge',
] as const;

/** Packages and tools the guest build needs on the host, with the Debian package providing each. */
export const HOST_TOOLS: Record<string, string> = {
  'qemu-system-x86_64': 'qemu-system-x86',
  'apt-get': 'apt',
  'dpkg-deb': 'dpkg',
  depmod: 'kmod',
  modprobe: 'kmod',
  cpio: 'cpio',
  gzip: 'gzip',
  gcc: 'gcc',
};

/** The busybox binary of package busybox-static. */
export const BUSYBOX = '/bin/busybox';

/** A built guest. */
export interface GuestImage {
  /** Kernel image (bzImage). */
  kernel: string;
  /** Gzipped initramfs. */
  initrd: string;
  /** Static raw-socket sender, runnable inside the guest's chroot. */
  rawsend: string;
  /** Kernel version, e.g. `6.1.0-56-amd64`. */
  kernelVersion: string;
  /** True when this call built it, false when the cache had it. */
  built: boolean;
}

const TOOLS_DIR = __dirname;

/** The project root (tools/qemu is two levels below it). */
export const PROJECT_ROOT = path.resolve(TOOLS_DIR, '..', '..');

/** Where every QEMU artefact is cached (gitignored). */
export const CACHE_DIR = path.join(PROJECT_ROOT, '.cache', 'qemu');

/** Returns the tools of {@link HOST_TOOLS} missing on this host, as `tool (package)` strings. */
export function missingHostTools(): string[] {
  const missing: string[] = [];
  for (const [tool, pkg] of Object.entries(HOST_TOOLS)) {
    if (!onPath(tool)) missing.push(`${tool} (${pkg})`);
  }
  if (!fs.existsSync(BUSYBOX)) missing.push(`${BUSYBOX} (busybox-static)`);
  return missing;
}

function onPath(tool: string): boolean {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  return dirs.some((dir) => dir !== '' && fs.existsSync(path.join(dir, tool)));
}

function run(cmd: string, args: string[], options: { cwd?: string; input?: Buffer } = {}): string {
  const env = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` };
  return execFileSync(cmd, args, { ...options, env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/** The versioned kernel package `linux-image-amd64` depends on, e.g. `linux-image-6.1.0-56-amd64`. */
export function kernelPackage(): string {
  const out = run('apt-cache', ['depends', 'linux-image-amd64']);
  const match = /Depends:\s*(linux-image-\d\S*-amd64)\b/.exec(out);
  if (match === null) {
    throw new Error(
      'apt-cache does not know linux-image-amd64: run `apt-get update` (as root) so the package lists are present',
    );
  }
  return match[1];
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Downloads (once) the .deb of `pkg` into the cache and returns its path. */
function downloadDeb(pkg: string): string {
  const dir = path.join(CACHE_DIR, 'debs');
  fs.mkdirSync(dir, { recursive: true });
  const have = fs.readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (have !== undefined) return path.join(dir, have);
  try {
    run('apt-get', ['download', pkg], { cwd: dir });
  } catch (err) {
    throw new Error(
      `apt-get download ${pkg} failed (${(err as Error).message.trim()}): run \`apt-get update\` as root, ` +
        'and check that Debian\'s package mirror is reachable',
    );
  }
  const got = fs.readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (got === undefined) throw new Error(`apt-get download ${pkg} left no .deb in ${dir}`);
  return path.join(dir, got);
}

/**
 * Returns the guest for the current inputs, building it when the cache has none. `log` receives one
 * line per build step (nothing when the cache is used).
 */
export function buildGuest(log: (line: string) => void = () => {}): GuestImage {
  const pkg = kernelPackage();
  const kernelVersion = pkg.slice('linux-image-'.length);
  const initScript = path.join(TOOLS_DIR, 'init.sh');
  const senderSource = path.join(TOOLS_DIR, 'rawsend.c');
  const hash = createHash('sha256')
    .update(['guest-v1', pkg, GUEST_MODULES.join(','), sha256File(BUSYBOX), sha256File(initScript), sha256File(senderSource)].join('\n'))
    .digest('hex')
    .slice(0, 16);
  const dir = path.join(CACHE_DIR, `guest-${hash}`);
  const image: GuestImage = {
    kernel: path.join(dir, 'vmlinuz'),
    initrd: path.join(dir, 'initrd.gz'),
    rawsend: path.join(dir, 'rawsend'),
    kernelVersion,
    built: false,
  };
  if (fs.existsSync(path.join(dir, 'complete'))) return image;

  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  log(`building the guest in ${dir}`);
  const deb = downloadDeb(pkg);
  const unpacked = path.join(dir, 'kernel');
  log(`unpacking ${path.basename(deb)}`);
  run('dpkg-deb', ['-x', deb, unpacked]);
  run('depmod', ['-b', unpacked, kernelVersion]);
  fs.copyFileSync(path.join(unpacked, 'boot', `vmlinuz-${kernelVersion}`), image.kernel);

  const root = path.join(dir, 'initramfs');
  for (const sub of ['bin', 'modules', 'proc', 'sys', 'dev', 'tmp', 'host', 'job']) {
    fs.mkdirSync(path.join(root, sub), { recursive: true });
  }
  fs.copyFileSync(BUSYBOX, path.join(root, 'bin', 'busybox'));
  fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  fs.copyFileSync(initScript, path.join(root, 'init'));
  fs.chmodSync(path.join(root, 'init'), 0o755);
  const order = moduleLoadOrder(unpacked, kernelVersion);
  for (const file of order) fs.copyFileSync(file, path.join(root, 'modules', path.basename(file)));
  fs.writeFileSync(path.join(root, 'modules', 'order'), order.map((f) => path.basename(f)).join('\n') + '\n');
  log(`packing the initramfs (${order.length} modules)`);
  const files = run('find', ['.'], { cwd: root });
  const cpio = execFileSync('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: root, input: files, maxBuffer: 256 << 20 });
  fs.writeFileSync(image.initrd, execFileSync('gzip', ['-1'], { input: cpio, maxBuffer: 256 << 20 }));

  log('compiling tools/qemu/rawsend.c (static)');
  run('gcc', ['-O2', '-static', '-Wall', '-Werror', '-o', image.rawsend, senderSource]);
  fs.rmSync(unpacked, { recursive: true, force: true });
  fs.rmSync(root, { recursive: true, force: true });
  fs.writeFileSync(path.join(dir, 'complete'), `${pkg}\n`);
  image.built = true;
  return image;
}

/** Module files to insmod, dependencies first, each once (from `modprobe --show-depends`). */
function moduleLoadOrder(unpacked: string, kernelVersion: string): string[] {
  const order: string[] = [];
  for (const module of GUEST_MODULES) {
    const out = run('modprobe', ['-d', unpacked, '-S', kernelVersion, '--show-depends', module]);
    for (const line of out.split('\n')) {
      const match = /^insmod (\S+\.ko)\b/.exec(line.trim());
      if (match !== null && !order.includes(match[1])) order.push(match[1]);
    }
  }
  return order;
}

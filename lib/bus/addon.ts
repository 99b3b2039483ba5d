/**
 * The one loader of tsnic's two native addons, by name:
 * - `tsnic`, the production addon: host DMA memory and VFIO (lib/bus/native.ts);
 * - `tsnic_sim`: the simulated 82599 with its register access trap, and the benchmark's native
 *   reference loop (lib/bus/sim-binding.ts, lib/bench/binding.ts), loaded on first use so that the
 *   VFIO path never maps it.
 *
 * An addon comes from the file its environment variable names (`TSNIC_ADDON`, `TSNIC_SIM_ADDON`:
 * tools/sanitize.sh's AddressSanitizer builds), else `build/Release/<name>.node` (a local node-gyp
 * build), else `prebuilds/<platform>-<arch>/<name>.node` (`npm run prebuild`; what the published
 * package carries). Always by file name: both addons share those directories, so node-gyp-build's
 * "first .node file in the directory" would be ambiguous.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The addons binding.gyp builds. */
export type AddonName = 'tsnic' | 'tsnic_sim';

/** The environment variable that points an addon at another build. */
export const ADDON_OVERRIDE: Readonly<Record<AddonName, string>> = { tsnic: 'TSNIC_ADDON', tsnic_sim: 'TSNIC_SIM_ADDON' };

// lib/bus (source) and dist/bus (compiled) both sit two levels below the package root.
const ROOT = path.join(__dirname, '..', '..');

/** The files `name` may be loaded from, most preferred first (only the override when it is set). */
export function addonCandidates(name: AddonName): string[] {
  const override = process.env[ADDON_OVERRIDE[name]];
  if (override !== undefined && override !== '') return [path.resolve(override)];
  return [
    path.join(ROOT, 'build', 'Release', `${name}.node`),
    path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`, `${name}.node`),
  ];
}

/** Loads addon `name` (once: Node caches it) and returns its exports; throws naming the files tried. */
export function loadAddon(name: AddonName): unknown {
  const candidates = addonCandidates(name);
  const file = candidates.find((f) => fs.existsSync(f));
  if (file === undefined) {
    const variable = ADDON_OVERRIDE[name];
    throw new Error(
      process.env[variable] !== undefined && process.env[variable] !== ''
        ? `${variable}=${process.env[variable]} names no file: point it at a built ${name}.node or unset it`
        : `the native addon ${name}.node was not found (tried ${candidates.join(', ')}): build it with ` +
            '`npm run build:native` in the tsnic package (needs node-gyp and a C++ compiler)',
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file);
}

/**
 * Addon `name` as a `T` that loads it on the first property access. For the simulator addon, which
 * modules reachable from the package's entry point use but only a simulated card needs.
 */
export function lazyAddon<T extends object>(name: AddonName): T {
  let loaded: T | undefined;
  return new Proxy({} as T, {
    get: (_target, key) => (loaded ??= loadAddon(name) as T)[key as keyof T],
  });
}

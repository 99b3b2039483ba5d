/**
 * `npm pack` smoke test: from a copy of the package's sources, `npm run prebuild` writes the two
 * prebuilt addons (tsnic.node, production; tsnic_sim.node, the simulator), `npm pack` makes a tarball
 * with the compiled JavaScript and those prebuilds, and the tarball installs into an empty project
 * without compiling: `require('tsnic')` loads the production prebuild only, a simulated card loads the
 * simulator's, and the `tsnic` bin prints its usage. The production prebuild carries nothing of the
 * model: its exports, its dynamic symbols and the signal handlers of a process that loads it say so.
 *
 * Everything happens in temporary directories: the working tree's build/, dist/ and prebuilds/ are
 * neither used nor touched, so the test proves nothing from leftovers and does not disturb a shared tree.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';

const ROOT = path.join(__dirname, '..', '..');
const PREBUILD_DIR = path.join('prebuilds', `${os.platform()}-${os.arch()}`);
const PREBUILD = path.join(PREBUILD_DIR, 'tsnic.node');
const SIM_PREBUILD = path.join(PREBUILD_DIR, 'tsnic_sim.node');

interface PackageJson {
  name: string;
  files: string[];
}

interface PackResult {
  filename: string;
  files: { path: string }[];
}

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson;

/**
 * The environment for child npm/node processes, without what `npm test` and tap set for themselves
 * (tap's loader in NODE_OPTIONS, the outer package's lifecycle variables and prefix).
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(NODE_OPTIONS$|TAP|_TAPJS|npm_lifecycle_|npm_package_|npm_command$|npm_config_local_prefix$)/.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/** Runs a command to completion and returns its stdout; throws with its stderr when it fails. */
function run(command: string, args: readonly string[], cwd: string, timeoutMs: number): string {
  try {
    return execFileSync(command, args, { cwd, env: childEnv(), timeout: timeoutMs, encoding: 'utf8', stdio: 'pipe', maxBuffer: 16 << 20 });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

function tempDir(t: Test, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A copy of what the package is built from: the `files` it ships that exist in the source tree (dist/
 * and prebuilds/ are outputs, made afresh here), the TypeScript sources and configs, and the repository's
 * node_modules by symlink (the build tools).
 */
function stageSources(stage: string): void {
  const outputs = new Set(['dist', 'prebuilds']);
  const shipped = pkg.files.filter((f) => !f.startsWith('!')).map((f) => f.replace(/\/$/, '')).filter((f) => !outputs.has(f));
  for (const entry of [...shipped, 'package.json', 'lib', 'tsconfig.json', 'tsconfig.build.json']) {
    fs.cpSync(path.join(ROOT, entry), path.join(stage, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'));
}

t.test('the packed tarball installs into an empty project and runs without compiling', (t) => {
  const stage = tempDir(t, 'tsnic-pack-stage-');
  const project = tempDir(t, 'tsnic-pack-project-');
  stageSources(stage);

  run('npm', ['run', 'prebuild'], stage, 300_000);
  for (const prebuild of [PREBUILD, SIM_PREBUILD]) {
    t.ok(fs.statSync(path.join(stage, prebuild)).size > 0, `npm run prebuild writes ${prebuild}`);
  }
  t.same(fs.readdirSync(path.join(stage, PREBUILD_DIR)).sort(), ['tsnic.node', 'tsnic_sim.node'], 'and nothing else');

  // npm pack runs `prepare` (the TypeScript compile) first, so dist/ is made from the staged sources.
  const packed = (JSON.parse(run('npm', ['pack', '--json', '--pack-destination', stage], stage, 180_000)) as PackResult[])[0];
  const shippedFiles = packed.files.map((f) => f.path);
  for (const expected of ['package.json', 'README.md', 'binding.gyp', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'native/binding/addon.cc', PREBUILD, SIM_PREBUILD]) {
    t.ok(shippedFiles.includes(expected), `the tarball carries ${expected}`);
  }
  t.ok(shippedFiles.some((f) => f.startsWith('docs/')), 'the tarball carries docs/');
  t.same(shippedFiles.filter((f) => /^(test|build|lib|node_modules)\//.test(f) || f.endsWith('.map')), [], 'no tests, build tree, TypeScript sources or source maps');

  // allowScripts: npm 11 runs a dependency's install script only when the project approves it; older
  // npm ignores the field and runs it anyway. The install script must run so that "no build/" means
  // "node-gyp-build found the prebuild", not "nothing was attempted".
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'tsnic-pack-smoke', version: '1.0.0', private: true, allowScripts: { [pkg.name]: true } }));
  const install = run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', path.join(stage, packed.filename)], project, 180_000);
  t.match(install, /> tsnic@[^\n]* install\n> node-gyp-build/, 'the install script (node-gyp-build) ran');
  const installed = path.join(project, 'node_modules', pkg.name);
  t.notOk(fs.existsSync(path.join(installed, 'build')), 'nothing was compiled: no build/ in the installed package');

  // The model's register access trap catches SIGSEGV (which V8 may catch already) and SIGTRAP: whether
  // SIGTRAP is caught (SigCgt bit 4 in /proc/self/status) shows whether the trap was installed.
  const probe = `
    const fs = require('node:fs');
    const trapCaught = () => (BigInt('0x' + /SigCgt:\\s*(\\w+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) & 16n) !== 0n;
    const addons = () => Object.keys(require.cache).filter((f) => f.endsWith('.node'));
    const tsnic = require('tsnic');
    const onRequire = addons();
    const trapOnRequire = trapCaught();
    const exportsOf = Object.keys(require(onRequire[0])).sort();
    const card = tsnic.SimCard.create();
    const withCard = addons();
    const trapWithCard = trapCaught();
    card.close();
    console.log(JSON.stringify({ onRequire, trapOnRequire, exportsOf, withCard, trapWithCard }));`;
  // Through sh, which drops the NODE_OPTIONS that tap's process-info hook puts back into every child:
  // with it, the child would run tap's signal-exit handlers (SIGTRAP among them) before the probe.
  const node = ['-c', 'unset NODE_OPTIONS; exec "$0" -e "$1"', process.execPath, probe];
  const probed = JSON.parse(run('sh', node, project, 60_000)) as Record<string, boolean | string[]>;
  const production = fs.realpathSync(path.join(installed, PREBUILD));
  const simulator = fs.realpathSync(path.join(installed, SIM_PREBUILD));
  t.same(probed.onRequire, [production], "require('tsnic') loads the prebuilt production addon and no other");
  t.same(probed.exportsOf, ['allocHostMemory', 'freeHostMemory', 'pcapCompile', 'vfioClose', 'vfioDisableIrqs', 'vfioEnableIrqs', 'vfioIrqInfo', 'vfioIrqRef', 'vfioMapDma', 'vfioOpen', 'vfioReadConfig', 'vfioUnmapDma', 'vfioUnmaskIntx', 'vfioWriteConfig'], 'its N-API exports: memory, VFIO (with interrupts) and filter compilation, no sim*, no bench*');
  t.equal(probed.trapOnRequire, false, 'no SIGTRAP handler after loading it');
  t.same(probed.withCard, [production, simulator], 'a simulated card loads the prebuilt simulator addon');
  t.equal(probed.trapWithCard, true, 'whose first card installs the access trap (so the check above can fail)');

  // Dynamic symbols survive --strip-all: what the addon defines and what it imports.
  const symbols = (file: string, which: string): string[] => run('nm', ['-DC', which, file], project, 30_000).split('\n');
  t.same(symbols(production, '--defined-only').filter((s) => /sim|trap|bench|selftest/i.test(s)), [], 'the production addon defines no model, trap or bench symbol');
  const signals = (file: string): string[] => symbols(file, '--undefined-only').filter((s) => /\b(sigaction|signal)@/.test(s));
  t.same(signals(production), [], 'the production addon imports neither sigaction nor signal');
  t.not(signals(simulator).length, 0, 'the simulator addon does (the check sees imports in a stripped file)');

  const help = run('npx', ['--no', '--', 'tsnic', '--help'], project, 60_000);
  t.match(help, /^Usage: tsnic <command>/, 'npx tsnic --help exits 0 and prints the usage');
  t.end();
});

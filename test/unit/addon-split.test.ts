// Issue 12 item 7: two addons. tsnic.node (host DMA memory, VFIO) carries nothing of the simulator;
// tsnic_sim.node (the model with its SIGSEGV/SIGTRAP register access trap, the benchmark's reference
// loop) is loaded only when a simulated card is made, and takes DMA memory from tsnic.node.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import t from 'tap';
import * as tsnic from '../../lib/index';
import { addonCandidates, loadAddon } from '../../lib/bus/addon';
import { native } from '../../lib/bus/native';
import { openVfio } from '../../lib/bus/vfio';
import { fakeSysfs } from './fake-sysfs';

/** The files of the addons mapped into this process, from /proc/self/maps (whatever loaded them). */
function mappedAddonFiles(): string[] {
  const files = fs.readFileSync('/proc/self/maps', 'utf8').match(/\/\S+\.node$/gm) ?? [];
  return [...new Set(files)].sort();
}

/** The addons mapped into this process, by file name. */
function mappedAddons(): string[] {
  return mappedAddonFiles().map((f) => f.slice(f.lastIndexOf('/') + 1));
}

/** The file `name` loads from here: the override variable's, a local build's or the prebuild. */
function resolvedFile(name: 'tsnic' | 'tsnic_sim'): string {
  const file = addonCandidates(name).find((f) => fs.existsSync(f));
  if (file === undefined) throw new Error(`${name}.node is not built: run npm run build:native`);
  return fs.realpathSync(file);
}

/** The addons in Node's module cache, by file name. */
function cachedAddons(): string[] {
  return Object.keys(require.cache).filter((f) => f.endsWith('.node')).map((f) => f.slice(f.lastIndexOf('/') + 1)).sort();
}

const PRODUCTION_EXPORTS = ['allocHostMemory', 'freeHostMemory', 'pcapCompile', 'vfioClose', 'vfioDisableIrqs', 'vfioEnableIrqs', 'vfioIrqInfo', 'vfioIrqRef', 'vfioMapDma', 'vfioOpen', 'vfioReadConfig', 'vfioUnmapDma', 'vfioUnmaskIntx', 'vfioWriteConfig'];

t.test('the public entry point and the VFIO backend never load tsnic_sim.node', async (t) => {
  t.ok(typeof tsnic.SimCard.create === 'function', 'the entry point exports the simulator (its addon not loaded yet)');
  await t.rejects(tsnic.openDevice('0000:ff:1f.7'), { code: 'ERR_NO_DEVICE' }, 'openDevice with a PCI address');
  const root = fakeSysfs([{ address: '0000:00:03.0', driver: 'vfio-pci', group: 4 }], (fn) => t.teardown(fn));
  t.throws(() => openVfio('00:03.0', { sysfsRoot: root }), { code: /^ERR_/ }, 'the addon\'s vfioOpen runs (and fails: no VFIO group 4 here)');
  const mem = native.allocHostMemory(8192, false);
  t.throws(() => native.vfioMapDma(mem.bytes), { code: 'ERR_VFIO_UNAVAILABLE' }, 'vfioMapDma on real host memory');
  native.freeHostMemory(mem.bytes);

  t.same(mappedAddons(), ['tsnic.node'], 'only tsnic.node is mapped into the process');
  t.same(cachedAddons(), ['tsnic.node'], 'only tsnic.node is in the module cache');

  // The same checks see the simulator addon as soon as a card exists.
  const card = tsnic.SimCard.create();
  t.teardown(() => card.close());
  t.same(mappedAddons(), ['tsnic.node', 'tsnic_sim.node'], 'a SimCard loads tsnic_sim.node');
  t.same(cachedAddons(), ['tsnic.node', 'tsnic_sim.node']);
  // tools/sanitize.sh runs this test with TSNIC_ADDON and TSNIC_SIM_ADDON naming its ASan builds.
  const files = [resolvedFile('tsnic'), resolvedFile('tsnic_sim')];
  t.same(mappedAddonFiles(), files, 'each addon is mapped from the file its override, build/Release or prebuilds/ names');
  t.comment(`addons: ${files.join(' ')}`);
});

t.test('the production addon exports memory and VFIO only; the simulator addon the model and the bench', async (t) => {
  t.same(Object.keys(native).sort(), PRODUCTION_EXPORTS, 'tsnic.node: no sim*, no bench*');
  const sim = Object.keys(loadAddon('tsnic_sim') as object);
  t.ok(sim.includes('simCreate') && sim.includes('simRegisterDma') && sim.includes('benchReference'), 'tsnic_sim.node has the model and the bench');
  t.same(sim.filter((k) => /^(vfio|allocHostMemory|freeHostMemory)/.test(k)), [], 'tsnic_sim.node: no VFIO, no allocator');
});

t.test('the simulator addon takes DMA memory only from allocHostMemory, and only while it is live', async (t) => {
  const card = tsnic.SimCard.create();
  t.teardown(() => card.close());
  const port = card.port(0);
  const region = port.allocDma(4096, { hugepages: 'never' });
  t.equal(region.bytes.byteLength, 4096, 'allocHostMemory in tsnic.node, registered with the card in tsnic_sim.node');
  port.freeDma(region);

  const sim = loadAddon('tsnic_sim') as { simRegisterDma(handle: number, bytes: ArrayBuffer): void; simCreate(o: object): { handle: number }; simClose(h: number): void };
  const handle = sim.simCreate({}).handle;
  t.teardown(() => sim.simClose(handle));
  const message = /DMA memory must come from allocHostMemory and be live/;
  t.throws(() => sim.simRegisterDma(handle, new ArrayBuffer(4096)), { code: 'ERR_INVALID_ARG', message }, 'a plain ArrayBuffer is refused');
  const mem = native.allocHostMemory(4096, false);
  native.freeHostMemory(mem.bytes);
  t.throws(() => sim.simRegisterDma(handle, mem.bytes), { code: 'ERR_INVALID_ARG', message }, 'freed host memory is refused');
  t.throws(() => native.freeHostMemory(new ArrayBuffer(4096)), { code: 'ERR_INVALID_ARG', message: /not allocated by allocHostMemory/ });
  t.equal(native.freeHostMemory(mem.bytes), undefined, 'freeing twice does nothing');
});

t.test('loading either addon installs no signal handler; the model installs its trap with the first card', async (t) => {
  // A fresh node: this process already made cards. Bit 4 of SigCgt is SIGTRAP, bit 10 SIGSEGV (which
  // V8 may already catch), so the whole mask is compared. Through sh, which drops the NODE_OPTIONS that
  // tap's process-info hook puts back into every child (it would install signal-exit's handlers).
  const probe = `
    const fs = require('node:fs');
    const caught = () => /SigCgt:\\s*(\\w+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1];
    const before = caught();
    require(${JSON.stringify(resolvedFile('tsnic'))});
    const afterProduction = caught();
    const sim = require(${JSON.stringify(resolvedFile('tsnic_sim'))});
    const afterSim = caught();
    const card = sim.simCreate({});
    const afterCard = caught();
    sim.simClose(card.handle);
    console.log(JSON.stringify({ before, afterProduction, afterSim, afterCard }));`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NODE_OPTIONS$|TAP|_TAPJS)/.test(k)));
  const node = ['-c', 'unset NODE_OPTIONS; exec "$0" -e "$1"', process.execPath, probe];
  const r = JSON.parse(execFileSync('sh', node, { env, encoding: 'utf8' })) as Record<string, string>;
  const SIGTRAP = 1n << 4n;
  t.equal(BigInt(`0x${r.before}`) & SIGTRAP, 0n, 'a fresh node does not catch SIGTRAP');
  t.equal(r.afterProduction, r.before, 'tsnic.node: no handler');
  t.equal(r.afterSim, r.before, 'tsnic_sim.node: no handler until a card exists');
  t.equal(BigInt(`0x${r.afterCard}`) & SIGTRAP, SIGTRAP, 'the first card installs the SIGTRAP half of the access trap');
});

// Reading callgrind dumps for the benchmark's instruction counts (lib/bench/callgrind.ts).
import t from 'tap';
import { inclusiveOf, nameInPerfMap, optimizedJsSelf, parseCallgrind, parsePerfMap } from '../../lib/bench/callgrind';

// The shape callgrind 3.19 writes with --dump-before: compressed names, a call's inclusive cost on the
// line after calls=, the main loop calling the model's pass from two sites.
const DUMP = `# callgrind format
version: 1
creator: callgrind-3.19.0
positions: line
events: Ir
summary: 5000

ob=(1) /work/build/Release/tsnic_sim.node
fl=(1) ???
fn=(10) tsnic::(anonymous namespace)::Step(Napi::CallbackInfo const&)
0 40
cfn=(11) tsnic::sim::SimStep(tsnic::sim::Card*, unsigned int)
calls=3 0
0 1200
fn=(12) tsnic::bench::RunReference(tsnic::bench::ReferenceConfig const&)
0 900
cfn=(11)
calls=2 0
0 800
cfn=(13) tsnic::sim::SimStepper(int)
calls=1 0
0 77
fn=(11)
0 2000
`;

t.test('total and inclusive cost of every call to a function, over all its call sites', async (t) => {
  const d = parseCallgrind(DUMP);
  t.equal(d.total, 5000);
  t.equal(inclusiveOf(d, 'tsnic::sim::SimStep'), 2000, 'both call sites, resolved through the compressed name');
  t.equal(inclusiveOf(d, 'tsnic::sim::SimStepper'), 77, 'a prefix matches a whole name only');
  t.equal(inclusiveOf(d, 'tsnic::sim::Nothing'), 0);
});

t.test('a cut-short dump or one counting other events is refused', async (t) => {
  t.throws(() => parseCallgrind('events: Ir\nfn=(1) f\n0 5\n'), /no summary/);
  t.throws(() => parseCallgrind('events: Dr Ir\nsummary: 5 6\n'), /counts Dr first/);
});

// JIT code has no symbol in the dump: callgrind names it by address, and V8's perf map names it.
const JIT_DUMP = `events: Ir
summary: 1000
fn=(1) 0x0000000000401000
0 300
+2 100
cfn=(2) tsnic::sim::SimStep(tsnic::sim::Card*, unsigned int)
calls=1 0
0 400
fn=(3) 0x0000000000402010
0 150
fn=(4) 0x0000000000403000
0 50
fn=(2)
0 400
`;
const PERF_MAP = '402000 100 JS:^forwardOnce modes.js:1:1\n401000 200 JS:*takeRun adv-rx-queue.js:91:12\nnot a map line\n';

t.test('self cost per function, named through the perf map; only optimized JavaScript is summed', async (t) => {
  const d = parseCallgrind(JIT_DUMP);
  t.equal(d.selfByFunction.get('0x0000000000401000'), 400, 'cost lines add up, the call\'s inclusive cost is not self cost');
  t.equal(d.selfByFunction.get('tsnic::sim::SimStep(tsnic::sim::Card*, unsigned int)'), 400);
  const map = parsePerfMap(PERF_MAP);
  t.equal(map.length, 2, 'lines that are not <start> <size> <name> are skipped');
  t.equal(map[0].name, 'JS:*takeRun adv-rx-queue.js:91:12', 'sorted by start address');
  t.equal(nameInPerfMap(map, '0x0000000000401000'), 'JS:*takeRun adv-rx-queue.js:91:12');
  t.equal(nameInPerfMap(map, '0x0000000000402010'), 'JS:^forwardOnce modes.js:1:1', 'an address inside a code object');
  t.equal(nameInPerfMap(map, '0x0000000000403000'), '0x0000000000403000', 'outside every code object: unnamed');
  t.equal(nameInPerfMap(map, 'memcpy'), 'memcpy', 'a symbol stays as it is');
  t.equal(optimizedJsSelf(d, map), 400, 'only JS:* code counts: not baseline code, native code or unnamed addresses');
});

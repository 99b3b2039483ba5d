// Reading callgrind dumps for the benchmark's instruction counts (lib/bench/callgrind.ts).
import t from 'tap';
import { inclusiveOf, parseCallgrind } from '../../lib/bench/callgrind';

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

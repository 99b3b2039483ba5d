// The lockstep benchmark's bookkeeping: driver cost = loop time minus the model's share, the table, the option.
import t from 'tap';
import { parseBenchArgs } from '../../lib/bench/options';
import { driverCost } from '../../lib/bench/results';
import { formatDriverCostTable } from '../../lib/bench/table';

t.test('driver cost subtracts the model passes and the step() call cost', async (t) => {
  const c = driverCost('forward', 'ts', 32, 60, { packets: 1000, ns: 100_000, modelNs: 40_000 }, 10_000);
  t.same(c, { mode: 'forward', impl: 'ts', batch: 32, frameSize: 60, packets: 1000, driverNsPerPacket: 50, modelNsPerPacket: 50, instructionsPerPacket: null });
  const none = driverCost('rx', 'native', 1, 60, { packets: 0, ns: 5, modelNs: 5 });
  t.equal(none.driverNsPerPacket, Infinity, 'no packet: no figure');
});

t.test('the table pairs TypeScript with C++ and shows their ratio', async (t) => {
  const lines = formatDriverCostTable([
    driverCost('rx', 'native', 32, 60, { packets: 100, ns: 2000, modelNs: 1000 }),
    driverCost('rx', 'ts', 32, 60, { packets: 100, ns: 4000, modelNs: 1000 }),
    driverCost('tx', 'ts', 1, 1510, { packets: 10, ns: 1000, modelNs: 500 }),
  ]).trimEnd().split('\n');
  t.equal(lines.length, 4);
  t.match(lines[0], /^mode\s+frame\s+batch\s+TS driver ns\/pkt\s+C\+\+ driver ns\/pkt\s+TS\/C\+\+/);
  t.same(lines[2].split(/\s+/), ['rx', '64', '32', '30.0', '10.0', '3.00x', '10.0', '10.0']);
  t.same(lines[3].split(/\s+/), ['tx', '1514', '1', '50.0', '-', '-', '50.0', '-']);
});

t.test('--lockstep runs only the lockstep points; with --long the 50 M-frame heap run in lockstep', async (t) => {
  t.equal(parseBenchArgs(['--lockstep']).lockstep, true);
  t.equal(parseBenchArgs([]).lockstep, false);
  const both = parseBenchArgs(['--lockstep', '--long']);
  t.ok(both.lockstep && both.long);
  t.equal(parseBenchArgs(['--instructions']).instructions, true);
  t.equal(parseBenchArgs([]).instructions, false);
  t.equal(parseBenchArgs(['--repeat', '3']).repeat, 3);
  t.equal(parseBenchArgs([]).repeat, 1);
  t.throws(() => parseBenchArgs(['--repeat', '0']), { code: 'ERR_INVALID_ARG' });
});

t.test('the table adds instructions per packet when a point was counted', async (t) => {
  const ts = driverCost('forward', 'ts', 32, 60, { packets: 100, ns: 4000, modelNs: 1000 });
  const cc = driverCost('forward', 'native', 32, 60, { packets: 100, ns: 2000, modelNs: 1000 });
  ts.instructionsPerPacket = 480.4;
  const lines = formatDriverCostTable([cc, ts]).trimEnd().split('\n');
  t.match(lines[0], /TS driver instr\/pkt\s+C\+\+ driver instr\/pkt$/);
  t.same(lines[2].split(/\s+/).slice(-2), ['480', '-']);
});

import t from 'tap';
import { formatRate, parseRate, ratePps, toRate, WIRE_OVERHEAD_BYTES } from '../../lib/apps/traffic/rate';

t.test('the rate syntax: packets per second, bits per second on the wire, percent of line rate', async (t) => {
  t.same(parseRate('--rate', '14.88Mpps'), { unit: 'pps', value: 14.88e6 });
  t.same(parseRate('--rate', '14.88mpps'), { unit: 'pps', value: 14.88e6 }, 'units are case-insensitive');
  t.same(parseRate('--rate', '500kpps'), { unit: 'pps', value: 500e3 });
  t.same(parseRate('--rate', '1000pps'), { unit: 'pps', value: 1000 });
  t.same(parseRate('--rate', '5Gbps'), { unit: 'bps', value: 5e9 });
  t.same(parseRate('--rate', '800Mbps'), { unit: 'bps', value: 800e6 });
  t.same(parseRate('--rate', '2.5Gbit/s'), { unit: 'bps', value: 2.5e9 });
  t.same(parseRate('--rate', '50%'), { unit: 'percent', value: 50 });
  t.same(parseRate('--rate', 'line'), { unit: 'percent', value: 100 });
  t.same(parseRate('--rate', '1e3pps'), { unit: 'pps', value: 1000 });
});

t.test('a bare number is refused, and the message says which units to add', async (t) => {
  t.throws(() => parseRate('--rate', '100'), { code: 'ERR_INVALID_ARG', message: /--rate "100" has no unit: add one, e\.g\. 100pps, 100kpps, 100Mpps, 100Gbps, 100%/ });
  t.throws(() => parseRate('rate', '100000'), { message: /has no unit: add one, e\.g\. 100000pps, 100000kpps, 100000Mpps, 100000Gbps$/ });
  for (const bad of ['', 'fast', '0pps', '0%', '101%', '-5Mpps', '5 Gbps extra', 'Mpps', 'Infinitypps']) {
    t.throws(() => parseRate('--rate', bad), { code: 'ERR_INVALID_ARG' }, `"${bad}"`);
  }
  t.throws(() => toRate('rate', { unit: 'percent', value: 150 }), { code: 'ERR_INVALID_ARG' });
  t.throws(() => toRate('rate', { unit: 'pps', value: 0 }), { code: 'ERR_INVALID_ARG' });
  t.same(toRate('rate', { unit: 'bps', value: 1e9 }), { unit: 'bps', value: 1e9 });
});

t.test('a bit rate counts the frame plus FCS, preamble, SFD and inter-frame gap (24 bytes)', async (t) => {
  t.equal(WIRE_OVERHEAD_BYTES, 4 + 8 + 12);
  // 10 Gbit/s of 60-byte frames (64 with FCS): 10e9 / (84 * 8) = 14.88 Mpps.
  t.equal(Math.round(ratePps(parseRate('r', '10Gbps'), 60, 10e9)), 14880952);
  t.equal(Math.round(ratePps(parseRate('r', '100%'), 60, 10e9)), 14880952);
  t.equal(Math.round(ratePps(parseRate('r', '50%'), 1514, 10e9)), Math.round(5e9 / (1538 * 8)));
  t.equal(Math.round(ratePps(parseRate('r', '50%'), 60, 1e9)), Math.round(0.5e9 / (84 * 8)), '% of the link speed given');
  t.equal(ratePps(parseRate('r', '1000pps'), 1514, 10e9), 1000, 'a packet rate does not depend on the size');
});

t.test('formatRate reads back', async (t) => {
  t.equal(formatRate(parseRate('r', '14.88Mpps')), '14.88 Mpps');
  t.equal(formatRate(parseRate('r', '5Gbps')), '5 Gbit/s on the wire');
  t.equal(formatRate(parseRate('r', '50%')), '50% of line rate');
});

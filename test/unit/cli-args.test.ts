import t from 'tap';
import { flagOption, helpText, numberOption, parseArgs, stringOption, type CommandSpec } from '../../lib/cli/args';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'A demo command',
  positionals: [
    { name: 'dev', help: 'the device' },
    { name: 'other', help: 'another', optional: true },
  ],
  options: [
    { name: 'count', kind: 'integer', value: 'N', min: 1, max: 1000, help: 'how many' },
    { name: 'rate', kind: 'number', value: 'MPPS', min: 0, max: 100, help: 'how fast' },
    { name: 'out', kind: 'string', value: 'FILE', help: 'where' },
    { name: 'json', kind: 'flag', help: 'json lines' },
  ],
  notes: ['A note.'],
  examples: ['tsnic demo sim:0'],
};

t.test('positionals and every option kind, in both --name value and --name=value forms', async (t) => {
  const a = parseArgs(spec, ['sim:0', '--count', '5', '--rate=2.5', '--out', 'x.pcap', '--json', 'sim:1']);
  t.equal(a.help, false);
  t.same(a.positionals, { dev: 'sim:0', other: 'sim:1' });
  t.equal(numberOption(a, 'count'), 5);
  t.equal(numberOption(a, 'rate'), 2.5);
  t.equal(stringOption(a, 'out'), 'x.pcap');
  t.equal(flagOption(a, 'json'), true);
});

t.test('absent options are undefined (or the fallback); an optional positional may be left out', async (t) => {
  const a = parseArgs(spec, ['sim:0']);
  t.equal(numberOption(a, 'count'), undefined);
  t.equal(numberOption(a, 'count', 64), 64);
  t.equal(stringOption(a, 'out'), undefined);
  t.equal(flagOption(a, 'json'), false);
  t.equal(a.positionals.other, undefined);
});

t.test('numbers: exponents and underscores are accepted, the range and integer rules enforced', async (t) => {
  t.equal(numberOption(parseArgs(spec, ['d', '--count', '1e3']), 'count'), 1000);
  t.equal(numberOption(parseArgs(spec, ['d', '--count', '1_000']), 'count'), 1000);
  t.equal(numberOption(parseArgs(spec, ['d', '--rate', '0']), 'rate'), 0);
  t.throws(() => parseArgs(spec, ['d', '--count', 'ten']), { code: 'ERR_INVALID_ARG', message: '--count must be a whole number from 1 to 1000, got "ten" (see: tsnic demo --help)' });
  t.throws(() => parseArgs(spec, ['d', '--count', '1.5']), { code: 'ERR_INVALID_ARG', message: /--count must be a whole number/ });
  t.throws(() => parseArgs(spec, ['d', '--count', '0']), { code: 'ERR_INVALID_ARG', message: /from 1 to 1000/ });
  t.throws(() => parseArgs(spec, ['d', '--count', '1001']), { code: 'ERR_INVALID_ARG' });
  t.throws(() => parseArgs(spec, ['d', '--count', '']), { code: 'ERR_INVALID_ARG' });
  t.throws(() => parseArgs(spec, ['d', '--count', '5x']), { code: 'ERR_INVALID_ARG' });
  t.throws(() => parseArgs(spec, ['d', '--rate', 'Infinity']), { code: 'ERR_INVALID_ARG', message: /--rate must be a number from 0 to 100/ });
  t.throws(() => parseArgs(spec, ['d', '--rate', '-1']), { code: 'ERR_INVALID_ARG' });
});

t.test('unknown options, missing values, repeated options and flag values are refused', async (t) => {
  t.throws(() => parseArgs(spec, ['d', '--frobnicate']), { code: 'ERR_INVALID_ARG', message: 'unknown option --frobnicate (see: tsnic demo --help)' });
  t.throws(() => parseArgs(spec, ['d', '--frob=1']), { code: 'ERR_INVALID_ARG', message: /unknown option --frob \(/ });
  t.throws(() => parseArgs(spec, ['d', '-x']), { code: 'ERR_INVALID_ARG', message: /unknown option -x/ });
  t.throws(() => parseArgs(spec, ['d', '--count']), { code: 'ERR_INVALID_ARG', message: '--count needs a value (N) (see: tsnic demo --help)' });
  t.throws(() => parseArgs(spec, ['d', '--count', '--json']), { code: 'ERR_INVALID_ARG', message: /--count needs a value/ });
  t.throws(() => parseArgs(spec, ['d', '--count', '1', '--count', '2']), { code: 'ERR_INVALID_ARG', message: /--count given twice/ });
  t.throws(() => parseArgs(spec, ['d', '--json=yes']), { code: 'ERR_INVALID_ARG', message: /--json takes no value/ });
});

t.test('missing and surplus positionals are refused', async (t) => {
  t.throws(() => parseArgs(spec, []), { code: 'ERR_INVALID_ARG', message: 'missing <dev> (see: tsnic demo --help)' });
  t.throws(() => parseArgs(spec, ['a', 'b', 'c']), { code: 'ERR_INVALID_ARG', message: /unexpected argument "c"/ });
  t.same(parseArgs(spec, ['--', '-weird']).positionals, { dev: '-weird', other: undefined }, 'after --, words are positionals');
});

t.test('a required option must be given', async (t) => {
  const withOut: CommandSpec = { ...spec, options: spec.options.map((o) => (o.name === 'out' ? { ...o, required: true } : o)) };
  t.throws(() => parseArgs(withOut, ['d']), { code: 'ERR_INVALID_ARG', message: 'missing --out FILE (see: tsnic demo --help)' });
  t.equal(stringOption(parseArgs(withOut, ['d', '--out', 'f']), 'out'), 'f');
});

t.test('--help and -h win over everything else, even bad input', async (t) => {
  t.equal(parseArgs(spec, ['--help']).help, true);
  t.equal(parseArgs(spec, ['--bogus', '-h']).help, true);
});

t.test('the help text lists usage, every positional and option, notes and examples', async (t) => {
  const text = helpText(spec);
  t.match(text, /^Usage: tsnic demo <dev> \[other\] \[options\]\n/);
  for (const s of ['A demo command', 'dev', 'the device', '--count N', 'how many', '--rate MPPS', '--out FILE', '--json', '--help', 'A note.', 'tsnic demo sim:0']) {
    t.ok(text.includes(s), `mentions ${s}`);
  }
});

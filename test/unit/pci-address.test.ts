import t from 'tap';
import { parsePciAddress } from '../../lib/bus/pci-address';

t.test('full and short forms normalise to the lower-case full form', async (t) => {
  t.equal(parsePciAddress('0000:03:00.0'), '0000:03:00.0');
  t.equal(parsePciAddress('03:00.1'), '0000:03:00.1', 'domain 0000 added');
  t.equal(parsePciAddress('0001:AF:1F.7'), '0001:af:1f.7', 'hex digits lower-cased');
  t.equal(parsePciAddress('ff:1f.7'), '0000:ff:1f.7');
});

t.test('malformed addresses throw ERR_PCI_ADDRESS naming the input and the expected form', async (t) => {
  const bad: unknown[] = [
    '',
    '3:00.0',
    '0000:03:00',
    '0000:03:00.8',
    '0000:03:20.0',
    '000:03:00.0',
    '0000:03:00.0 ',
    '0000-03-00.0',
    'sim:0',
    'eth0',
    '0000:g3:00.0',
    42,
    undefined,
  ];
  for (const input of bad) {
    t.throws(
      () => parsePciAddress(input),
      { code: 'ERR_PCI_ADDRESS', message: /0000:03:00\.0 \(or 03:00\.0\)/ },
      `rejects ${JSON.stringify(input) ?? String(input)}`,
    );
  }
  t.throws(() => parsePciAddress('0000:03:00.9'), { message: /"0000:03:00\.9"/ }, 'the message quotes the input');
});

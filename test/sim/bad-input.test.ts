// Issue 8, bad input: every malformed argument of the public API (lib/index.ts) and of the CLI is refused
// with a stable code BEFORE the hardware is touched. The judge is the default simulated card, created
// with a register trace: a refused call leaves both ports' traces empty, claims no address (opening it
// afterwards works) and leaves no DMA fault or datasheet violation.
import t from 'tap';
import {
  defaultSimCard, Mempool, openAddresses, openDevice, PacketBatch, parseSimSpec, SimCard, type NetDevice,
  type OpenOptions, type TsnicErrorCode,
} from '../../lib';
import { main } from '../../lib/cli/main';

const card = defaultSimCard({ traceRegisters: true, linkUpDelayMs: 2 });
const traces = [card.trace(0), card.trace(1)];

/** Register accesses on both ports since the last {@link clearTraces}. */
function accesses(): number {
  return (traces[0]?.accesses.length ?? -1) + (traces[1]?.accesses.length ?? -1);
}

function clearTraces(): void {
  for (const trace of traces) trace?.clear();
}

/** Calls `call` (sync or async), returning the code of what it threw, or 'no error' (closing what it opened). */
async function codeOf(call: () => unknown): Promise<string> {
  try {
    const result = await call();
    if (typeof result === 'object' && result !== null && 'close' in result && typeof result.close === 'function') {
      (result as { close(): void }).close();
    }
    return 'no error';
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
}

// Anything goes through `as never`: these are the calls a JavaScript user (or a loose cast) can make.
const openCases: [string, () => Promise<NetDevice>, TsnicErrorCode][] = [
  ['spec not a string (42)', () => openDevice(42 as never), 'ERR_INVALID_ARG'],
  ['spec undefined', () => openDevice(undefined as never), 'ERR_INVALID_ARG'],
  ['empty spec', () => openDevice(''), 'ERR_PCI_ADDRESS'],
  ['PCI address without function', () => openDevice('0000:03:00'), 'ERR_PCI_ADDRESS'],
  ['PCI address, function 8', () => openDevice('0000:03:00.8'), 'ERR_PCI_ADDRESS'],
  ['PCI address, non-hex bus', () => openDevice('0000:zz:00.0'), 'ERR_PCI_ADDRESS'],
  ['PCI address, 5-digit domain', () => openDevice('00000:03:00.0'), 'ERR_PCI_ADDRESS'],
  ['interface name', () => openDevice('eth0'), 'ERR_PCI_ADDRESS'],
  ['sim port 2', () => openDevice('sim:2'), 'ERR_PCI_ADDRESS'],
  ['unknown sim option', () => openDevice('sim:0,colour=red'), 'ERR_PCI_ADDRESS'],
  ['bad sim wiring', () => openDevice('sim:0,wiring=wifi'), 'ERR_INVALID_ARG'],
  ['sim linkUpDelayMs out of range', () => openDevice('sim:0,linkUpDelayMs=99999'), 'ERR_INVALID_ARG'],
  ['sim frameSize below 60', () => openDevice('sim:0,frameSize=10'), 'ERR_INVALID_ARG'],
  ['sim rate not a number, after a wiring', () => openDevice('sim:0,wiring=loopback,rate=fast'), 'ERR_INVALID_ARG'],
  ['sim count fractional, after a wiring', () => openDevice('sim:1,wiring=unplugged,count=1.5'), 'ERR_INVALID_ARG'],
  ['options not an object (42)', () => openDevice('sim:0', 42 as never), 'ERR_INVALID_ARG'],
  ['options null', () => openDevice('sim:0', null as never), 'ERR_INVALID_ARG'],
];

const optionCases: [string, OpenOptions, TsnicErrorCode][] = [
  ['rxRingSize not a power of two (100)', { rxRingSize: 100 }, 'ERR_RING_SIZE'],
  ['txRingSize not a power of two (1000)', { txRingSize: 1000 }, 'ERR_RING_SIZE'],
  ['rxRingSize below the minimum (32)', { rxRingSize: 32 }, 'ERR_RING_SIZE'],
  ['rxRingSize above the maximum (65536)', { rxRingSize: 65536 }, 'ERR_RING_SIZE'],
  ['rxRingSize 0', { rxRingSize: 0 }, 'ERR_RING_SIZE'],
  ['rxRingSize a string', { rxRingSize: '512' as never }, 'ERR_RING_SIZE'],
  ['rxQueues 0', { rxQueues: 0 }, 'ERR_QUEUE_ID'],
  ['rxQueues 65', { rxQueues: 65 }, 'ERR_QUEUE_ID'],
  ['txQueues 1.5', { txQueues: 1.5 }, 'ERR_QUEUE_ID'],
  ['txQueues a string', { txQueues: '2' as never }, 'ERR_QUEUE_ID'],
  ['bufferSize below 2048', { bufferSize: 1024 }, 'ERR_INVALID_ARG'],
  ['bufferSize not a multiple of 1024', { bufferSize: 3000 }, 'ERR_INVALID_ARG'],
  ['mempoolSize smaller than the ring', { mempoolSize: 16 }, 'ERR_INVALID_ARG'],
  ['mempoolSize NaN', { mempoolSize: NaN }, 'ERR_INVALID_ARG'],
  ['linkTimeoutMs negative', { linkTimeoutMs: -1 }, 'ERR_INVALID_ARG'],
  ['hugepages unknown policy', { hugepages: 'always' as never }, 'ERR_INVALID_ARG'],
  ['promiscuous a string', { promiscuous: 'yes' as never }, 'ERR_INVALID_ARG'],
  ['waitForLink a number', { waitForLink: 1 as never }, 'ERR_INVALID_ARG'],
  ['ignoreEepromChecksum a string', { ignoreEepromChecksum: 'no' as never }, 'ERR_INVALID_ARG'],
];

t.test('openDevice: malformed specs and options are refused before the card is touched', async (t) => {
  const cases: [string, () => Promise<NetDevice>, TsnicErrorCode][] = [
    ...openCases,
    ...optionCases.map(([name, options, code]): [string, () => Promise<NetDevice>, TsnicErrorCode] => [
      name, () => openDevice('sim:0', options), code,
    ]),
  ];
  for (const [name, call, code] of cases) {
    clearTraces();
    t.equal(await codeOf(call), code, `${name} -> ${code}`);
    t.equal(accesses(), 0, `${name}: no register access`);
    t.same(openAddresses(), [], `${name}: nothing claimed`);
    t.same([card.wiring(0), card.wiring(1)], ['tester', 'tester'], `${name}: wiring unchanged`);
  }
  const dev = await openDevice('sim:0');
  t.ok(accesses() > 0, 'the judge sees a real open');
  t.equal(dev.linkStatus().up, true, 'sim:0 opens afterwards');
  dev.close();
});

t.test('device calls: queue ids out of range and malformed batches are refused', async (t) => {
  const dev = await openDevice('sim:0', { rxQueues: 2, txQueues: 2 });
  t.teardown(() => dev.close());
  const batch = new PacketBatch(32);
  const full = new PacketBatch(4);
  full.count = 1; // a packet and no pool: nothing to take it from
  const cases: [string, () => unknown, TsnicErrorCode][] = [
    ['rxBatch queue 2 of 2', () => dev.rxBatch(2, batch), 'ERR_QUEUE_ID'],
    ['rxBatch queue -1', () => dev.rxBatch(-1, batch), 'ERR_QUEUE_ID'],
    ['rxBatch queue 0.5', () => dev.rxBatch(0.5, batch), 'ERR_QUEUE_ID'],
    ['txBatch queue 64', () => dev.txBatch(64, batch), 'ERR_QUEUE_ID'],
    ['rxPool queue 7', () => dev.rxPool(7), 'ERR_QUEUE_ID'],
    ['txBatch packets without a pool', () => dev.txBatch(0, full), 'ERR_BATCH'],
    ['PacketBatch capacity 0', () => new PacketBatch(0), 'ERR_INVALID_ARG'],
    ['PacketBatch capacity -1', () => new PacketBatch(-1), 'ERR_INVALID_ARG'],
    ['PacketBatch capacity 1.5', () => new PacketBatch(1.5), 'ERR_INVALID_ARG'],
    ['PacketBatch capacity 65537', () => new PacketBatch(65537), 'ERR_INVALID_ARG'],
    ['PacketBatch capacity a string', () => new PacketBatch('32' as never), 'ERR_INVALID_ARG'],
    ['chain past the batch', () => batch.chain(31), 'ERR_INVALID_ARG'],
    ['Mempool count 0', () => Mempool.create(dev.pci, { count: 0 }), 'ERR_INVALID_ARG'],
    ['Mempool bufferSize not a multiple of 128', () => Mempool.create(dev.pci, { count: 8, bufferSize: 1000 }), 'ERR_INVALID_ARG'],
    ['allocDma size 0', () => dev.pci.allocDma(0), 'ERR_INVALID_ARG'],
    ['allocDma bad hugepage policy', () => dev.pci.allocDma(4096, { hugepages: 'maybe' as never }), 'ERR_INVALID_ARG'],
    ['waitForLink negative timeout', () => dev.waitForLink(-1), 'ERR_INVALID_ARG'],
    ['setPromiscuous a string', () => dev.setPromiscuous('on' as never), 'ERR_INVALID_ARG'],
  ];
  for (const [name, call, code] of cases) {
    clearTraces();
    t.equal(await codeOf(call), code, `${name} -> ${code}`);
    t.equal(accesses(), 0, `${name}: no register access`);
  }
  t.equal(dev.rxBatch(1, batch), 0, 'the device still works');
});

t.test('simulated card: bad options, ports, specs and faults', async (t) => {
  const cases: [string, () => unknown, TsnicErrorCode][] = [
    ['SimCard linkUpDelayMs negative', () => SimCard.create({ linkUpDelayMs: -1 }), 'ERR_INVALID_ARG'],
    ['SimCard bad wiring', () => SimCard.create({ wiring: 'wifi' as never }), 'ERR_INVALID_ARG'],
    ['SimCard bad MAC', () => SimCard.create({ mac: '02:00' }), 'ERR_INVALID_ARG'],
    ['port 2', () => card.port(2 as never), 'ERR_INVALID_ARG'],
    ['parseSimSpec sim:', () => parseSimSpec('sim:'), 'ERR_PCI_ADDRESS'],
    ['setFaults rxErrorEvery -1', () => card.setFaults(0, { rxErrorEvery: -1 }), 'ERR_INVALID_ARG'],
    ['setFaults invalidMac unknown', () => card.setFaults(0, { invalidMac: 'broadcast' as never }), 'ERR_INVALID_ARG'],
    ['generator frameSize 59', () => card.tester(0).startGenerator({ frameSize: 59 }), 'ERR_INVALID_ARG'],
    ['generator rate negative', () => card.tester(0).startGenerator({ ratePps: -5 }), 'ERR_INVALID_ARG'],
    ['config offset out of range', () => card.port(1).readConfig16(300), 'ERR_INVALID_ARG'],
  ];
  for (const [name, call, code] of cases) {
    clearTraces();
    t.equal(await codeOf(call), code, `${name} -> ${code}`);
    t.equal(accesses(), 0, `${name}: no register access`);
  }
  t.same(card.faults(0), { ...card.faults(1) }, 'refused fault settings changed nothing');
});

t.test('CLI: bad arguments exit non-zero with one line, before any device is opened', async (t) => {
  // Exit 2 is ERR_INVALID_ARG (bad usage: a malformed option, device spec or PCI address included).
  const cases: [string[], number, RegExp][] = [
    [['pktgen', 'sim:0', '--size', '59'], 2, /--size must be a whole number from 60/],
    [['pktgen', 'sim:0', '--batch', '0'], 2, /--batch must be a whole number from 1/],
    [['pktgen', 'sim:0', '--count', 'x'], 2, /--count must be a whole number/],
    [['pktgen', 'sim:0', '--dst-mac', 'zz'], 2, /--dst-mac must be a MAC address/],
    [['fwd', 'sim:0'], 2, /missing <devB>/],
    [['stats', 'sim:0', '--interval', '0'], 2, /--interval must be a number/],
    [['pktgen', 'sim:7', '--count', '1'], 2, /<dev>: "sim:7" is not a simulated port/],
    [['pktgen', '0000:03:00', '--count', '1'], 2, /<dev>: "0000:03:00" is not a device/],
    [['capture', 'sim:0,colour=red', '--out', 'x.pcap'], 2, /<dev>: unknown sim option "colour"/],
    [['bind', 'not-an-address'], 2, /<pci>: "not-an-address" is not a PCI address/],
    [['fwd', 'sim:0', 'sim:0'], 2, /<devA> and <devB> are both sim:0/],
  ];
  for (const [argv, exit, message] of cases) {
    clearTraces();
    let stderr = '';
    const code = await main(argv, { stdout: { write: () => undefined }, stderr: { write: (s: string) => (stderr += s) } });
    const name = argv.join(' ');
    t.equal(code, exit, `${name}: exit ${exit}`);
    t.match(stderr, /^tsnic: [^\n]+\n$/, `${name}: one line`);
    t.match(stderr, message, name);
    t.equal(accesses(), 0, `${name}: no register access`);
    t.same(openAddresses(), [], `${name}: nothing claimed`);
  }
});

t.test('after all of it: no DMA fault, no violation', async (t) => {
  t.equal(card.dmaFaults().count, 0);
  for (const port of [0, 1] as const) {
    t.equal(Object.values(card.violations(port)).reduce((a, b) => a + b, 0), 0, `port ${port}`);
  }
});

/** `tsnic pktgen`: transmit generated test traffic, and with `--rx` receive it back and count it per flow. */
import { TsnicError } from '../errors';
import { flagOption, numberOption, stringOption, type ParsedArgs } from './args';
import {
  BATCH_OPTION, DEVICE_HELP, DURATION_OPTION, JSON_OPTION, LINK_TIMEOUT_OPTION, linkSetup, NO_LINK_WAIT_OPTION, RUN_NOTES, SIM_NOTES, type Command,
} from './command';
import type { TrafficRunOptions } from '../apps/traffic/trial';

/** `--vlan ID[:PRIORITY]` as a tag. */
function parseVlan(text: string): { id: number; priority: number } {
  const m = /^(\d+)(?::(\d+))?$/.exec(text.trim());
  const id = Number(m?.[1]);
  const priority = Number(m?.[2] ?? 0);
  if (m === null || id > 4094 || priority > 7) {
    throw new TsnicError('ERR_INVALID_ARG', `--vlan must be ID[:PRIORITY], an 802.1Q VLAN id 0..4094 and a priority 0..7, e.g. 100 or 100:5, got "${text}" (see: tsnic pktgen --help)`);
  }
  return { id, priority };
}

/** The traffic options of the command line, checked (usage errors name the flag). */
async function trafficOptions(args: ParsedArgs): Promise<TrafficRunOptions> {
  const { parseMac } = await import('../apps/frame-builder');
  const { parseRate } = await import('./../apps/traffic/rate');
  const { parseFrameSizes } = await import('../apps/traffic/sizes');
  const { buildFlows } = await import('../apps/traffic/flows');
  const usage = <T>(flag: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof TsnicError && err.code === 'ERR_INVALID_ARG' && !err.message.includes('--help')) {
        throw new TsnicError('ERR_INVALID_ARG', `${err.message.startsWith(flag) ? '' : `${flag}: `}${err.message} (see: tsnic pktgen --help)`);
      }
      throw err;
    }
  };
  const dstMac = stringOption(args, 'dst-mac');
  const srcMac = stringOption(args, 'src-mac');
  if (dstMac !== undefined) usage('--dst-mac', () => parseMac('--dst-mac', dstMac));
  if (srcMac !== undefined) usage('--src-mac', () => parseMac('--src-mac', srcMac));
  const rateText = stringOption(args, 'rate');
  const sizeText = stringOption(args, 'size');
  const order = stringOption(args, 'flow-order');
  if (order !== undefined && order !== 'sequential' && order !== 'random') {
    throw new TsnicError('ERR_INVALID_ARG', `--flow-order must be sequential or random, got "${order}" (see: tsnic pktgen --help)`);
  }
  const flows = {
    srcIp: stringOption(args, 'src-ip'),
    dstIp: stringOption(args, 'dst-ip'),
    srcPort: stringOption(args, 'src-port'),
    dstPort: stringOption(args, 'dst-port'),
    order: order as 'sequential' | 'random' | undefined,
  };
  usage('flows', () => buildFlows(flows));
  const vlanText = stringOption(args, 'vlan');
  return {
    count: numberOption(args, 'count'),
    durationS: numberOption(args, 'duration'),
    rate: rateText === undefined ? undefined : usage('--rate', () => parseRate('--rate', rateText)),
    size: sizeText === undefined ? undefined : usage('--size', () => parseFrameSizes('--size', sizeText)),
    flows,
    vlan: vlanText === undefined ? undefined : parseVlan(vlanText),
    seed: numberOption(args, 'seed'),
    batch: numberOption(args, 'batch'),
    dstMac,
    srcMac,
  };
}

/** The pktgen subcommand. */
export const pktgenCommand: Command = {
  spec: {
    name: 'pktgen',
    summary: 'Generate UDP test traffic (flows, sizes, VLAN, rates); with --rx, receive it and count loss per flow',
    positionals: [{ name: 'dev', help: DEVICE_HELP }],
    options: [
      { name: 'count', kind: 'integer', value: 'N', min: 1, max: Number.MAX_SAFE_INTEGER, help: 'Stop after N frames' },
      DURATION_OPTION,
      { name: 'rate', kind: 'string', value: 'RATE', help: 'e.g. 14.88Mpps, 500kpps, 5Gbps (on the wire), 50%, line (default: as fast as possible)' },
      { name: 'size', kind: 'string', value: 'SIZES', help: 'Frame sizes: 60, 60-1514[:STEP] (a sweep), random:60-1514, imix (default 60)' },
      { name: 'src-ip', kind: 'string', value: 'IP[-IP]', help: 'IPv4 source address or range (default 10.0.0.1)' },
      { name: 'dst-ip', kind: 'string', value: 'IP[-IP]', help: 'IPv4 destination address or range (default 10.0.0.2)' },
      { name: 'src-port', kind: 'string', value: 'P[-P]', help: 'UDP source port or range (default 1024)' },
      { name: 'dst-port', kind: 'string', value: 'P[-P]', help: 'UDP destination port or range (default 1024)' },
      { name: 'flow-order', kind: 'string', value: 'ORDER', help: 'sequential (default: each flow in turn) or random (a random flow per frame)' },
      { name: 'vlan', kind: 'string', value: 'ID[:PRIO]', help: '802.1Q tag on every frame: VLAN id 0..4094, priority 0..7' },
      { name: 'seed', kind: 'integer', value: 'N', min: 0, max: 0xffffffff, help: 'Seed of the random flows and sizes (default 1)' },
      { name: 'rx', kind: 'string', value: 'DEV', help: 'Also receive on DEV; report loss, order and latency per flow' },
      BATCH_OPTION,
      { name: 'dst-mac', kind: 'string', value: 'MAC', help: 'Destination MAC (default 02:00:00:00:ee:01)' },
      { name: 'src-mac', kind: 'string', value: 'MAC', help: "Source MAC (default: the device's own)" },
      LINK_TIMEOUT_OPTION,
      NO_LINK_WAIT_OPTION,
      JSON_OPTION,
    ],
    notes: [
      'Rates: a bare number is refused (add a unit). Gbps counts bits on the wire (L1): each frame plus',
      'its FCS, preamble, SFD and inter-frame gap (24 bytes); 50% is of line rate (10 Gbit/s on the',
      '82599 and sim ports, else the link speed). With mixed sizes a bit rate is paced by the mean size.',
      'Sizes count the frame without FCS (64 on the wire is 60), an 802.1Q tag included; imix is 7:4:1 of',
      '64, 594 and 1518 bytes on the wire. Flows: every combination of the address and port ranges is a',
      'flow (at most 65536). Each frame carries a sequence number, its flow id and a send timestamp',
      '(lib/apps/frame-builder.ts documents the layout).',
      '',
      'Without --count or --duration, runs until Ctrl-C. On a simulated port the totals include what the',
      "far-end tester's checker saw: peer_rx_packets, peer_seq_gaps, peer_bad_checksums.",
      '',
      'With --rx DEV: receives on DEV in the same loop, and reports per flow sent, received, lost',
      '(= sent - received), reordered, duplicated and corrupted frames, and software latency (timestamps',
      'taken by the polling loop, not the NIC). Two simulated ports are two ports of one card: without a',
      'wiring option they are wired to each other (cross); one port given twice is wired to itself',
      '(loopback). DEV is opened with a 4096-entry rx ring so the shared loop misses nothing in flight.',
      '',
      ...RUN_NOTES,
      '',
      ...SIM_NOTES,
    ],
    examples: [
      'tsnic pktgen sim:0 --count 1000000',
      'tsnic pktgen 0000:03:00.0 --duration 10 --rate 5Gbps --size imix --json',
      'tsnic pktgen sim:0 --rx sim:1 --count 10000000 --rate line --src-port 1024-1031 --vlan 100:5',
    ],
  },
  async run(args, io) {
    const { checkDeviceArgs, withDevices, pairWiring } = await import('./devices');
    const { runPktgen } = await import('../apps/pktgen');
    const { runTrial } = await import('../apps/traffic/trial');
    const { Reporter, formatTrial } = await import('../apps/report');
    const spec = args.positionals.dev ?? '';
    checkDeviceArgs('pktgen', [['dev', spec]]);
    const rxSpec = stringOption(args, 'rx');
    if (rxSpec !== undefined) checkDeviceArgs('pktgen', [['--rx', rxSpec]]);
    const options = await trafficOptions(args);
    const reporter = new Reporter(Reporter.modeFor(flagOption(args, 'json'), io.stdout), io.stdout);
    const setup = { io, ...linkSetup(args) };
    if (rxSpec === undefined) {
      const totals = await withDevices([spec], setup, ([dev], signal) =>
        runPktgen(dev, { ...options, signal, onInterval: (s) => reporter.interval([s]) }),
      );
      reporter.total([totals]);
      return 0;
    }
    const specs = pairWiring(spec, rxSpec);
    const result = await withDevices(specs.open, { ...setup, options: specs.options }, (devs, signal) =>
      runTrial(devs[0], devs[specs.rxIndex], { ...options, signal, onInterval: (records) => reporter.interval(records) }),
    );
    reporter.total([result.tx, result.rx]);
    reporter.write(formatTrial(result, reporter.mode === 'json'));
    return 0;
  },
};

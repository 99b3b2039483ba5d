/** `tsnic rfc2544`: RFC 2544 throughput, latency and loss rate of a device under test between two devices. */
import { flagOption, numberOption, stringOption } from './args';
import { DEVICE_HELP, LINK_TIMEOUT_OPTION, linkSetup, NO_LINK_WAIT_OPTION, SIM_NOTES, type Command } from './command';
import { TsnicError } from '../errors';

/** Parses `--sizes 64,128,...` (frame sizes with FCS). */
function parseSizes(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const sizes = text.split(',').map((s) => Number(s));
  if (sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s < 64 || s > 1518)) {
    throw new TsnicError('ERR_INVALID_ARG', `--sizes must be frame sizes with FCS from 64 to 1518, separated by commas (e.g. 64,512,1518), got "${text}"`);
  }
  return sizes;
}

/** Parses `--loss-steps 10,50,100` (percent of line rate). */
function parseSteps(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const steps = text.split(',').map((s) => Number(s));
  if (steps.some((s) => !(s > 0 && s <= 100))) {
    throw new TsnicError('ERR_INVALID_ARG', `--loss-steps must be percentages of line rate above 0 up to 100, separated by commas (e.g. 10,50,100), got "${text}"`);
  }
  return steps;
}

/** The rfc2544 subcommand. */
export const rfc2544Command: Command = {
  spec: {
    name: 'rfc2544',
    summary: 'RFC 2544 throughput, latency and loss rate of a device under test between two devices',
    positionals: [
      { name: 'tx-dev', help: `Device that sends into the device under test: ${DEVICE_HELP}` },
      { name: 'rx-dev', help: 'Device that receives what the device under test forwards' },
    ],
    options: [
      { name: 'sizes', kind: 'string', value: 'LIST', help: 'Frame sizes with FCS, comma-separated (default 64,128,256,512,1024,1280,1518)' },
      { name: 'trial', kind: 'number', value: 'S', min: 0.01, max: 3600, help: 'Seconds per trial (default 1; RFC 2544 asks for 60)' },
      { name: 'resolution', kind: 'number', value: 'PCT', min: 0.001, max: 50, help: 'Throughput search resolution, percent of line rate (default 0.5)' },
      { name: 'line-mbps', kind: 'number', value: 'MBPS', min: 0.001, max: 400000, help: "Line rate (default: the tx device's link speed)" },
      { name: 'loss-steps', kind: 'string', value: 'LIST', help: 'Loss-rate trials, percent of line rate, comma-separated (default 10,20,...,100)' },
      { name: 'probe-interval', kind: 'number', value: 'MS', min: 0.01, max: 10000, help: 'Milliseconds between latency probes (default 1)' },
      { name: 'dst-mac', kind: 'string', value: 'MAC', help: "Destination MAC of the frames (default: the rx device's)" },
      { name: 'src-mac', kind: 'string', value: 'MAC', help: "Source MAC (default: the tx device's)" },
      { name: 'plot', kind: 'string', value: 'FILE', help: 'Write the loss curves and throughputs as SVG' },
      { name: 'latency-plot', kind: 'string', value: 'FILE', help: "Write the first frame size's latency histogram as SVG" },
      { name: 'json', kind: 'flag', help: 'Print the whole result as one JSON object instead of the table' },
      LINK_TIMEOUT_OPTION,
      NO_LINK_WAIT_OPTION,
    ],
    notes: [
      'For each frame size: a binary search for the highest rate whose trial loses no frame (from line',
      'rate down to the resolution), the latency at that rate (PTP probes every --probe-interval ms,',
      "timestamped by the NICs' IEEE 1588 units on the 82599, by the host's clock on other NICs: the",
      'table says which), and the loss at 10%..100% of line rate. Each trial line goes to stderr as it ends.',
      'Frames are IPv4/UDP with sequence numbers; received + lost = sent for every trial.',
      '',
      ...SIM_NOTES,
      'Device under test on a simulated line (port 0 to port 1, cross wiring): maxRate=RATE, a packet rate such as 500pps (forwards at most',
      'PPS, drops the rest), queue=N (its buffer, frames), delayNs=N (fixed latency), on the tx port.',
    ],
    examples: [
      'tsnic rfc2544 sim:0,wiring=cross,maxRate=500pps,queue=300 sim:1 --sizes 64 --trial 4 --line-mbps 1 --resolution 10',
      'tsnic rfc2544 0000:03:00.0 0000:03:00.1 --trial 10 --plot rfc2544.svg',
    ],
  },
  async run(args, io) {
    const { checkDeviceArgs, withDevices } = await import('./devices');
    const { runRfc2544, formatRfc2544Table, renderRfc2544Plot } = await import('../apps/rfc2544');
    const { renderLatencyPlot } = await import('../apps/latency');
    const { parseMac } = await import('../apps/frame-builder');
    const fs = await import('node:fs');
    const txSpec = args.positionals['tx-dev'] ?? '';
    const rxSpec = args.positionals['rx-dev'] ?? '';
    checkDeviceArgs('rfc2544', [['tx-dev', txSpec], ['rx-dev', rxSpec]]);
    const frameSizes = parseSizes(stringOption(args, 'sizes'));
    const dstMac = stringOption(args, 'dst-mac');
    const srcMac = stringOption(args, 'src-mac');
    if (dstMac !== undefined) parseMac('--dst-mac', dstMac);
    if (srcMac !== undefined) parseMac('--src-mac', srcMac);
    const json = flagOption(args, 'json');
    const result = await withDevices([txSpec, rxSpec], { io, ...linkSetup(args), deviceOptions: { rxRingSize: 4096 } }, ([tx, rx], signal) =>
      runRfc2544(tx, rx, {
        frameSizes,
        trialS: numberOption(args, 'trial'),
        resolutionPct: numberOption(args, 'resolution'),
        lineMbps: numberOption(args, 'line-mbps'),
        probeIntervalMs: numberOption(args, 'probe-interval'),
        lossSteps: parseSteps(stringOption(args, 'loss-steps')),
        dstMac,
        srcMac,
        signal,
        onTrial: (size, phase, t) => {
          io.stderr.write(`${size} B ${phase}: ${Math.round(t.ratePps)} pps asked, ${Math.round(t.offeredPps)} offered, ` +
            `sent ${t.sent}, received ${t.received}, lost ${t.lost}\n`);
        },
      }),
    );
    const plot = stringOption(args, 'plot');
    if (plot !== undefined) fs.writeFileSync(plot, renderRfc2544Plot(`RFC 2544 loss: ${result.tx} -> ${result.rx}`, result));
    const latencyPlot = stringOption(args, 'latency-plot');
    const first = result.sizes[0]?.latency;
    if (latencyPlot !== undefined && first !== undefined) {
      fs.writeFileSync(latencyPlot, renderLatencyPlot(`Latency at throughput, ${result.sizes[0].frameSize} B`, first));
    }
    io.stdout.write(json ? `${JSON.stringify(result)}\n` : formatRfc2544Table(result));
    return 0;
  },
};

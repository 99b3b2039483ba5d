/**
 * Opening the devices of a subcommand for the length of a run: Ctrl-C aborts the run, and the devices
 * are closed (queues stopped, NIC reset, memory freed) whatever way the run ends. Imported lazily by
 * the subcommands, since it loads the native addon.
 */
import type { DeviceOptions, NetDevice, RxMode } from '../device';
import { defaultSimCard, parseSimSpec, type SimGeneratorOptions } from '../bus/sim';
import type { TrafficSource } from '../apps/peer';
import { isSimSpec, normalizePciAddress, openDevice } from '../open';
import { onInterrupt } from './interrupt';
import type { Io } from './command';
import { TsnicError } from '../errors';
import { sleep } from '../apps/loop';

/** How {@link withDevices} runs. */
export interface RunSetup {
  /** Where the "waiting for link" line goes, and the stdout-closed signal that ends the run. */
  io: Io;
  /** Seconds to wait for each device's link before giving up (default 10); 0 or `wait: false`: no wait. */
  linkTimeoutS?: number;
  /** False to start the run without waiting for link (`--no-link-wait`). */
  linkWait?: boolean;
  /** Options for opening every device (ring sizes, ...); the link wait is always the run's own. */
  deviceOptions?: DeviceOptions;
  /** Driver options per spec, by index (e.g. a bigger rx ring for a receiver), over `deviceOptions`. */
  options?: readonly (DeviceOptions | undefined)[];
  /** How rx queues learn of frames (`--busy-poll`: 'poll'). Default 'poll'. */
  rxMode?: RxMode;
}

/**
 * Opens `spec` with `options` in `rxMode`; a device whose interrupts cannot be set up (ERR_INTERRUPTS) is opened
 * again busy-polling, with a line on stderr saying so.
 */
async function openForRun(spec: string, rxMode: RxMode, io: Io, options?: DeviceOptions): Promise<NetDevice> {
  try {
    return await openDevice(spec, { ...options, waitForLink: false, rxMode });
  } catch (err) {
    if (rxMode === 'poll' || (err as { code?: unknown }).code !== 'ERR_INTERRUPTS') throw err;
    io.stderr.write(`${spec}: ${(err as Error).message}; busy-polling instead\n`);
    return await openDevice(spec, { ...options, waitForLink: false, rxMode: 'poll' });
  }
}

/** Milliseconds of waiting for link before saying so on stderr. */
const LINK_NOTICE_MS = 1000;

/**
 * Waits until `dev` has link, `signal` aborts or `timeoutS` passed (ERR_LINK_TIMEOUT). After a second
 * it says on stderr what it waits for, so that a run on an unplugged port does not look hung.
 */
async function waitForLink(dev: NetDevice, spec: string, timeoutS: number, signal: AbortSignal, io: Io): Promise<void> {
  const start = Date.now();
  let told = false;
  while (!signal.aborted && !dev.linkStatus().up) {
    const waited = Date.now() - start;
    if (waited >= timeoutS * 1000) {
      throw new TsnicError(
        'ERR_LINK_TIMEOUT',
        `${spec}: no link after ${timeoutS} s: check the cable and the peer (simulated ports: the wiring option), ` +
          'wait longer with --link-timeout S, or run without link with --no-link-wait',
      );
    }
    if (!told && waited >= LINK_NOTICE_MS) {
      io.stderr.write(`waiting for link on ${spec} (Ctrl-C to stop)\n`);
      told = true;
    }
    await sleep(5);
  }
}

/**
 * Opens `specs` (without the drivers' own link wait), waits for their links (interruptible), runs
 * `body` with an AbortSignal tied to Ctrl-C and to stdout closing, then closes every device.
 */
export async function withDevices<T>(
  specs: readonly string[],
  setup: RunSetup,
  body: (devs: NetDevice[], signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const interrupt = onInterrupt(setup.io.stdoutClosed);
  const devs: NetDevice[] = [];
  try {
    for (const [k, spec] of specs.entries()) {
      devs.push(await openForRun(spec, setup.rxMode ?? 'poll', setup.io, { ...setup.deviceOptions, ...setup.options?.[k] }));
    }
    if (setup.linkWait !== false) {
      for (const [k, dev] of devs.entries()) await waitForLink(dev, specs[k], setup.linkTimeoutS ?? 10, interrupt.signal, setup.io);
    }
    return await body(devs, interrupt.signal);
  } finally {
    for (const dev of devs) if (!dev.closed) dev.close();
    interrupt.dispose();
  }
}

/**
 * The spec to open for a run that feeds the port itself ({@link simSource}): `spec` without its
 * generator options (rate, frameSize, count), which the source applies once the run has started.
 */
export function deviceSpec(spec: string): string {
  if (!isSimSpec(spec)) return spec;
  const parsed = parseSimSpec(spec);
  if (parsed.generator === undefined) return spec;
  let out = `sim:${parsed.port}`;
  if (parsed.wiring !== undefined) out += `,wiring=${parsed.wiring}`;
  if (parsed.linkUpDelayMs !== undefined) out += `,linkUpDelayMs=${parsed.linkUpDelayMs}`;
  if (parsed.rxErrorEvery !== undefined) out += `,rxErrorEvery=${parsed.rxErrorEvery}`;
  return out;
}

/**
 * The traffic that feeds a simulated port wired to its tester during a run: the generator the spec
 * sets up (rate, frameSize, count), or else `count` frames (0: unlimited) of 60 bytes at 10 Gbit/s line
 * rate, so that a host slower than the wire sees rx_missed count what it could not take. The app
 * starts it once its counters' baselines are taken (so the peer's count and the device's describe
 * the same run) and the port is open and ready, and stops it at the end. Undefined for other ports.
 */
export function simSource(spec: string, count: number): TrafficSource | undefined {
  if (!isSimSpec(spec)) return undefined;
  const parsed = parseSimSpec(spec);
  const card = defaultSimCard();
  if (card.wiring(parsed.port) !== 'tester') return undefined;
  const tester = card.tester(parsed.port);
  const options: SimGeneratorOptions = parsed.generator ?? { count, ratePps: 'line' };
  return {
    start: () => tester.startGenerator(options),
    stop: () => {
      if (!card.closed) tester.stopGenerator();
    },
    finished: () => card.closed || !tester.stats().generatorRunning,
  };
}

/** Rx ring of a device receiving back what the same loop sends (traffic/trial.ts): holds all in flight. */
const RECEIVER_OPTIONS: DeviceOptions = { rxRingSize: 4096, mempoolSize: 8192 };

/** How `pktgen <tx> --rx <rx>` opens its devices. */
export interface PairSetup {
  /** Specs to open: one when tx and rx are the same device (loopback), else two. */
  open: string[];
  /** Index of the receiving device in {@link open}. */
  rxIndex: 0 | 1;
  /** Driver options per opened spec. */
  options: DeviceOptions[];
}

/** A simulated spec's port and whether it sets a wiring. */
function simPortOf(spec: string): { port: 0 | 1; wired: boolean } | undefined {
  if (!isSimSpec(spec)) return undefined;
  const parsed = parseSimSpec(spec);
  return { port: parsed.port, wired: parsed.wiring !== undefined };
}

/**
 * The devices of a send-and-receive run: the same device twice is opened once; two simulated ports
 * without a wiring option are wired to each other (`cross`), one simulated port twice to itself
 * (`loopback`), since both are ports of the process's one simulated card. The receiver gets an rx
 * ring that holds everything in flight ({@link RECEIVER_OPTIONS}).
 */
export function pairWiring(txSpec: string, rxSpec: string): PairSetup {
  const tx = simPortOf(txSpec);
  const rx = simPortOf(rxSpec);
  const same = tx !== undefined && rx !== undefined ? tx.port === rx.port : !isSimSpec(txSpec) && !isSimSpec(rxSpec) && normalizePciAddress(txSpec) === normalizePciAddress(rxSpec);
  if (same) {
    const open = tx !== undefined && !tx.wired && rx?.wired !== true ? `${txSpec},wiring=loopback` : txSpec;
    return { open: [rx?.wired === true ? rxSpec : open], rxIndex: 0, options: [RECEIVER_OPTIONS] };
  }
  const crossed = tx !== undefined && rx !== undefined && !tx.wired && !rx.wired;
  return { open: [crossed ? `${txSpec},wiring=cross` : txSpec, rxSpec], rxIndex: 1, options: [{}, RECEIVER_OPTIONS] };
}

/** What a sim option's value must be, for values the spec syntax itself refuses (e.g. `-5`). */
const SIM_OPTION_RULES: Record<string, string> = {
  wiring: 'wiring must be one of tester, loopback, cross, unplugged',
  linkUpDelayMs: 'linkUpDelayMs must be a whole number of milliseconds from 0 to 60000',
  rate: 'rate must be a rate such as 1000pps, 1.5Mpps, 5Gbps, 50% or line',
  frameSize: 'frameSize must be a whole number from 60 to 9018',
  count: 'count must be a whole number of at least 0',
  flows: 'flows must be a whole number of at least 1',
  delayNs: 'delayNs must be a whole number of nanoseconds from 0 to 1000000',
  maxRate: 'maxRate must be a packet rate such as 500pps, 50kpps or 1.2Mpps',
  queue: 'queue must be a whole number of frames from 1 to 1000000',
  rxErrorEvery: 'rxErrorEvery must be a whole number of at least 0 (0: off)',
};

/** Why `spec` is not a device spec, or undefined when it is one; the address it names otherwise. */
function specProblem(spec: string): { problem?: string; address?: string } {
  if (!isSimSpec(spec)) {
    const address = normalizePciAddress(spec);
    if (address !== undefined) return { address };
    return { problem: `"${spec}" is not a device: use a PCI address like 0000:03:00.0 (see tsnic list) or a simulated port, sim:0 or sim:1` };
  }
  const [head, ...options] = spec.split(',');
  if (!/^sim:[01]$/.test(head)) return { problem: `"${head}" is not a simulated port: use sim:0 or sim:1, optionally with ,key=value options` };
  for (const option of options) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(option);
    if (m === null) return { problem: `"${option}" in "${spec}" is not a key=value option` };
    const rule = SIM_OPTION_RULES[m[1]];
    if (rule === undefined) return { problem: `unknown sim option "${m[1]}" in "${spec}": use ${Object.keys(SIM_OPTION_RULES).join(', ')}` };
    if (!/^[A-Za-z0-9.%]+$/.test(m[2])) return { problem: `${rule}, got "${m[2]}"` };
  }
  try {
    parseSimSpec(spec);
  } catch (err) {
    if (err instanceof TsnicError) return { problem: err.message };
    throw err;
  }
  return { address: head };
}

/**
 * Checks a command's device arguments before anything opens: a malformed spec, or the same device
 * given twice, is a usage error (exit 2) naming the argument, e.g. `<dev>: "eth0" is not a device`.
 */
export function checkDeviceArgs(command: string, devices: ReadonlyArray<readonly [name: string, spec: string]>): void {
  const seen = new Map<string, string>();
  for (const [name, spec] of devices) {
    const { problem, address } = specProblem(spec);
    if (problem !== undefined) throw new TsnicError('ERR_INVALID_ARG', `${name.startsWith('--') ? name : `<${name}>`}: ${problem} (see: tsnic ${command} --help)`);
    const first = seen.get(address ?? spec);
    if (first !== undefined) {
      throw new TsnicError('ERR_INVALID_ARG', `<${first}> and <${name}> are both ${address ?? spec}: they must be two different devices (see: tsnic ${command} --help)`);
    }
    seen.set(address ?? spec, name);
  }
}

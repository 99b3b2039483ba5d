/**
 * Opening the devices of a subcommand for the length of a run: Ctrl-C aborts the run, and the devices
 * are closed (queues stopped, NIC reset, memory freed) whatever way the run ends. Imported lazily by
 * the subcommands, since it loads the native addon.
 */
import type { NetDevice } from '../device';
import { defaultSimCard, parseSimSpec, type SimGeneratorOptions } from '../bus/sim';
import type { TrafficSource } from '../apps/peer';
import { isSimSpec, openDevice } from '../open';
import { onInterrupt } from './interrupt';

/** Opens `specs`, runs `body` with an AbortSignal tied to Ctrl-C, then closes every device. */
export async function withDevices<T>(specs: readonly string[], body: (devs: NetDevice[], signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = onInterrupt();
  const devs: NetDevice[] = [];
  try {
    for (const spec of specs) devs.push(await openDevice(spec));
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

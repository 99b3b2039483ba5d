/**
 * Opening the devices of a subcommand for the length of a run: Ctrl-C aborts the run, and the devices
 * are closed (queues stopped, NIC reset, memory freed) whatever way the run ends. Imported lazily by
 * the subcommands, since it loads the native addon.
 */
import type { NetDevice } from '../device';
import { defaultSimCard, parseSimSpec } from '../bus/sim';
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
 * For a simulated port wired to its tester whose spec starts no generator itself: starts the tester's
 * generator so the port receives traffic (`count` frames, 0 for unlimited, as fast as the port takes
 * them, so none is missed). Returns a function that stops it, or undefined when nothing was started.
 */
export function feedSimPort(spec: string, count: number): (() => void) | undefined {
  if (!isSimSpec(spec)) return undefined;
  const parsed = parseSimSpec(spec);
  const card = defaultSimCard();
  if (parsed.generator !== undefined || card.wiring(parsed.port) !== 'tester') return undefined;
  const tester = card.tester(parsed.port);
  tester.startGenerator({ count });
  return () => {
    if (!card.closed) tester.stopGenerator();
  };
}

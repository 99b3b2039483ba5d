/**
 * Harness check program for the stall watchdog: after a first scenario, its main thread spins in
 * `spinForever` and never returns to the event loop. The watchdog must name that function and end it.
 */
import { log, runSuite, scenario } from './runner';

function spinForever(): number {
  let x = 0;
  for (;;) x = (x + 1) | 0;
}

async function main(): Promise<void> {
  await scenario('before', async () => ({ ok: true }));
  log('spinning');
  spinForever();
}

runSuite(main);

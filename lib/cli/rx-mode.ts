/**
 * `--busy-poll`: the receive commands (capture, stats) sleep on the NIC's interrupt when the wire is
 * idle (rxMode 'adaptive', docs/interrupts.md); this flag makes them spin instead, as pktgen and fwd do.
 */
import type { RxMode } from '../device';
import { flagOption, type OptionSpec, type ParsedArgs } from './args';

/** `--busy-poll`. */
export const BUSY_POLL_OPTION: OptionSpec = {
  name: 'busy-poll', kind: 'flag',
  help: 'Spin on the rx queue (a core at 100%) instead of sleeping on its interrupt when idle (default: adaptive)',
};

/** The rx mode the command's flags ask for. */
export function rxModeOf(args: ParsedArgs): RxMode {
  return flagOption(args, 'busy-poll') ? 'poll' : 'adaptive';
}

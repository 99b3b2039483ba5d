/** `tsnic bind` and `tsnic unbind`: move a PCI function to vfio-pci and back to its kernel driver. */
import { TsnicError } from '../errors';
import { flagOption } from './args';
import type { Command } from './command';

async function addressOf(spec: string | undefined): Promise<string> {
  const { normalizePciAddress } = await import('../open');
  const address = normalizePciAddress(spec ?? '');
  if (address === undefined) {
    throw new TsnicError('ERR_INVALID_ARG', `<pci>: "${spec ?? ''}" is not a PCI address: use the form 0000:03:00.0 (see tsnic list)`);
  }
  return address;
}

/** The bind subcommand. */
export const bindCommand: Command = {
  spec: {
    name: 'bind',
    summary: 'Bind a PCI function to vfio-pci so tsnic can drive it (needs root)',
    positionals: [{ name: 'pci', help: 'PCI address, e.g. 0000:03:00.0' }],
    options: [{ name: 'force', kind: 'flag', help: "Bind even if the function carries this machine's default route" }],
    notes: [
      'Uses driver_override and drivers_probe. Refuses a function whose interface carries the default route',
      '(you would lose the network connection) unless --force. Load the driver first: sudo modprobe vfio-pci.',
    ],
    examples: ['sudo tsnic bind 0000:03:00.0'],
  },
  async run(args, io) {
    const address = await addressOf(args.positionals.pci);
    const { bindToVfio } = await import('./pci-sysfs');
    const after = bindToVfio(address, flagOption(args, 'force'), io.roots);
    io.stdout.write(`${address}: bound to vfio-pci (IOMMU group ${after.iommuGroup ?? 'none'})\n`);
    return 0;
  },
};

/** The unbind subcommand. */
export const unbindCommand: Command = {
  spec: {
    name: 'unbind',
    summary: 'Give a PCI function back from vfio-pci to its kernel driver (needs root)',
    positionals: [{ name: 'pci', help: 'PCI address, e.g. 0000:03:00.0' }],
    options: [],
    notes: [
      'A function that is not on vfio-pci (already on its kernel driver) is left alone: tsnic says so and',
      'exits 0, as dpdk-devbind does for a device already bound to the driver asked for.',
    ],
    examples: ['sudo tsnic unbind 0000:03:00.0'],
  },
  async run(args, io) {
    const address = await addressOf(args.positionals.pci);
    const { unbindFromVfio } = await import('./pci-sysfs');
    const { readPciFunction } = await import('../bus/sysfs');
    const before = readPciFunction(address, io.roots?.sys ?? '/sys');
    if (before.driver !== undefined && before.driver !== 'vfio-pci') {
      // As dpdk-devbind does for a device already on the driver asked for: say so, change nothing, status 0.
      io.stdout.write(`${address}: already bound to its kernel driver ${before.driver}, not to vfio-pci: nothing to do\n`);
      return 0;
    }
    const after = unbindFromVfio(address, io.roots);
    io.stdout.write(`${address}: now ${after.driver === undefined ? 'bound to no driver' : `bound to ${after.driver}`}\n`);
    return 0;
  },
};

/** `tsnic list`: the PCI network functions and whether tsnic can drive them. */
import { flagOption } from './args';
import type { Command } from './command';
import type { PciFunctionInfo } from '../bus/sysfs';

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** A listed function: sysfs facts plus tsnic's verdict. */
export interface ListedFunction extends PciFunctionInfo {
  /** Device name from the tsnic driver that claims it, or undefined when none does. */
  supported: string | undefined;
  /** True when tsnic can open it now (bound to vfio-pci, in an IOMMU group). */
  ready: boolean;
  /** What to do to make it ready (empty when ready or unsupported). */
  hint: string;
  /** True when it carries this machine's default route (dpdk-devbind's *Active*): not to be taken. */
  active: boolean;
}

/**
 * The verdict for one function. `routed`: the interfaces carrying the default route; `activeFunctions`:
 * the functions they belong to (pci-sysfs.ts defaultRouteFunctions).
 */
export function assess(
  info: PciFunctionInfo, describe: (vendor: number, device: number) => string | undefined, routed: readonly string[],
  activeFunctions: readonly string[] = [],
): ListedFunction {
  const supported = describe(info.vendorId, info.deviceId);
  const active = activeFunctions.includes(info.address) || info.interfaces.some((i) => routed.includes(i));
  const ready = supported !== undefined && info.driver === 'vfio-pci' && info.iommuGroup !== undefined;
  let hint = '';
  if (supported !== undefined && !ready) {
    if (info.iommuGroup === undefined) hint = 'no IOMMU group: boot with intel_iommu=on (or amd_iommu=on) and enable VT-d';
    else if (active) hint = `carries the default route (${info.interfaces.join(', ')}): use another port`;
    else hint = `run: sudo tsnic bind ${info.address}`;
  }
  return { ...info, supported, ready, hint, active };
}

/** The list subcommand. */
export const listCommand: Command = {
  spec: {
    name: 'list',
    summary: 'List PCI network functions: ids, kernel driver, IOMMU group, tsnic support and readiness',
    positionals: [],
    options: [{ name: 'json', kind: 'flag', help: 'One JSON object per function' }],
    notes: [
      'A function marked *Active* carries this machine\'s default route (as dpdk-devbind marks it): tsnic',
      'bind refuses to take it, since that would cut the network connection.',
    ],
    examples: ['tsnic list', 'tsnic list --json'],
  },
  async run(args, io) {
    const { listNetworkFunctions, defaultRouteFunctions, defaultRouteInterfaces } = await import('./pci-sysfs');
    const { findDriver } = await import('../drivers');
    const describe = (v: number, d: number): string | undefined => findDriver(v, d)?.describe(v, d);
    const roots = io.roots ?? {};
    const routed = defaultRouteInterfaces(roots);
    const active = defaultRouteFunctions(roots);
    const rows = listNetworkFunctions(roots).map((f) => assess(f, describe, routed, active));
    if (flagOption(args, 'json')) {
      for (const r of rows) {
        const json = {
          address: r.address, vendor_id: hex4(r.vendorId), device_id: hex4(r.deviceId), driver: r.driver ?? null,
          interfaces: r.interfaces, iommu_group: r.iommuGroup ?? null, supported: r.supported ?? null, ready: r.ready, hint: r.hint,
          active: r.active,
        };
        io.stdout.write(`${JSON.stringify(json)}\n`);
      }
      return 0;
    }
    if (rows.length === 0) {
      io.stdout.write('no PCI network functions found (simulated ports sim:0 and sim:1 are always available)\n');
      return 0;
    }
    for (const r of rows) {
      const id = `${hex4(r.vendorId)}:${hex4(r.deviceId)}`;
      const driver = r.driver ?? 'no driver';
      const group = r.iommuGroup === undefined ? 'no IOMMU group' : `IOMMU group ${r.iommuGroup}`;
      const ifaces = r.interfaces.length > 0 ? ` (${r.interfaces.join(', ')})` : '';
      const verdict = r.supported === undefined ? 'not supported by tsnic' : r.ready ? `${r.supported}: ready` : `${r.supported}: ${r.hint}`;
      io.stdout.write(`${r.address}  ${id}  ${driver}${ifaces}  ${group}  ${verdict}${r.active ? '  *Active*' : ''}\n`);
    }
    return 0;
  },
};

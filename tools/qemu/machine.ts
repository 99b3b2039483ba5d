/**
 * The guest machine: which NICs it has, where they sit on the PCI bus and the virtual wires, and the
 * qemu-system-x86_64 command line that builds it. Pure: nothing here touches the system.
 */

/**
 * QEMU's NIC models tsnic drives: the e1000 family (hw/net/e1000.c: 82540EM, 82544GC and 82545EM) and
 * `igb` (hw/net/igb.c: the 82576, QEMU 8 and later).
 */
export type NicModel = 'e1000' | 'e1000-82544gc' | 'e1000-82545em' | 'igb';

/** What the guest's init does with a NIC before the program runs. */
export type NicBinding =
  /** Bound to vfio-pci for tsnic. */
  | 'vfio'
  /** Left to Linux's driver (e1000 or igb), interface down. */
  | 'kernel'
  /** Left to Linux's driver, interface up (a peer that counts or sends). */
  | 'kernel-up'
  /** Unbound: no driver at all. */
  | 'none';

/** One emulated NIC. */
export interface GuestNic {
  /** Default `e1000` (82540EM, 8086:100e). */
  model?: NicModel;
  /** The virtual wire (QEMU hub) it is plugged into; NICs on one hub see each other's frames. Default 0. */
  hub?: number;
  /** Default `kernel`. */
  bind?: NicBinding;
  /** Host path of a pcap file recording everything this NIC sends and receives (QEMU filter-dump). */
  pcap?: string;
  /**
   * Put the NIC behind a PCIe expander bus that bypasses the vIOMMU, so Linux gives it no IOMMU group
   * (for testing that error path). Default false.
   */
  withoutIommu?: boolean;
  /** MAC address; QEMU assigns 52:54:00:12:34:5x when absent. */
  mac?: string;
}

/** A NIC as the guest program sees it (passed in TSNIC_GUEST_NICS). */
export interface PlacedNic {
  /** Index in the options' `nics`. */
  index: number;
  /** PCI address inside the guest. */
  address: string;
  model: NicModel;
  hub: number;
  bind: NicBinding;
  mac: string;
  withoutIommu: boolean;
}

/** Everything the command line needs. */
export interface MachineSpec {
  kernel: string;
  initrd: string;
  jobDir: string;
  nics: GuestNic[];
  /** Guest RAM in MiB. */
  memoryMb: number;
  /** 2 MiB hugepages reserved on the kernel command line. */
  hugepages: number;
  /** Virtual CPUs. */
  cpus: number;
}

/** First PCI slot used for NICs on the root bus (00:10.0, 00:11.0, ...). */
const FIRST_SLOT = 0x10;
/**
 * First root-bus slot of the pcie-root-ports that hold igb NICs (00:08.0, 00:09.0, ...). An igb
 * reserves the function numbers of its 8 SR-IOV VFs at realize time, so it cannot sit at an arbitrary
 * root-bus slot (QEMU-NOTES.md): each one is at 00.0 behind its own root port, whose secondary buses
 * Linux numbers 1, 2, ... in slot order.
 */
const FIRST_IGB_PORT_SLOT = 0x08;
/** Root ports for igb NICs at most (slots 0x08..0x0f, below the e1000 slots). */
const MAX_IGB_PORTS = 8;
/** Bus number of the expander bus that bypasses the IOMMU; its root port's secondary bus is one more. */
const BYPASS_BUS = 0x80;

/** Where each NIC lands. NICs without an IOMMU sit on their own root port of the bypass bus. */
export function placeNics(nics: GuestNic[]): PlacedNic[] {
  let slot = FIRST_SLOT;
  let bypassed = 0;
  let igbPorts = 0;
  return nics.map((nic, index) => {
    const withoutIommu = nic.withoutIommu === true;
    let address: string;
    if (withoutIommu) {
      // Each pcie-root-port takes a device number on bus 0x80; the secondary buses follow in order.
      address = `0000:${hex2(BYPASS_BUS + 1 + bypassed)}:00.0`;
      bypassed++;
    } else if (nic.model === 'igb') {
      if (igbPorts === MAX_IGB_PORTS) throw new Error(`too many igb NICs: at most ${MAX_IGB_PORTS} behind the IOMMU`);
      igbPorts++;
      address = `0000:${hex2(igbPorts)}:00.0`;
    } else {
      if (slot > 0x1e) throw new Error('too many NICs: at most 15 on the root bus');
      address = `0000:00:${hex2(slot)}.0`;
      slot++;
    }
    return {
      index,
      address,
      model: nic.model ?? 'e1000',
      hub: nic.hub ?? 0,
      bind: nic.bind ?? 'kernel',
      mac: nic.mac ?? `52:54:00:12:34:${hex2(0x56 + index)}`,
      withoutIommu,
    };
  });
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** The qemu-system-x86_64 arguments for `spec`. */
export function qemuArgs(spec: MachineSpec): string[] {
  const placed = placeNics(spec.nics);
  const args = [
    // Software emulation: KVM hangs on these machines (QEMU-NOTES.md).
    '-accel', 'tcg', '-cpu', 'max', '-M', 'q35,kernel-irqchip=split',
    '-m', String(spec.memoryMb), '-smp', String(spec.cpus),
    '-nographic', '-no-reboot', '-vga', 'none',
    // intremap needs the split irqchip; caching-mode lets VFIO in the guest map DMA; 48-bit addresses
    // accept IOVAs anywhere in a 64-bit process's address space.
    '-device', 'intel-iommu,intremap=on,caching-mode=on,aw-bits=48',
    '-kernel', spec.kernel, '-initrd', spec.initrd,
    // no_timer_check: on a loaded host the emulated guest is slow enough for Linux's IO-APIC timer check
    // to fail, which panics with interrupt remapping on ("timer doesn't work through Interrupt-remapped
    // IO-APIC", seen with load average 12); the emulated timer is fine, the check's deadline is not.
    '-append', `console=ttyS0 intel_iommu=on panic=-1 quiet loglevel=3 no_timer_check hugepages=${spec.hugepages}`,
    '-virtfs', 'local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap',
    '-virtfs', `local,path=${spec.jobDir},mount_tag=job,security_model=none`,
  ];
  let rootPorts = 0;
  let igbPorts = 0;
  if (placed.some((n) => n.withoutIommu)) {
    args.push('-device', `pxb-pcie,id=pcie.1,bus_nr=${BYPASS_BUS},bus=pcie.0,bypass_iommu=true`);
  }
  for (const nic of placed) {
    const netdev = `nic${nic.index}`;
    args.push('-netdev', `hubport,id=${netdev},hubid=${nic.hub}`);
    // romfile= skips the iPXE option ROM: nothing boots from the network, and it saves boot time.
    let device = `${nic.model},netdev=${netdev},mac=${nic.mac},romfile=`;
    if (nic.withoutIommu) {
      rootPorts++;
      args.push('-device', `pcie-root-port,id=rp${rootPorts},bus=pcie.1,chassis=${rootPorts}`);
      device += `,bus=rp${rootPorts}`;
    } else if (nic.model === 'igb') {
      const port = `igbport${igbPorts}`;
      // Chassis numbers must differ from every other root port's (the bypass ports use 1, 2, ...).
      args.push('-device', `pcie-root-port,id=${port},bus=pcie.0,addr=0x${hex2(FIRST_IGB_PORT_SLOT + igbPorts)},chassis=${0x40 + igbPorts}`);
      igbPorts++;
      device += `,bus=${port},addr=0x0`;
    } else {
      device += `,bus=pcie.0,addr=0x${nic.address.slice(8, 10)}`;
    }
    args.push('-device', device);
    const pcap = spec.nics[nic.index].pcap;
    if (pcap !== undefined) args.push('-object', `filter-dump,id=dump${nic.index},netdev=${netdev},file=${pcap}`);
  }
  return args;
}

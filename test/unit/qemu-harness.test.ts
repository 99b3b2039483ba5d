// Pure parts of the QEMU harness: console markers, NIC placement, QEMU arguments, job files.
import t from 'tap';
import { parseConsole } from '../../tools/qemu/console';
import { checkNicModels, jobFiles, shellQuote } from '../../tools/qemu/harness';
import { placeNics, qemuArgs } from '../../tools/qemu/machine';

t.test('console: output between the markers, exit status, guest errors', async (t) => {
  const text = 'SeaBIOS\r\n@@tsnic-guest@@ begin\r\nline 1\r\nline 2@@tsnic-guest@@ exit 7\r\n[ 1.0] reboot\r\n';
  const r = parseConsole(text);
  t.equal(r.began, true);
  t.equal(r.exitCode, 7);
  t.equal(r.output, 'line 1\nline 2\n');
  t.same(parseConsole('@@tsnic-guest@@ error: no PCI device x\n').guestErrors, ['no PCI device x']);
  const silent = parseConsole('kernel panic\n');
  t.equal(silent.exitCode, null);
  t.equal(silent.began, false);
});

t.test('NIC placement: root bus slots from 0x10, bypassed NICs behind the expander', async (t) => {
  const placed = placeNics([{}, { withoutIommu: true, bind: 'none' }, { hub: 1, bind: 'vfio' }]);
  t.same(placed.map((n) => n.address), ['0000:00:10.0', '0000:81:00.0', '0000:00:11.0']);
  t.same(placed.map((n) => n.mac), ['52:54:00:12:34:56', '52:54:00:12:34:57', '52:54:00:12:34:58']);
  t.equal(placed[2].hub, 1);
});

t.test('QEMU arguments: TCG q35, intel-iommu, hubs, pcap, bypass bus', async (t) => {
  const args = qemuArgs({
    kernel: 'k', initrd: 'i', jobDir: '/j', memoryMb: 512, hugepages: 32, cpus: 2,
    nics: [{ pcap: '/tmp/a.pcap' }, { hub: 3, withoutIommu: true }],
  }).join(' ');
  t.match(args, /-accel tcg/);
  t.match(args, /-M q35,kernel-irqchip=split/);
  t.match(args, /intel-iommu,intremap=on,caching-mode=on/);
  t.match(args, /hugepages=32/);
  t.match(args, /no_timer_check/, 'no IO-APIC timer check: it fails on a loaded host');
  t.match(args, /-netdev hubport,id=nic0,hubid=0 -device e1000,netdev=nic0,[^ ]*bus=pcie\.0,addr=0x10/);
  t.match(args, /filter-dump,id=dump0,netdev=nic0,file=\/tmp\/a\.pcap/);
  t.match(args, /pxb-pcie,[^ ]*bypass_iommu=true/);
  t.match(args, /hubid=3 -device pcie-root-port,id=rp1,bus=pcie\.1,chassis=1 -device e1000,netdev=nic1,[^ ]*bus=rp1/);
  t.match(args, /local,path=\/j,mount_tag=job,security_model=none/);
});

t.test('job files: bindings by address, argv quoted for sh', async (t) => {
  const placed = placeNics([{ bind: 'vfio' }, { bind: 'kernel-up' }, { bind: 'none' }]);
  const { jobSh, runSh } = jobFiles(placed, '/p/x.js', ["a'b"], { FOO: 'bar baz' });
  t.match(jobSh, /TSNIC_VFIO='0000:00:10.0'/);
  t.match(jobSh, /TSNIC_LINK_UP='0000:00:11.0'/);
  t.match(jobSh, /TSNIC_UNBIND='0000:00:12.0'/);
  t.match(runSh, /'FOO=bar baz'/);
  t.match(runSh, /'\/p\/x\.js' 'a'\\''b'/);
  t.equal(shellQuote("it's"), `'it'\\''s'`);
});

t.test('igb NICs: each at 00.0 behind its own root port on pcie.0, buses 1, 2, ...', async (t) => {
  const nics = [{ model: 'igb' as const, bind: 'vfio' as const }, {}, { model: 'igb' as const }, { model: 'igb' as const, withoutIommu: true }];
  t.same(placeNics(nics).map((n) => n.address), ['0000:01:00.0', '0000:00:10.0', '0000:02:00.0', '0000:81:00.0']);
  const args = qemuArgs({ kernel: 'k', initrd: 'i', jobDir: '/j', memoryMb: 512, hugepages: 32, cpus: 2, nics }).join(' ');
  t.match(args, /-device pcie-root-port,id=igbport0,bus=pcie\.0,addr=0x08,chassis=64 -device igb,netdev=nic0,[^ ]*bus=igbport0,addr=0x0/);
  t.match(args, /-device pcie-root-port,id=igbport1,bus=pcie\.0,addr=0x09,chassis=65 -device igb,netdev=nic2,/);
  t.match(args, /-device pcie-root-port,id=rp1,bus=pcie\.1,chassis=1 -device igb,netdev=nic3,[^ ]*bus=rp1/);
});

t.test('a QEMU without the igb model: the harness says so and how to get QEMU 10', async (t) => {
  const has = (model: string): boolean => model !== 'igb';
  t.doesNotThrow(() => checkNicModels([{}, { model: 'e1000-82545em' }], has));
  t.throws(() => checkNicModels([{}, { model: 'igb' }], has), /no "igb" NIC model .*QEMU 8.*bookworm-backports.*apt-get install -t bookworm-backports qemu-system-x86/);
});

#!/bin/busybox sh
# PID 1 of the tsnic QEMU guest (packed into the initramfs by tools/qemu/guest-image.ts).
# It loads the modules, mounts the host's root (read-only) at /host and the job folder (writable) at
# /job, binds the NICs the job names to vfio-pci, runs the job's command inside `chroot /host`, and
# reports on the serial console between markers the host harness parses (tools/qemu/console.ts).
# Whatever happens, it powers the guest off: the host never waits for a guest that has nothing to do.

/bin/busybox --install -s /bin
export PATH=/bin

say() { echo "@@tsnic-guest@@ $*"; }
finish() {
  say "exit $1"
  sync
  poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/hugepages /tmp
mount -t hugetlbfs none /dev/hugepages
mount -t tmpfs tmp /tmp

# Modules in dependency order (modprobe --show-depends on the host wrote the list).
while read -r module; do
  insmod "/modules/$module" 2>/dev/null || say "warning: insmod $module failed"
done < /modules/order

mkdir -p /host /job
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro host /host || { say "error: cannot mount the host's root over 9p"; finish 125; }
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 job /job || { say "error: cannot mount the job folder over 9p"; finish 125; }
[ -f /job/job.sh ] || { say "error: /job/job.sh missing"; finish 125; }
# job.sh sets TSNIC_VFIO (PCI addresses to bind to vfio-pci), TSNIC_UNBIND (addresses to leave without
# a driver) and TSNIC_LINK_UP (addresses whose Linux interface goes up); run.sh is the command itself.
. /job/job.sh

# Linux's own IPv6 chatter (router and neighbour solicitations) would add frames to the wire.
echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6
echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6

for addr in $TSNIC_UNBIND $TSNIC_VFIO; do
  dev=/sys/bus/pci/devices/$addr
  [ -d "$dev" ] || { say "error: no PCI device $addr in the guest"; finish 125; }
  [ -e "$dev/driver" ] && echo "$addr" > "$dev/driver/unbind"
done
for addr in $TSNIC_VFIO; do
  dev=/sys/bus/pci/devices/$addr
  # A driver_override makes vfio-pci, and only it, take the device at the next probe.
  echo vfio-pci > "$dev/driver_override"
  echo "$addr" > /sys/bus/pci/drivers_probe
  [ -e "$dev/driver" ] && [ "$(basename "$(readlink "$dev/driver")")" = vfio-pci ] \
    || { say "error: vfio-pci did not take $addr"; finish 125; }
done
for addr in $TSNIC_LINK_UP; do
  for net in /sys/bus/pci/devices/$addr/net/*; do
    ip link set "$(basename "$net")" up || say "warning: cannot bring up $net"
  done
done

# The program sees the host's file system with the guest's /proc, /sys, /dev (VFIO, hugepages) and a
# writable /tmp; the job folder appears at /tmp/tsnic-job. A project checked out under the host's /tmp
# is bound back over the guest's tmpfs, so it stays visible at its own path.
mount --rbind /proc /host/proc
mount --rbind /sys /host/sys
mount --rbind /dev /host/dev
mkdir -p /host-tmp
mount --bind /host/tmp /host-tmp
mount -t tmpfs tmp /host/tmp
mkdir -p /host/tmp/tsnic-job
mount --bind /job /host/tmp/tsnic-job
project=$(cat /job/project-root 2>/dev/null)
case "$project" in
  /tmp/*)
    mkdir -p "/host$project"
    mount --bind "/host-tmp/${project#/tmp/}" "/host$project" || say "warning: cannot bind $project into the guest's /tmp"
    ;;
esac

say "begin"
chroot /host /bin/sh /tmp/tsnic-job/run.sh < /dev/null 2>&1
status=$?
echo "$status" > /job/exit-code
finish "$status"

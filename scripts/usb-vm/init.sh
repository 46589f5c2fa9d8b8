#!/bin/busybox sh
# PID 1 of the USB VM: load the USB gadget and 9p modules, mount the host's root read-only and the
# output folder read-write, start udevd, then run the guest test with the host's own node in a chroot.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# Load in dependency order; retry what failed once (an order quirk must not end the run).
for pass in 1 2 3; do
  for m in $(cat /modules.list); do
    name=$(basename "$m" .ko | tr - _)
    grep -q "^$name " /proc/modules && continue
    if [ "$name" = dummy_hcd ]; then insmod "/mods/$m" num=4 2>/dev/null; else insmod "/mods/$m" 2>/dev/null; fi
  done
done
mkdir -p /host
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /host || echo "USB-VM: cannot mount host root"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /host/tmp/usb-vm-out || echo "USB-VM: cannot mount output folder"
mount --bind /dev /host/dev
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t configfs none /host/sys/kernel/config
mount -t tmpfs tmpfs /host/run
echo "USB-VM: modules: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
# udevd, as on a cashier's Linux PC: `serialport` lists ports (with their USB ids) from its
# database. It must not load modules on its own (everything needed is loaded above): an empty
# rules file of the same name in /run overrides Debian's 80-drivers.rules.
mkdir -p /host/run/udev/rules.d && : > /host/run/udev/rules.d/80-drivers.rules
chroot /host /lib/systemd/systemd-udevd --daemon --resolve-names=never 2>/dev/null || echo "USB-VM: udevd did not start"
timeout -s KILL 540 chroot /host /usr/bin/env -i PATH=/usr/bin:/bin HOME=/run UV_THREADPOOL_SIZE=16 USB_VM_OUT=/tmp/usb-vm-out \
  /usr/bin/node "$(cat /project-dir)/out/usb-vm/guest.mjs" > /host/tmp/usb-vm-out/guest.log 2>&1
echo "USB-VM: guest finished"
sync
poweroff -f

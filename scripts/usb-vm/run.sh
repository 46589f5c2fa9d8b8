#!/usr/bin/env bash
# `npm run test:usb`: real USB end to end in a VM. The host kernel here has no USB, so a Debian
# kernel boots under QEMU (TCG, no KVM needed) with dummy_hcd + configfs gadgets; the host's root
# is shared read-only over 9p so the guest runs this very node and node_modules.
# Needs: apt-get install qemu-system-x86 linux-image-amd64 busybox-static cpio udev
set -euo pipefail
cd "$(dirname "$0")/../.."
need() { command -v "$1" >/dev/null || { echo "test:usb needs $1 ($2)"; exit 2; }; }
need qemu-system-x86_64 "apt-get install qemu-system-x86"
need cpio "apt-get install cpio"
need udevadm "apt-get install udev"
KVER=$(ls /lib/modules | sort -V | tail -1)
VMLINUZ=/boot/vmlinuz-$KVER
[ -r "$VMLINUZ" ] || { echo "test:usb needs a kernel image: apt-get install linux-image-amd64"; exit 2; }
BUSYBOX=/bin/busybox
# ldd fails on a static binary: that is the one we need (the initramfs has no libc).
if ldd "$BUSYBOX" >/dev/null 2>&1; then echo "test:usb needs a static busybox: apt-get install busybox-static"; exit 2; fi

WORK=$(mktemp -d /tmp/usb-vm.XXXXXX)
OUT=/tmp/usb-vm-out
rm -rf "$OUT" && mkdir -p "$OUT"
AGENT=
trap '[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null; rm -rf "$WORK"' EXIT

# The guest test, bundled; the native modules (`usb`, serialport's bindings, node-hid) stay external, resolved
# from node_modules.
mkdir -p out/usb-vm
npx esbuild scripts/usb-vm/guest.ts --bundle --platform=node --format=esm --external:usb --external:@serialport/bindings-cpp --external:node-hid \
  --outfile=out/usb-vm/guest.mjs --log-level=warning \
  --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"

# The initramfs: busybox, the modules in load order, init.
R=$WORK/root
mkdir -p "$R"/{bin,proc,sys,dev,mods}
cp "$BUSYBOX" "$R/bin/busybox"
node scripts/usb-vm/modules.mjs "$KVER" virtio_pci 9pnet_virtio 9p dummy_hcd libcomposite usb_f_printer usb_f_hid usb_f_acm usbhid hid_generic xhci_pci evdev cdc_acm > "$R/modules.list"
while read -r m; do mkdir -p "$R/mods/$(dirname "$m")"; cp "/lib/modules/$KVER/$m" "$R/mods/$m"; done < "$R/modules.list"
cp scripts/usb-vm/init.sh "$R/init" && chmod +x "$R/init"
# The guest runs this checkout's own bundle wherever it lives (CI clones into another folder).
pwd > "$R/project-dir"
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initramfs.gz"

# QEMU's USB keyboard (usb-kbd on an xHCI controller) is typed on and plugged in and out from
# here through QMP, when the guest asks (keyboard.mjs).
node scripts/usb-vm/keyboard.mjs "$WORK/qmp.sock" "$OUT" &
AGENT=$!

# USB_VM_ICOUNT=on: the guest's clock counts the instructions it runs (icount), not the host's
# wall clock, so a loaded host that does not run QEMU for 100 ms stops the guest's time instead of
# making it jump, and the emulated keyboard keeps its own timing (the wedge bursts then arrive
# 15–17 ms apart at load ~20, first try). Off by default: it runs the guest on one host thread and
# took over 10 minutes beside the CPU hog here, and keys typed on QEMU's keyboard at the host's
# pace then overflow its queue in the slower guest time (README: CPU-hog mode).
ICOUNT=()
[ "${USB_VM_ICOUNT:-off}" = "on" ] && ICOUNT=(-icount shift=auto,sleep=on)
echo "test:usb: booting $KVER under QEMU (TCG${ICOUNT:+, icount})…"
timeout "${USB_VM_TIMEOUT:-240}" qemu-system-x86_64 -accel tcg "${ICOUNT[@]}" -m 1536 -smp 2 -nographic -no-reboot \
  -kernel "$VMLINUZ" -initrd "$WORK/initramfs.gz" -append "console=ttyS0 quiet oops=panic panic=-1" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  -virtfs local,path="$OUT",mount_tag=out,security_model=none \
  -device qemu-xhci,id=xhci -device usb-kbd,id=kbd,bus=xhci.0 \
  -qmp unix:"$WORK/qmp.sock",server=on,wait=off \
  > "$OUT/console.log" 2>&1 || true
grep "USB-VM" "$OUT/console.log" || true
cat "$OUT/guest.log" 2>/dev/null || echo "test:usb: no guest log (see $OUT/console.log)"
[ -s "$OUT/result.json" ] || { echo "test:usb: FAILED (no result)"; exit 1; }
node -e "const r=require('$OUT/result.json'); process.exit(r.length && r.every(x=>x.ok) ? 0 : 1)"

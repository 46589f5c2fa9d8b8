#!/usr/bin/env bash
# The USB VM step of `npm test`. On CI (and wherever its Debian packages are installed) it runs
# the real-USB harness and records its checks for the closing summary. On a developer machine
# without QEMU or a Debian kernel it says plainly that it did not run and why; on CI a missing
# prerequisite is a failure, since .ci/run installs them.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
rm -f test-results/usb.json
bash scripts/usb-vm/run.sh
rc=$?
# The guest kernel's USB gadget stack can oops around an unplug/replug (kernel bugs, not ours:
# f_printer frees a half-read request on unbind and reuses it after the replug, which the
# harness now avoids by always reading whole requests; usbfs/dummy_hcd races remain possible on
# a loaded machine); `oops=panic` makes such a run end at once instead of hanging. A run that
# died in the guest kernel is tried again (at most twice) and says so; any other failure fails
# at once.
for attempt in 2 3; do
  [ $rc -ne 0 ] && [ $rc -ne 2 ] && grep -Eq "Kernel panic|kernel BUG|Oops" /tmp/usb-vm-out/console.log 2>/dev/null || break
  echo "[usb] the guest kernel crashed (see above); USB VM attempt $attempt"
  bash scripts/usb-vm/run.sh
  rc=$?
done
if [ $rc -eq 2 ]; then
  if [ "${CI:-}" = "true" ]; then echo "[usb] prerequisites missing on CI"; exit 1; fi
  echo "[usb] USB VM test NOT run on this machine (see the line above for what it needs)"
  echo '{"ran":false}' > test-results/usb.json
  exit 0
fi
count() {
  node -e "
const r = require('fs').existsSync('/tmp/usb-vm-out/result.json') ? JSON.parse(require('fs').readFileSync('/tmp/usb-vm-out/result.json','utf8')) : [];
console.log(r.filter(x => x.ok).length, r.filter(x => !x.ok).length + (r.length ? 0 : 1));
"
}
read -r passed failed < <(count)

# CPU-hog mode: the same harness once more beside busy loops (load average about 6 on CI's two
# cores), since timeouts must follow the devices, not the machine's speed (issue 15, defect 6).
# USB_VM_CPU_HOG=N runs N busy loops; 0 (the default, CI included) skips it. Not on by default
# in CI yet: the printer checks pass beside busy loops, but QEMU's own keyboard cannot keep the
# wedge checks' key timing at such load, which says nothing about the app (scripts/usb-vm/README.md).
HOG=${USB_VM_CPU_HOG:-0}
if [ $rc -eq 0 ] && [ "$HOG" -gt 0 ]; then
  echo "[usb] again beside $HOG busy loops (CPU-hog mode)"
  HOGS=()
  for _ in $(seq "$HOG"); do sh -c 'while :; do :; done' & HOGS+=($!); done
  trap 'kill "${HOGS[@]}" 2>/dev/null' EXIT
  USB_VM_TIMEOUT=${USB_VM_TIMEOUT:-420} bash scripts/usb-vm/run.sh
  rc=$?
  kill "${HOGS[@]}" 2>/dev/null
  trap - EXIT
  read -r p2 f2 < <(count)
  passed=$((passed + p2))
  failed=$((failed + f2))
  echo "[usb] CPU-hog mode: $p2 passed, $f2 failed"
fi
echo "{\"ran\": true, \"passed\": $passed, \"failed\": $failed}" > test-results/usb.json
exit $rc

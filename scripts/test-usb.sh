#!/usr/bin/env bash
# The USB VM step of `npm test`. On CI (and wherever its Debian packages are installed) it runs
# the real-USB harness and records its checks for the closing summary. On a developer machine
# without QEMU or a Debian kernel it says plainly that it did not run and why; on CI a missing
# prerequisite is a failure, since .ci/run installs them.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
rm -f test-results/usb.json
# CPU-hog mode (issue 15, defect 6): the harness runs beside N busy loops, since its waits must
# follow the devices, not the machine's speed: the printer's waits are counted in its answers
# (drivers/printer/session.ts), the scanners' waits end when the device's state arrives, and the
# keyboard-wedge checks judge the detector on the key timings the guest kernel saw (a wedge scan
# is paced by the emulated keyboard itself; scripts/usb-vm/README.md). USB_VM_CPU_HOG=N runs N
# loops; 0, the default off CI, runs on a quiet machine. On CI (CI=true) the default is 2, as the
# issue asks: two busy threads per core of CI's two, beside QEMU (45/45 three times running here,
# 174–230 s a run). Beside the loops the harness runs once, not twice (the quiet run proves
# nothing the loaded one does not, and CI has 30 minutes); USB_VM_QUIET_TOO=1 runs it quiet
# first as well.
HOG=${USB_VM_CPU_HOG:-0}
[ "${CI:-}" = "true" ] && HOG=${USB_VM_CPU_HOG:-2}
HOGS=()
stop_hogs() { [ ${#HOGS[@]} -gt 0 ] && kill "${HOGS[@]}" 2>/dev/null; HOGS=(); }
trap stop_hogs EXIT
# One run of the harness (beside $1 busy loops). The guest kernel's USB gadget stack can oops
# around an unplug/replug (kernel bugs, not ours: f_printer frees a half-read request on unbind
# and reuses it after the replug, which the harness now avoids by always reading whole requests;
# usbfs/dummy_hcd races remain possible on a loaded machine); `oops=panic` makes such a run end
# at once instead of hanging. A run that died in the guest kernel is tried again (at most twice)
# and says so; any other failure fails at once.
vm() {
  local hog=$1 t0=$SECONDS limit=${USB_VM_TIMEOUT:-240}
  [ "$hog" -gt 0 ] && limit=${USB_VM_TIMEOUT:-600}
  if [ "$hog" -gt 0 ]; then
    echo "[usb] beside $hog busy loops (CPU-hog mode)"
    for _ in $(seq "$hog"); do sh -c 'while :; do :; done' & HOGS+=($!); done
  fi
  USB_VM_TIMEOUT=$limit bash scripts/usb-vm/run.sh
  rc=$?
  for attempt in 2 3; do
    [ $rc -ne 0 ] && [ $rc -ne 2 ] && grep -Eq "Kernel panic|kernel BUG|Oops" /tmp/usb-vm-out/console.log 2>/dev/null || break
    echo "[usb] the guest kernel crashed (see above); USB VM attempt $attempt"
    USB_VM_TIMEOUT=$limit bash scripts/usb-vm/run.sh
    rc=$?
  done
  stop_hogs
  echo "[usb] run took $((SECONDS - t0)) s$([ "$hog" -gt 0 ] && echo " beside $hog busy loops")"
}
count() {
  node -e "
const r = require('fs').existsSync('/tmp/usb-vm-out/result.json') ? JSON.parse(require('fs').readFileSync('/tmp/usb-vm-out/result.json','utf8')) : [];
console.log(r.filter(x => x.ok).length, r.filter(x => !x.ok).length + (r.length ? 0 : 1));
"
}
not_run() {
  if [ "${CI:-}" = "true" ]; then echo "[usb] prerequisites missing on CI"; exit 1; fi
  echo "[usb] USB VM test NOT run on this machine (see the line above for what it needs)"
  echo '{"ran":false}' > test-results/usb.json
  exit 0
}
passed=0
failed=0
rc=0
if [ "$HOG" -eq 0 ] || [ "${USB_VM_QUIET_TOO:-0}" = "1" ]; then
  vm 0
  [ $rc -eq 2 ] && not_run
  read -r passed failed < <(count)
fi
if [ $rc -eq 0 ] && [ "$HOG" -gt 0 ]; then
  vm "$HOG"
  [ $rc -eq 2 ] && not_run
  read -r p2 f2 < <(count)
  passed=$((passed + p2))
  failed=$((failed + f2))
  echo "[usb] CPU-hog mode: $p2 passed, $f2 failed"
fi
echo "{\"ran\": true, \"passed\": $passed, \"failed\": $failed, \"cpuHog\": $HOG}" > test-results/usb.json
exit $rc

#!/usr/bin/env bash
# Sanitizer runs of the simulated 82599 (issue 3): no data races, no memory errors, no leaks.
#   1. ThreadSanitizer: the model thread against a C++ driver thread (native/sim/selftest.cc: a
#      forwarder through both rings, every frame checked), standalone.
#   2. AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer: the same program.
#   3. The model's own tests (test/sim/model-*.test.ts) in Node against ASan+UBSan builds of both
#      addons (TSNIC_ADDON and TSNIC_SIM_ADDON point lib/bus/addon.ts at them; libasan is preloaded
#      into node), with test/unit/addon-split.test.ts to show that those builds are the ones loaded.
# Usage: tools/sanitize.sh [frames]   (default 200000; needs g++ and the npm dev dependencies)
# Exit status non-zero on any sanitizer report, lost or corrupted frame, DMA fault or test failure.
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-200000}
# A private directory per run: concurrent runs (several checkouts on one machine) must not share one.
out=$(mktemp -d "${TMPDIR:-/tmp}/tsnic-sanitize.XXXXXX")
trap 'rm -rf "$out"' EXIT
selftest=(-std=c++17 -g -O1 -fno-omit-frame-pointer -DTSNIC_SIM_SELFTEST_MAIN -Inative native/sim/*.cc -lpthread)

echo "== 1/3 ThreadSanitizer: model thread + C++ driver thread, $frames frames"
g++ -fsanitize=thread "${selftest[@]}" -o "$out/selftest-tsan"
TSAN_OPTIONS=halt_on_error=1:exitcode=66 "$out/selftest-tsan" "$frames"

echo "== 2/3 AddressSanitizer + UBSan + LeakSanitizer: the same, $frames frames"
g++ -fsanitize=address,undefined -fno-sanitize-recover=all "${selftest[@]}" -o "$out/selftest-asan"
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:exitcode=66 "$out/selftest-asan" "$frames"

echo "== 3/3 the model's tests against ASan + UBSan builds of the addons"
mkdir -p "$out/addon"
cp -r binding.gyp native package.json "$out/addon/"
ln -s "$PWD/node_modules" "$out/addon/node_modules"
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
(cd "$out/addon" && CXXFLAGS="$flags" LDFLAGS="$flags" npx --no node-gyp rebuild >"$out/addon-build.log" 2>&1) ||
  { cat "$out/addon-build.log"; exit 1; }
addons="$out/addon/build/Release"
for addon in tsnic tsnic_sim; do
  nm -D "$addons/$addon.node" | grep __asan_init >/dev/null || { echo "$addons/$addon.node has no ASan instrumentation"; exit 1; }
done
preload="$(g++ -print-file-name=libasan.so):$(g++ -print-file-name=libubsan.so)"
# handle_segv=0: the model's register access trap (native/sim/access_trap.cc) owns SIGSEGV. Leak
# checking is off for Node itself (V8 keeps memory to the end); step 2 checked the model for leaks.
LD_PRELOAD="$preload" ASAN_OPTIONS=handle_segv=0:allow_user_segv_handler=1:detect_leaks=0:halt_on_error=1 \
  TSNIC_ADDON="$addons/tsnic.node" TSNIC_SIM_ADDON="$addons/tsnic_sim.node" \
  npx --no tap --disable-coverage test/sim/model-*.test.ts test/unit/addon-split.test.ts
echo "== sanitizers: clean"

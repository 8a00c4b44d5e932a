#!/usr/bin/env bash
# The native addon under memory checkers: no invalid access and no leak in mount_set_group.node.
#
#   scripts/sanitize.sh [--rounds N] [--self-check]
#
# 1. valgrind (memcheck) runs test/hostile/native/addon-calls.ts: every addon call, with good and
#    hostile arguments, N rounds (default 200), plus scenarios and set-group through TypeScript.
# 2. AddressSanitizer and LeakSanitizer (gcc's libasan, preloaded into every process) run the same
#    workload and the kernel test suites test/kernel/set-group.test.ts and
#    test/hostile/kernel-paths.test.ts, with the addon rebuilt instrumented.
# Each works on a copy of the tree in a temporary directory (the project's build/ is left alone).
# Node, V8 and vitest's own native modules have their own reports (leaks at exit, valgrind's noise
# about JIT code): only reports with a frame in the addon count. Mount-changing calls run only in
# children under `unshare -m --propagation private`, as in the tests. Needs root, valgrind and g++.
#
# --self-check injects a heap overflow and a leak into the copy's addon and succeeds only when both
# tools report them: proof that the filters can see a fault. Takes about 1.5 minutes on 2 cores.
set -euo pipefail

rounds=200
self_check=false
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --self-check) self_check=true; shift ;;
    *) echo "usage: scripts/sanitize.sh [--rounds N] [--self-check]" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/mount-set-group-sanitize.XXXXXX)"
trap 'rm -rf "$work"' EXIT
tree="$work/tree"
libasan="$(gcc -print-file-name=libasan.so)"
tsx="file://$(cd "$root" && node -p "require.resolve('tsx')")"
started=$SECONDS

# The tree to build and test in, sharing the project's node_modules.
mkdir -p "$tree"
cp -r "$root/src" "$root/test" "$root/csrc" "$root/binding.gyp" "$root/package.json" "$root/tsconfig.json" "$root/vitest.config.ts" "$tree/"
ln -s "$root/node_modules" "$tree/node_modules"

if $self_check; then
  # A heap overflow and a leak on every close(): what the run below must find.
  sed -i 's|^namespace {$|namespace {\n\nint Broken(int fd) {\n  volatile char* overflow = new char[8];\n  overflow[8] = 1;\n  delete[] overflow;\n  char* leak = new char[100]();\n  return write(-1, leak, 1) < 0 ? fd : fd;\n}|; s|close(FdArg(|close(Broken(FdArg(|; s|"fd")));|"fd"))));|' "$tree/csrc/addon.cc"
  grep -q 'close(Broken(' "$tree/csrc/addon.cc" || { echo "sanitize: --self-check could not inject its fault into csrc/addon.cc" >&2; exit 2; }
fi

build() {
  (cd "$tree" && rm -rf build && CXXFLAGS="$1" LDFLAGS="$2" node node_modules/node-gyp/bin/node-gyp.js rebuild --nodedir=/usr >"$work/build.log" 2>&1) ||
    { cat "$work/build.log" >&2; exit 2; }
}

# The records of `logs` (blank-line or "==PID== "-separated) that name the addon: its file or its source.
addon_reports() {
  awk 'BEGIN { RS = "(\n==[0-9]+== *\n|\n\n)" } /mount_set_group\.node|addon\.cc:/ && /(ERROR|Invalid|uninitialised|Syscall param|Mismatched|overlap|definitely lost|leak of)/ { print; print "" }' "$@"
}

echo "sanitize: valgrind memcheck, $rounds rounds of every addon call"
build "-g -O1" ""
(cd "$tree" && unshare -m --propagation private -- valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
  --errors-for-leak-kinds=definite --num-callers=40 --suppressions="$root/scripts/sanitize.valgrind.supp" \
  --log-file="$work/valgrind.%p.log" node --import "$tsx" test/hostile/native/addon-calls.ts "$rounds" </dev/null >"$work/valgrind.out")
valgrind_reports="$(addon_reports "$work"/valgrind.*.log)"
valgrind_errors="$(grep -h 'ERROR SUMMARY' "$work"/valgrind.*.log | sort | uniq -c | tr -s ' ')"
echo "sanitize: valgrind done at $((SECONDS - started)) s; all processes:$valgrind_errors"

echo "sanitize: AddressSanitizer + LeakSanitizer, the same calls and the kernel test suites"
build "-fsanitize=address -fsanitize-recover=address -fno-omit-frame-pointer -g -O1" "-fsanitize=address"
asan_env=(LD_PRELOAD="$libasan" ASAN_OPTIONS="detect_leaks=1:halt_on_error=0:exitcode=0:verify_asan_link_order=0:log_path=$work/asan" LSAN_OPTIONS="exitcode=0")
(cd "$tree" && env "${asan_env[@]}" unshare -m --propagation private -- node --import "$tsx" test/hostile/native/addon-calls.ts "$rounds" </dev/null >"$work/asan.out")
(cd "$tree" && env "${asan_env[@]}" node node_modules/vitest/vitest.mjs run test/kernel/set-group.test.ts test/hostile/kernel-paths.test.ts >"$work/vitest.out" 2>&1) ||
  { $self_check || { tail -30 "$work/vitest.out" >&2; echo "sanitize: the kernel tests failed under AddressSanitizer" >&2; exit 1; }; }
sed 's/\x1b\[[0-9;]*m//g' "$work/vitest.out" | grep -E '^ *Tests +[0-9]' | sed 's/^ */sanitize: kernel tests under ASan: /' || true
asan_reports="$(if compgen -G "$work/asan.*" >/dev/null; then addon_reports "$work"/asan.*; fi)"
echo "sanitize: AddressSanitizer done at $((SECONDS - started)) s; $(ls "$work" | grep -c '^asan\.[0-9]' || true) processes wrote reports (node's and vitest's own leaks among them)"

report() {
  if [ -n "$2" ]; then
    echo "sanitize: $1 reports in the addon:"
    printf '%s\n' "$2"
  else
    echo "sanitize: $1: no invalid access and no leak in mount_set_group.node"
  fi
}
report valgrind "$valgrind_reports"
report AddressSanitizer "$asan_reports"
echo "sanitize: $((SECONDS - started)) s in all"

if $self_check; then
  if [ -n "$valgrind_reports" ] && [ -n "$asan_reports" ] && grep -q 'leak' <<<"$asan_reports" && grep -q 'Invalid write' <<<"$valgrind_reports"; then
    echo "sanitize: self-check passed: both tools found the injected overflow and leak"
    exit 0
  fi
  echo "sanitize: self-check FAILED: the injected fault was not found by both tools" >&2
  exit 1
fi
[ -z "$valgrind_reports" ] && [ -z "$asan_reports" ]

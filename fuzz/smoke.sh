#!/usr/bin/env bash
# Runs one libFuzzer target briefly from its seed corpus (CTest's fuzz smoke), or longer
# for a campaign. New inputs go to a scratch corpus, never into the committed seeds.
#   smoke.sh FUZZ_BINARY TARGET SEED_DIR [libFuzzer options...]
set -euo pipefail
binary=$(realpath "$1") target=$2 seeds=$(realpath "$3")
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cd "$work" # crash-* files of a failing run land here and are printed below
export WARDEN_FUZZ_TARGET=$target
status=0
"$binary" "$work/corpus" "$seeds" -rss_limit_mb=4096 -timeout=20 -print_final_stats=1 "$@" || status=$?
if [ "$status" -ne 0 ]; then
  for f in crash-* timeout-* oom-* leak-*; do
    [ -f "$f" ] && { echo "reproducer $f (base64):"; base64 -w0 "$f"; echo; }
  done
fi
exit $status

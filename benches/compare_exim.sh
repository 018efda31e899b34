#!/usr/bin/env bash
# Runs the same input through `exim -be` and through `exim-expand -be` and
# prints wall time and peak memory for each, and the ratios.
#   benches/compare_exim.sh [INPUT] [REPEAT]
# INPUT defaults to benches/typical.txt (comments dropped), repeated REPEAT
# times (default 2000) into one stdin stream, so process start-up is
# amortised.
set -euo pipefail
cd "$(dirname "$0")/.."
input=${1:-benches/typical.txt}
repeat=${2:-2000}
exim=${EXIM:-/usr/sbin/exim4}
ours=target/release/exim-expand
[ -x "$exim" ] || { echo "Exim not found at $exim (apt-get install exim4-daemon-heavy)"; exit 1; }
cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'primary_hostname = myhost.test.ex\n' > "$tmp/min.conf"
grep -v '^#' "$input" | grep -v '^$' > "$tmp/one.txt"
for _ in $(seq "$repeat"); do cat "$tmp/one.txt"; done > "$tmp/in.txt"
lines=$(wc -l < "$tmp/in.txt")

measure() { # prints "seconds maxrss_kb"
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" -C "$tmp/min.conf" -be < "$tmp/in.txt" > "$tmp/out.$(basename "$1")" 2>/dev/null
  cat "$tmp/time"
}
read -r et em < <(measure "$exim")
read -r ot om < <(measure "$ours")
same=$(cmp -s "$tmp/out.$(basename "$exim")" "$tmp/out.$(basename "$ours")" && echo yes || echo no)
printf 'input: %s lines (%s x %s)\n' "$lines" "$(wc -l < "$tmp/one.txt")" "$repeat"
printf '%-12s %8s s %8s KiB\n' exim "$et" "$em" exim-expand "$ot" "$om"
awk -v et="$et" -v ot="$ot" -v em="$em" -v om="$om" 'BEGIN {
  printf "time ratio (exim-expand/exim): %.3f\n", (et > 0 ? ot/et : 0);
  printf "peak memory ratio (exim-expand/exim): %.3f\n", om/em }'
echo "identical output: $same"

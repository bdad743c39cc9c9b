#!/usr/bin/env bash
# The compile benchmark: wall time and peak memory of compiling one translation unit (-c,
# as a user's build does), each a ratio to a floor compiled in the same run: a bare
# Boost.Beast HTTPS server with Boost.JSON and C++20 coroutines (benchmarks/compile/floor.cpp),
# what any Beast-based MCP server compiles at least.
#
#   bash benchmarks/compile.sh [RUNS] [COMPILERS] [LEVELS]
#   bash benchmarks/compile.sh 3 "g++ clang++" "-O0 -O2"      (the defaults)
#   WARDEN_COMPILE_UNITS="c_echo d_everything" bash benchmarks/compile.sh ...   (some units,
#   printed only)
#
# Units: (a) the README's first example, a stdio server (extracted from README.md as it
# stands); (b) an HTTPS server with one bearer scheme (benchmarks/compile/https_bearer.cpp);
# (c) examples/echo; (d) examples/everything; and the floor; then, in separate compilation
# (warden/config.hpp), (b) as the user's unit and warden/src.hpp, the unit a program compiles
# once (src/warden.cpp, what warden::compiled builds). One compiler process at a time,
# nothing else building; RUNS rounds, each compiling every unit once after the floor, and
# the medians of the times and of each round's ratios to its own floor. Prints a Markdown
# table and puts it in benchmarks/RESULTS.md as its "Compile time" section (replacing the
# previous one).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-3}
compilers=${2:-g++ clang++}
levels=${3:--O0 -O2}
[ -x /usr/bin/time ] || { echo "compile.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# (a) exactly as the README shows it: its first C++ block.
awk '/^```cpp/ { inside = 1; next } /^```/ { if (inside) exit } inside' "$root/README.md" >"$work/readme_stdio.cpp"
units=(floor:"$root/benchmarks/compile/floor.cpp" a_readme_stdio:"$work/readme_stdio.cpp"
       b_https_bearer:"$root/benchmarks/compile/https_bearer.cpp" c_echo:"$root/examples/echo/main.cpp"
       d_everything:"$root/examples/everything/main.cpp"
       "b_https_bearer (separate compilation):$root/benchmarks/compile/https_bearer.cpp:-DWARDEN_SEPARATE_COMPILATION"
       "warden/src.hpp (once per program):$root/src/warden.cpp:-DWARDEN_SEPARATE_COMPILATION")

# WARDEN_COMPILE_UNITS="c_echo d_everything" measures those units only (and the floor).
if [ -n "${WARDEN_COMPILE_UNITS:-}" ]; then
  chosen=("${units[0]}")
  for entry in "${units[@]:1}"; do
    case " $WARDEN_COMPILE_UNITS " in *" ${entry%%:*} "*) chosen+=("$entry") ;; esac
  done
  units=("${chosen[@]}")
fi

# measure CXX LEVEL SOURCE [FLAGS]: prints "seconds kilobytes" of one compilation.
measure() {
  /usr/bin/time -f '%e %M' -o "$work/time" "$1" -std=c++20 "$2" -Wall -Wextra -DBOOST_ASIO_NO_DEPRECATED \
    ${4:+"$4"} -I"$root/include" -c "$3" -o "$work/out.o"
  cat "$work/time"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

{
echo "| compiler | level | unit | seconds (median of $runs) | × floor | peak RSS MB | × floor |"
echo "|---|---|---|---|---|---|---|"
for cxx in $compilers; do
  for level in $levels; do
    # Rounds: each compiles every unit once, the floor first, so that a unit's ratio is
    # taken against the floor of its own round (the machine's speed drifts over minutes);
    # the table gives the medians of the times and of the per-round ratios.
    for round in $(seq "$runs"); do
      for i in "${!units[@]}"; do
        rest=${units[$i]#*:}
        src=${rest%%:*} flags=
        [ "$src" = "$rest" ] || flags=${rest#*:}
        measure "$cxx" "$level" "$src" "$flags" >"$work/round.$i"
        read -r s kb <"$work/round.$i"
        read -r fs fkb <"$work/round.0"
        awk -v s="$s" -v kb="$kb" -v fs="$fs" -v fkb="$fkb" \
          'BEGIN { printf "%s %.0f %.4f %.4f\n", s, kb / 1024, s / fs, kb / fkb }' >>"$work/samples.$i"
      done
    done
    for i in "${!units[@]}"; do
      name=${units[$i]%%:*}
      col() { awk -v c="$1" '{ print $c }' "$work/samples.$i" | median; }
      awk -v c="$cxx" -v l="$level" -v n="$name" -v s="$(col 1)" -v m="$(col 2)" -v rs="$(col 3)" -v rm="$(col 4)" \
        'BEGIN { printf "| %s | %s | %s | %.1f | %.2f | %d | %.2f |\n", c, l, n, s, rs, m, rm }'
      rm -f "$work/samples.$i"
    done
  done
done
} | tee "$work/table"

# Some units only: the table is printed, and RESULTS.md keeps its full one.
[ -z "${WARDEN_COMPILE_UNITS:-}" ] || exit 0
results="$root/benchmarks/RESULTS.md"
touch "$results"
{
  awk '/^## / { mine = ($0 ~ /^## Compile time/) } !mine' "$results" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
  echo
  echo "## Compile time (\`bash benchmarks/compile.sh $runs \"$compilers\" \"$levels\"\`, $(date -u +%Y-%m-%d))"
  echo
  echo "One translation unit compiled to an object file (\`-c -std=c++20 -Wall -Wextra\`), one compiler"
  echo "process at a time, $(nproc) cores, $(uname -m); wall time and peak RSS (\`/usr/bin/time\`) in $runs"
  echo "rounds, each compiling the floor and then every unit once: the medians of the times, and of each"
  echo "round's ratio to its own floor, a bare Boost.Beast HTTPS server with Boost.JSON and C++20"
  echo "coroutines (\`benchmarks/compile/floor.cpp\`). Units: (a) the README's"
  echo "first example, a stdio server; (b) an HTTPS server with one bearer scheme"
  echo "(\`benchmarks/compile/https_bearer.cpp\`); (c) \`examples/echo\`; (d) \`examples/everything\`; all"
  echo "header-only (the default). Then separate compilation (\`WARDEN_SEPARATE_COMPILATION\`): (b) as the"
  echo "user's own unit, and \`warden/src.hpp\`, the unit a program compiles once (\`warden::compiled\`)."
  echo
  cat "$work/table"
} >"$work/results"
mv "$work/results" "$results"
echo "wrote benchmarks/RESULTS.md"

#!/bin/sh
# make bench: render each sample RUNS times as a whole process; print the
# median wall time, the median peak memory (RSS), the PDF size and pages.
# Targets (issue 3): an order in <= 10 ms and <= 16 MiB; issue 12 §7's
# (speed_section, also alone: scripts/bench.sh speed) are printed with them.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-21}
TMP=$(mktemp -d /tmp/nastavdoc-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
[ -x build/tools/timeit ] || { echo "bench: build/tools/timeit is missing (make build/tools/timeit)" >&2; exit 3; }
# the pathological inputs below fail on purpose: /usr/bin/time reports them
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 3; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf '%-32s %9s %9s %9s %6s\n' document "ms" "MiB" "KiB" pages
bench_one() {
    doc=$1 name=$2 runs=$3
    out="$TMP/out.pdf"
    # an agreement makes one PDF per partner: time the first partner's
    one=""
    grep -q '^document: agreement' "$doc" && one="--partner 1"
    ./nastavdoc render "$doc" $one -o "$out" # warm-up
    # shellcheck disable=SC2086 # $one is two words or none
    set -- $(build/tools/timeit "$runs" ./nastavdoc render "$doc" $one -o "$out")
    us=$(echo "$1" | awk '{ print $1 * 1000 }')
    cpu_ms=$2
    kb=$3
    pages=$(pdfinfo "$out" | sed -n 's/^Pages: *//p')
    awk -v n="$name" -v us="$us" -v kb="$kb" -v b="$(wc -c <"$out")" -v p="$pages" \
        'BEGIN { printf "%-32s %9.2f %9.2f %9.1f %6s\n", n, us / 1000, kb / 1024, b / 1024, p }'
}
# Issue 12 §7, speed: the order of seed 003 without its annexes (2 pages),
# 100 such orders in one batch, the 41-row roadmap of seed 000, each with its
# target; and the same order in Typst 0.14 in the same run when Typst is
# there (TYPST_NODE_MODULES, below). `scripts/bench.sh speed` runs only this.
# CPU is user + system time of the whole process tree (wait4's rusage).
# Measured 2026-12-01 on the shared 2-core VM (a page touched for the first
# time costs about 11 us there, /bin/true 2.4-3.5 ms wall), instructions by
# callgrind, times by this script at load < 1. At the start of issue 12 §7
# -> at the start of its third session -> of its fourth -> of its fifth ->
# at its end:
#   order, instructions     54.8 M -> 31.0 M -> 11.2 M -> 8.6 M -> 9.2 M
#     (the fifth session's 8.6 -> 8.56 M by typography, then +0.67 M for the
#     compiled dictionary's shape check at load, a hang fixed: text.c)
#   order, page faults       797   ->  532   ->  144   ->  131
#   order, wall (CPU)               -> 20 ms (18) -> 9.1 (8.3) -> 7.6 (7.0)
#   roadmap, instructions  152.8 M -> 120.4 M -> 55.7 M -> 44.7 M -> 43.3 M;
#     wall 33 -> 14.9 -> 11.1 ms
#   100 orders, batch -j 2, CPU  3.2 s -> 0.51 s -> 0.16 s -> 0.12 s;
#     instructions a document in a worker 29 M -> 5.5 M -> 4.3 M -> 2.9 M
#     (the memo of set paragraphs: the 100 orders share all their text;
#     paired against the fourth session's end, CPU 0.88 of it)
#   Typst 0.14 (node) in the same run: 177-198 ms for the order, 0.76-0.83 s
#     CPU for 100 orders in one node process; ratio of the order 0.039-0.052
# The VM's speed drifts by 20 % and more within minutes (the same binary took
# 7.6 and 9.3 ms for the order half an hour apart): compare builds in paired
# runs (farm-bench --vs, or alternate timeit calls), never across runs. The
# binary the issue measured at 8 ms (9aa91e6, 53.2 M instructions) takes 24
# ms here: this machine is about 3 times slower than the issue's for our
# code, and 2.0-2.6 times for Typst (the scaled targets below use Typst's).
# What it took, in order of effect (docs/libharu.md): the hyphenation
# dictionary compiled at build time; the fonts' objects made by us from
# ttf_subset's reading (libharu's TrueType fonts and UTF-8 encoder set up
# whole-BMP tables for every document); subsets renumbered so CIDs are glyph
# ids (no CIDToGIDMap stream, half the bytes to deflate); libdeflate at level
# 1; fonts, metrics, subset programs and templates kept by a batch worker;
# memcpy in place of libharu's byte loops; the heap on huge pages and five
# libraries from their archives (util_heap_init, STATIC_LIBS); per-word
# measuring and a hyphenation memo in layout; then the built-in templates
# compiled at build time (src/yaml_compiled.h), layout's per-character paths
# and Knuth-Plass walk cut by a quarter, a batch worker's heap pages of its
# own (util_heap_fresh), libqrencode loaded only for a QR code, and one
# folder sync a batch worker. Left: process start (`nastavdoc --version`
# alone takes 3.8-4.0 ms of the order's 8-9 ms in the same minutes, /bin/true
# 2.4-2.8 ms; perf puts 44 % of the order's CPU in the kernel, 15 % in
# ld.so), libyaml
# (0.6 M instructions for the order's data, 5.3 M for the roadmap's 66 KB),
# deflating each new font subset (2 M).
# The floor, measured 2026-12-02 (perf stat, load < 1): a static hello 2.74 ms,
# a dynamic one 3.78 ms, one linked to -lhpdf (libpng, libz, libm with it)
# 4.74 ms, `nastavdoc --version` 4.84 ms, the order 10.3 ms. Debian ships no
# libhpdf.a. In paired builds the two fsyncs of docs/output.md cost 1.4 ms
# of the order and the compiled dictionary's shape check (text.c) 0.35 ms;
# a BLAKE2b of the .hyb in its place would cost twice the check's 1.07 M
# instructions.
TYPST_NODE_MODULES=${TYPST_NODE_MODULES:-/tmp/nastavdoc-typst/node_modules}
TYPST_PKG=@myriaddreamin/typst-ts-node-compiler
# "figure target unit": the figure, the target and whether it is met
target() {
    awk -v n="$1" -v v="$2" -v t="$3" -v u="$4" \
        'BEGIN { printf "%-32s %9.2f %s   target <= %s %s: %s\n", n, v, u, t, u, (v <= t ? "met" : "MISSED") }'
}
# Median wall us and CPU s of a command run $1 times (us, cpu set), by
# build/tools/timeit: the clock is read around fork and wait only.
time_runs() {
    set -- $(build/tools/timeit "$@")
    us=$(echo "$1" | awk '{ print $1 * 1000 }')
    cpu=$(echo "$2" | awk '{ print $1 / 1000 }')
}
speed_section() {
    echo "== issue 12 §7: speed (median of $RUNS runs; targets of the issue)"
    mkdir -p "$TMP/s7/one" "$TMP/s7/b100" "$TMP/s7/out"
    cp samples/bratsk/school.yaml "$TMP/s7/one/"
    awk '/^  annexes:/ { exit } { print }' samples/bratsk/order-669.yaml >"$TMP/s7/one/order.yaml"
    bench_one "$TMP/s7/one/order.yaml" "order 669 (2 pages)" "$RUNS"
    order_us=$us
    target "  order, whole process" "$(echo "$us" | awk '{ print $1 / 1000 }')" 4 ms
    target "  order, peak memory" "$(echo "$kb" | awk '{ print $1 / 1024 }')" 8 MiB
    bench_one samples/sh2-nao/roadmap-2023.yaml "roadmap 2023 (41 rows)" "$RUNS"
    roadmap_us=$us
    target "  roadmap, whole process" "$(echo "$us" | awk '{ print $1 / 1000 }')" 10 ms
    cp samples/bratsk/school.yaml "$TMP/s7/b100/"
    n=1
    while [ $n -le 100 ]; do
        sed "s/^  number: \"669\"/  number: \"$n\"/" "$TMP/s7/one/order.yaml" >"$TMP/s7/b100/order-$n.yaml"
        n=$((n + 1))
    done
    time_runs 5 ./nastavdoc batch "$TMP/s7/b100" -o "$TMP/s7/out" -j 2
    batch_us=$us batch_cpu=$cpu
    awk -v us="$us" -v c="$cpu" 'BEGIN { printf "%-32s %9.2f ms wall %6.3f s CPU\n", "batch -j 2: 100 orders", us / 1000, c }'
    target "  100 orders in batch, CPU" "$cpu" 0.1 s
    # Typst 0.14 through npm's typst.ts node compiler: the same order
    # (scripts/bench/order-669.typ), fonts from fonts/
    if ! command -v node >/dev/null 2>&1 || [ ! -d "$TYPST_NODE_MODULES/$TYPST_PKG" ]; then
        echo "Typst: not available (no node, or no $TYPST_PKG in $TYPST_NODE_MODULES); to compare:"
        echo "  npm install --prefix /tmp/nastavdoc-typst $TYPST_PKG@0.7.0   # Typst 0.14"
        echo "  then make bench (or TYPST_NODE_MODULES=DIR/node_modules make bench)"
        return 0
    fi
    js=scripts/bench/typst-bench.js typ=scripts/bench/order-669.typ
    mkdir -p "$TMP/s7/typst"
    # The ratio in rounds that alternate the two programs (5 runs of ours, 3
    # of Typst's, ROUNDS times): the VM's speed drifts within minutes, and a
    # ratio of figures taken minutes apart measures the drift too.
    rounds=${ROUNDS:-7} r=1
    : >"$TMP/s7/rounds"
    while [ $r -le "$rounds" ]; do
        time_runs 5 ./nastavdoc render "$TMP/s7/one/order.yaml" -o "$TMP/s7/out/order.pdf"
        ours=$us
        time_runs 3 node "$js" "$TYPST_NODE_MODULES" fonts "$typ" "$TMP/s7/typst" 0
        echo "$ours $us" >>"$TMP/s7/rounds"
        r=$((r + 1))
    done
    typst_us=$(awk '{ print $2 }' "$TMP/s7/rounds" | median)
    awk -v us="$typst_us" -v p="$(pdfinfo "$TMP/s7/typst/order-0.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')" \
        'BEGIN { printf "%-32s %9.2f ms wall (%s pages)\n", "Typst 0.14: order, one process", us / 1000, p }'
    time_runs 3 node "$js" "$TYPST_NODE_MODULES" fonts "$typ" "$TMP/s7/typst" 100
    awk -v us="$us" -v c="$cpu" 'BEGIN { printf "%-32s %9.2f ms wall %6.3f s CPU\n", "Typst 0.14: 100 orders, 1 node", us / 1000, c }'
    ratio=$(awk '{ print $1 / $2 }' "$TMP/s7/rounds" | median)
    awk -v q="$ratio" -v lo="$(awk '{ print $1 / $2 }' "$TMP/s7/rounds" | sort -n | head -n 1)" \
        -v hi="$(awk '{ print $1 / $2 }' "$TMP/s7/rounds" | sort -n | tail -n 1)" -v n="$rounds" \
        -v aw="$batch_us" -v bw="$us" -v ac="$batch_cpu" -v bc="$cpu" 'BEGIN {
        printf "%-32s %9.3f   target <= 0.05: %s (median of %d alternating rounds, %.3f-%.3f)\n", \
            "ratio order ours/Typst (wall)", q, (q <= 0.05 ? "met" : "MISSED"), n, lo, hi
        printf "%-32s %9.3f wall %6.3f CPU\n", "ratio 100 orders ours/Typst", aw / bw, ac / bc }'
    # The issue's targets are figures of its author's machine, where Typst
    # took 75 ms for this order and 0.38 s CPU for the 100 (issue 12 §7,
    # both through node as here: node's own start is 110 ms of the 184 on
    # this VM). Typst's time here over there is how much slower this machine
    # is; each target scaled by it is the same target on this machine.
    awk -v o="$order_us" -v r="$roadmap_us" -v bc="$batch_cpu" -v t="$typst_us" -v tc="$cpu" 'BEGIN {
        k = t / 1000 / 75; kc = tc / 0.38
        printf "%-32s %9.2f (Typst: order %.0f ms here, 75 ms there; 100 orders %.2f s CPU here, 0.38 s there: %.2f)\n", \
            "this machine against the issue'"'"'s", k, t / 1000, tc, kc
        printf "%-32s %9.2f ms   target <= 4 x %.2f = %.1f ms: %s\n", "  order, scaled", o / 1000, k, 4 * k, (o / 1000 <= 4 * k ? "met" : "MISSED")
        printf "%-32s %9.2f ms   target <= 10 x %.2f = %.1f ms: %s\n", "  roadmap, scaled", r / 1000, k, 10 * k, (r / 1000 <= 10 * k ? "met" : "MISSED")
        printf "%-32s %9.3f s    target <= 0.1 x %.2f = %.3f s: %s\n", "  100 orders CPU, scaled", bc, kc, 0.1 * kc, (bc <= 0.1 * kc ? "met" : "MISSED") }'
}
if [ "${1:-}" = speed ]; then
    speed_section
    exit 0
fi
for doc in samples/*/*.yaml; do
    grep -q '^document:' "$doc" || continue
    bench_one "$doc" "$(basename "$(dirname "$doc")")/$(basename "$doc" .yaml)" "$RUNS"
done
# the stress tables: time grows linearly with rows
mkdir -p "$TMP/stress"
tests/stress/gen.sh "$TMP/stress"
bench_one "$TMP/stress/rows-2000.yaml" "stress/rows-2000" 5
# issue 9: 3,000 people and 1,500 pairs; target for the pairs order with its
# annex: under 150 ms and 32 MiB. And the dative test's hit rate.
# Where its time goes (callgrind, 2026-12-01: 1.42 G instructions, 1.35 G
# after issue 12 §7; 108 pages): 52 % layout, nearly all of it the 9,008
# table cells (67 k instructions a cell: typography and tokens 17 %,
# Knuth-Plass 17 %; most cells take two lines or more, and every centred one
# is balanced by 10 more line breakings, balance_lines in para.c); 14 %
# reading the YAML (libyaml), 11 % the pairs' rules (compute_pairs), 22 %
# writing the PDF (deflate 8 %, hex text 3 %). A shortcut for paragraphs of
# one line was measured and left out: 3,267 of 32,567 line breakings, 0.5 %.
mkdir -p "$TMP/people"
tests/stress/people.sh "$TMP/people" 3000
for d in people-pairs-order people-mentees people-mentors; do
    bench_one "$TMP/people/$d.yaml" "people-3000/$d" 5
done
[ -x build/tests/test_names ] || make -s build/tests/test_names >/dev/null
NAMES_REPORT=1 build/tests/test_names 2>/dev/null | sed -n 's/^dative hit rate/names: dative hit rate/p'
# generated regulations of about 75, 150 and 300 pages with a table of
# contents (issue 10): time and memory grow linearly with pages
for sections in 15 30 60; do
    tests/stress/text300.sh "$TMP/text-$sections" "$sections"
    bench_one "$TMP/text-$sections/text300.yaml" "stress/text-$sections-sections" 5
done
# 100 orders in one batch call (one process, one dictionary); each prints
# the roadmap as its annex, which is one more document of the folder
mkdir -p "$TMP/batch" "$TMP/batch-out"
cp samples/sh2-nao/school.yaml samples/sh2-nao/roadmap-2023.yaml "$TMP/batch/"
n=1
while [ $n -le 100 ]; do
    sed "s/^  number: \"443\"/  number: \"$n\"/" samples/sh2-nao/order-443.yaml >"$TMP/batch/order-$n.yaml"
    n=$((n + 1))
done
set -- $(build/tools/timeit 5 ./nastavdoc batch "$TMP/batch" -o "$TMP/batch-out")
awk -v ms="$1" -v kb="$3" -v n="$(find "$TMP/batch-out" -name 'order-*.pdf' | wc -l)" \
    'BEGIN { printf "%-32s %9.2f %9.2f %9s %6s\n", "batch: " n " orders+annex", ms, kb / 1024, "-", "-" }'
# the pathological inputs of issue 7 (tests/stress/patho.sh): time, peak
# memory and bytes of messages, once each; each must stay within 1 GiB
mkdir -p "$TMP/patho"
tests/stress/patho.sh "$TMP/patho"
printf '%-32s %9s %9s %9s %6s\n' "pathological input" "ms" "MiB" "stderr" exit
while read -r name want args; do
    t0=$(date +%s%N)
    (cd "$TMP/patho" && /usr/bin/time -f '%M' -o "$TMP/rss" "$OLDPWD/nastavdoc" $args) \
        >/dev/null 2>"$TMP/err" && rc=0 || rc=$?
    t1=$(date +%s%N)
    awk -v n="$name" -v us=$(((t1 - t0) / 1000)) -v kb="$(tail -n 1 "$TMP/rss")" \
        -v e="$(wc -c <"$TMP/err")" -v rc="$rc" -v w="$want" \
        'BEGIN { printf "%-32s %9.2f %9.2f %9d %6s\n", n, us / 1000, kb / 1024, e, rc (rc == w ? "" : "!") }'
done <"$TMP/patho/LIST"
# issue 11: a survey report of 50,000 responses (25,000 mentees before and
# after, two CSV files of 3.9 and 2.5 MB, scripts/gen-survey.sh) and the
# same report with the responses left out (what loading the CSV files costs
# alone). Target: under 1 s and 64 MiB. Measured 2026-12-01 on the shared
# 2-core machine at load average 3-4.7, median of 5, paired with the build
# before: 50,000 responses 0.65 s wall (0.49 s CPU), 56.4 MiB (was 0.85 s,
# 0.64 s CPU, 82.5 MiB); the CSV files loaded and not counted: 0.60 s,
# 55.7 MiB. The node tree of the CSV rows is the memory: 770,000 answers, a
# 40-byte yl_node and a 16-byte pair each (45 MB), their texts stored once
# per distinct value (csv_load.c), and the files' texts kept for the
# messages' quotes (6.5 MB, diag); counting the answers adds under 1 MiB
# (src/survey_tally.c keeps counts per value, not answers).
mkdir -p "$TMP/survey"
scripts/gen-survey.sh "$TMP/survey" 25000 10 >/dev/null
cp samples/kez-survey/school.yaml samples/kez-survey/surveys-kez.yaml samples/kez-survey/report-2024.yaml "$TMP/survey/"
awk '/^  responses:$/ { skip = 1; next } /^  parts:$/ { skip = 0 } !skip' "$TMP/survey/report-2024.yaml" |
    grep -v -e '- survey: ment' -e 'from: {survey' -e '(опросный:' >"$TMP/survey/load-only.yaml"
bench_one "$TMP/survey/report-2024.yaml" "survey: 50,000 responses" 5
bench_one "$TMP/survey/load-only.yaml" "survey: CSV loaded, not counted" 5
speed_section
echo "(median of $RUNS runs, timed around fork and wait by build/tools/timeit)"

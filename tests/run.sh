#!/bin/sh
# The test driver: unit tests, every sample end to end, every bad input.
# Usage: tests/run.sh BUILD_DIR   (build or build/san). Ends with "N passed, N failed".
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/$BUILD/nastavdoc"
TMP=$(mktemp -d /tmp/nastavdoc-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

cd "$ROOT" || exit 3

# 1. unit tests (cmocka), one binary per module
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    if "$t" >"$TMP/unit.log" 2>&1; then ok; else bad "$t"; cat "$TMP/unit.log"; fi
done

# normalise pdftotext output: join words hyphenated at line ends, one space
flat() {
    pdftotext -enc UTF-8 "$1" - | tr '\n\f' '  ' | sed 's/\([[:alpha:]]\)- \([[:lower:]]\)/\1\2/g; s/[[:space:]  ]\+/ /g'
}
# the same with no spaces and no hyphens or dashes at all: a text compared in
# this form survives line breaks, hyphenation and the typographer's dashes
NBSP=$(printf '\302\240')
bare() {
    tr -d ' \t\n\r' | sed "s/$NBSP//g; s/-//g; s/‐//g; s/–//g; s/—//g; s/−//g"
}
# pdftotext -raw without the page numbers (drawn first on each page: "\f2")
raw_text() {
    pdftotext -raw -enc UTF-8 "$1" - | sed "/^$(printf '\f')[0-9]*\$/d"
}

# 2. samples: render, render again (same bytes), under a Russian locale (same
# bytes), qpdf --check, every font embedded, the key lines come back
check_doc() {
    doc=$1
    name=$(basename "$doc" .yaml)
    dir=$(basename "$(dirname "$doc")")
    out="$TMP/$dir-$name.pdf"
    # render runs the layout self-check: a glyph outside its cell or the
    # margins is an error (exit 3)
    if ! "$BIN" render "$doc" -o "$out" 2>"$TMP/err"; then
        bad "render $doc"; cat "$TMP/err"; return
    fi
    ok
    "$BIN" render "$doc" -o "$out.2" 2>/dev/null
    if cmp -s "$out" "$out.2"; then ok; else bad "$doc: two renders differ"; fi
    if LC_ALL=ru_RU.UTF-8 "$BIN" render "$doc" -o "$out.3" 2>/dev/null && cmp -s "$out" "$out.3"; then
        ok
    else
        bad "$doc: output differs under LC_ALL=ru_RU.UTF-8"
    fi
    if qpdf --check "$out" >/dev/null 2>&1; then ok; else bad "$doc: qpdf --check"; fi
    if pdffonts "$out" 2>/dev/null | tail -n +3 | awk '$(NF-4) != "yes" { bad = 1 } END { exit bad }'; then
        ok
    else
        bad "$doc: a font is not embedded"; pdffonts "$out"
    fi
    # every text of the document comes back from the PDF (pdftotext -raw
    # keeps our drawing order: cell by cell)
    raw_text "$out" | bare >"$TMP/bare"
    "$BIN" dump "$doc" >"$TMP/dump" 2>/dev/null
    # the repeated header of a table interrupts a row cut by a page: compare
    # against the text without those repeats as well
    head=$(sed -n 's/^header	//p' "$TMP/dump" | bare)
    if [ -n "$head" ]; then
        awk -v h="$head" '{ first = index($0, h); if (first) { rest = substr($0, first + length(h)); gsub(h, "", rest); $0 = substr($0, 1, first - 1 + length(h)) rest } print }' "$TMP/bare" >"$TMP/bare2"
    else
        cp "$TMP/bare" "$TMP/bare2"
    fi
    lost=0
    while IFS= read -r line; do
        want=$(printf '%s' "${line#header	}" | bare)
        [ -n "$want" ] || continue
        grep -qF -- "$want" "$TMP/bare" || grep -qF -- "$want" "$TMP/bare2" ||
            { lost=$((lost + 1)); [ $lost -le 3 ] && echo "  lost: $line"; }
    done <"$TMP/dump"
    if [ -s "$TMP/dump" ] && [ $lost = 0 ]; then ok; else bad "$doc: $lost texts not found in the PDF"; fi
    # a table's header row is on every page the table continues on
    if [ -n "$head" ]; then
        pages=$(pdfinfo "$out" | sed -n 's/^Pages: *//p')
        first=0 missing=0
        for pg in $(seq 1 "$pages"); do
            if pdftotext -raw -f "$pg" -l "$pg" "$out" - | bare | grep -qF -- "$head"; then
                [ $first = 0 ] && first=$pg
            elif [ $first != 0 ]; then
                missing=1
            fi
        done
        if [ $first != 0 ] && [ $missing = 0 ]; then ok; else bad "$doc: header not on every table page"; fi
    fi
    lines="tests/samples/$dir-$name.lines"
    if [ -f "$lines" ]; then
        flat "$out" >"$TMP/text"
        missing=0
        while IFS= read -r line; do
            [ -n "$line" ] || continue
            grep -qF -- "$line" "$TMP/text" || { missing=1; echo "  missing: $line"; }
        done <"$lines"
        if [ $missing = 0 ]; then ok; else bad "$doc: text not found in the PDF"; fi
    fi
}
for doc in samples/*/*.yaml tests/docs/*.yaml; do
    grep -q '^document:' "$doc" || continue
    check_doc "$doc"
done

# 2b. stress tables (tests/stress/gen.sh): 2,000 rows, a 400-letter word, a
# row taller than a page, one and twelve columns, empty cells, groups
mkdir -p "$TMP/stress"
tests/stress/gen.sh "$TMP/stress"
for doc in "$TMP"/stress/*.yaml; do
    grep -q '^document:' "$doc" || continue
    check_doc "$doc"
done

# 3. bad inputs: tests/bad/<case>/doc.yaml + expect (exit:, message:, args:, keep:)
for case in tests/bad/*/; do
    c=$(basename "$case")
    exp="$case/expect"
    [ -f "$exp" ] || { bad "$c: no expect file"; continue; }
    want_exit=$(sed -n 's/^exit: //p' "$exp")
    args=$(sed -n 's/^args: //p' "$exp")
    keep=$(sed -n 's/^keep: //p' "$exp")
    [ -n "$args" ] || args="render doc.yaml -o $TMP/bad-$c.pdf"
    args=$(printf '%s' "$args" | sed "s#\$TMP#$TMP#g")
    if [ -n "$keep" ]; then
        keep=$(printf '%s' "$keep" | sed "s#\$TMP#$TMP#g")
        printf 'old pdf\n' >"$keep"
    fi
    (cd "$case" && eval "\"$BIN\" $args") >"$TMP/out" 2>"$TMP/err"
    got=$?
    if [ "$got" != "$want_exit" ]; then
        bad "$c: exit $got, expected $want_exit"; cat "$TMP/err"; continue
    fi
    missing=0
    while IFS= read -r m; do
        grep -qF -- "$m" "$TMP/err" || { missing=1; echo "  $c: message lacks: $m"; }
    done <<EOF
$(sed -n 's/^message: //p' "$exp")
EOF
    if [ $missing = 0 ]; then ok; else bad "$c: message"; cat "$TMP/err"; fi
    if grep -q 'AddressSanitizer\|runtime error\|LeakSanitizer' "$TMP/err"; then
        bad "$c: sanitizer report"; cat "$TMP/err"
    fi
    if ls "$TMP"/bad-"$c".pdf* >/dev/null 2>&1; then bad "$c: a PDF was written"; fi
    ls "$case" | grep -q '\.tmp' && bad "$c: temporary file left in the dossier"
    if [ -n "$keep" ]; then
        if [ "$(cat "$keep")" = "old pdf" ]; then ok; else bad "$c: the old PDF was replaced"; fi
    fi
done

# 3b. fuzz reproducers (tests/fuzz/README.md): each file of
# tests/fuzz/regress/doc/ is rendered, each of tests/fuzz/regress/template/
# is rendered as --template of the two documents the template harness reads,
# within 1 GiB (ulimit -v; ASan's hard_rss_limit_mb for a sanitized program,
# which cannot run under ulimit -v) and 60 s: no crash, no sanitizer report,
# no internal error (exit 3), no raw control byte and at most 256 KiB + 64
# bytes per input byte on stderr. With FUZZ_BIN=build/fuzz (make asan-clang)
# the libFuzzer harnesses replay them too, with every strict property on. A
# name listed in tests/fuzz/regress/KNOWN is an open finding: its failure
# shows as XFAIL and is not counted.
FZ_MB=1024
FZ_SECS=60
fz_san=0
nm "$BIN" 2>/dev/null | grep -q __asan_init && fz_san=1
fz_limited() {
    if [ $fz_san = 1 ]; then
        ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:hard_rss_limit_mb=$FZ_MB" timeout -s KILL $FZ_SECS "$@"
    else
        (ulimit -v $((FZ_MB * 1024)) && exec timeout -s KILL $FZ_SECS "$@")
    fi
}
fz_check() { # NAME EXIT INPUT: the exit code and $TMP/err of one replay
    if [ "$2" -lt 3 ] && ! grep -q 'AddressSanitizer\|runtime error\|LeakSanitizer\|libFuzzer' "$TMP/err" &&
        ! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$TMP/err" &&
        [ "$(wc -c <"$TMP/err")" -le $((262144 + 64 * $(wc -c <"$3"))) ]; then
        ok
    elif grep -qx -- "$1" tests/fuzz/regress/KNOWN; then
        echo "XFAIL: $1 (exit $2, open finding)"
    else
        bad "fuzz reproducer $1: exit $2"; head -c 2000 "$TMP/err" | cat -v
    fi
}
for f in tests/fuzz/regress/doc/* tests/fuzz/regress/template/*; do
    [ -f "$f" ] || continue
    h=$(basename "$(dirname "$f")")
    name=$h/$(basename "$f")
    if [ "$h" = doc ]; then
        fz_limited "$BIN" render "$f" -o "$TMP/fuzz.pdf" >/dev/null 2>"$TMP/err"
        fz_check "$name" $? "$f"
    else
        for data in tests/docs/order-annex-table.yaml samples/bratsk/schedule-pedagog.yaml; do
            fz_limited "$BIN" render "$data" --template "$f" -o "$TMP/fuzz.pdf" >/dev/null 2>"$TMP/err"
            fz_check "$name" $? "$f"
        done
    fi
    if [ -n "${FUZZ_BIN:-}" ]; then
        NASTAVDOC_FUZZ_STRICT=1 "$FUZZ_BIN/fuzz_$h" -rss_limit_mb=$FZ_MB -malloc_limit_mb=$FZ_MB -timeout=$FZ_SECS "$f" >"$TMP/err" 2>&1
        fz_check "$name" $(($? == 0 ? 0 : 3)) "$f"
    fi
done

# 4. command line
if "$BIN" --help | grep -q 'Пример'; then ok; else bad "--help has no example"; fi
if "$BIN" --version | grep -q '^nastavdoc [0-9]'; then ok; else bad "--version"; fi
"$BIN" frobnicate >/dev/null 2>&1
if [ $? = 2 ]; then ok; else bad "unknown command must exit 2"; fi
"$BIN" render >/dev/null 2>&1
if [ $? = 2 ]; then ok; else bad "render without a file must exit 2"; fi

# check: every sample and shared file is fine; errors of several files are
# all reported
if "$BIN" check samples/*/*.yaml tests/docs/*.yaml 2>"$TMP/err"; then ok; else bad "check samples"; cat "$TMP/err"; fi
"$BIN" check tests/bad/syntax/doc.yaml tests/bad/unknown-key/doc.yaml 2>"$TMP/err"
if [ $? = 1 ] && grep -q 'syntax/doc.yaml:5:7' "$TMP/err" && grep -q 'unknown-key/doc.yaml:9:3' "$TMP/err"; then
    ok
else
    bad "check must report the errors of every file"; cat "$TMP/err"
fi

# under a Russian locale the system's error texts are Russian too
LC_ALL=ru_RU.UTF-8 "$BIN" render samples/sh2-nao/order-443.yaml -o /nonexistent/x.pdf 2>"$TMP/err"
if grep -q 'Нет такого файла или каталога' "$TMP/err"; then ok; else bad "strerror not in Russian"; cat "$TMP/err"; fi

# batch: every document of the sample folders, in two processes; the same
# bytes as one render; a bad document makes the exit code 1
mkdir -p "$TMP/batch"
if "$BIN" batch samples/* -o "$TMP/batch" -j 2 2>"$TMP/err"; then ok; else bad "batch samples"; cat "$TMP/err"; fi
want=$(grep -l '^document:' samples/*/*.yaml | wc -l)
if [ "$(ls "$TMP/batch" | wc -l)" = "$want" ]; then ok; else bad "batch: expected $want PDFs"; fi
"$BIN" render samples/sh2-nao/order-443.yaml -o "$TMP/one.pdf" 2>/dev/null
if cmp -s "$TMP/one.pdf" "$TMP/batch/sh2-nao-order-443.pdf"; then ok; else bad "batch output differs from render"; fi
"$BIN" batch tests/bad/emoji -o "$TMP/batch" >/dev/null 2>&1
if [ $? = 1 ]; then ok; else bad "batch with a bad document must exit 1"; fi

# the code is formatted as .clang-format says (make format rewrites it)
if command -v clang-format >/dev/null 2>&1; then
    if clang-format --dry-run -Werror src/*.c src/*.h src/kinds/*.c tests/unit/*.c 2>"$TMP/fmt"; then
        ok
    else
        bad "clang-format: run make format"; head -20 "$TMP/fmt"
    fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

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
    # a guard against a hang (a signal test whose child never dies), not a
    # speed target: the slowest unit test takes seconds
    if timeout 600 "$t" >"$TMP/unit.log" 2>&1; then ok; else bad "$t"; cat "$TMP/unit.log"; fi
done

# the hyphen a line break adds is drawn as U+00AD (docs/typesetting.md §3)
SHY=$(printf '\302\255')
# normalise pdftotext output: join words hyphenated at line ends, one space
flat() {
    pdftotext -enc UTF-8 "$1" - | tr '\n\f' '  ' | sed "s/$SHY //g" | sed 's/\([[:alpha:]]\)- \([[:lower:]]\)/\1-\2/g; s/[[:space:]  ]\+/ /g'
}
# the same with no spaces, hyphens, dashes or quotes at all: a text compared in
# this form survives line breaks, hyphenation and the typographer's dashes and
# quotes ("…" typed, «…» printed)
NBSP=$(printf '\302\240')
bare() {
    tr -d ' \t\n\r' | bare_lines
}
# bare() for each line on its own: one pass over a whole file, the line breaks
# (and the page breaks) kept
bare_lines() {
    tr -d ' \t\r' | sed "s/$NBSP//g; s/$SHY//g; s/-//g; s/‐//g; s/–//g; s/—//g; s/−//g; s/[\"«»„“”]//g"
}
# pdftotext -raw (a file written by it) without the page numbers (drawn first
# on each page: "\f2")
raw_text() {
    sed "/^$(printf '\f')[0-9]*\$/d" "$1"
}

# The text layer (docs/pdfa.md): poppler prints nothing on stderr, every
# font has a ToUnicode map (pdffonts: uni yes), no soft hyphen and no
# ligature comes out, and no compound of the document comes out glued
# («психологопедагогической»: its own hyphen at a line end taken for a
# hyphenation hyphen). Compounds and letters are matched as UTF-8 bytes, so
# the check does not depend on the locale.
CYR=$(printf '(\320[\200-\277]|\321[\200-\237])')
check_text_layer() {
    pdftotext -enc UTF-8 "$1" "$TMP/layer.txt" 2>"$TMP/poppler.err"
    pdffonts "$1" >"$TMP/fonts" 2>>"$TMP/poppler.err"
    if [ -s "$TMP/poppler.err" ]; then bad "$2: poppler warns"; head -3 "$TMP/poppler.err"; else ok; fi
    if [ "$(tail -n +3 "$TMP/fonts" | awk '$(NF-2) != "yes"' | wc -l)" = 0 ]; then
        ok
    else
        bad "$2: a font without ToUnicode (pdffonts uni)"; cat "$TMP/fonts"
    fi
    if LC_ALL=C grep -q -F -e "$(printf '\302\255')" -e "$(printf '\357\254\200')" -e "$(printf '\357\254\201')" \
        -e "$(printf '\357\254\202')" -e "$(printf '\357\254\203')" -e "$(printf '\357\254\204')" "$TMP/layer.txt"; then
        bad "$2: a soft hyphen or a ligature in the text layer"
    else
        ok
    fi
    "$BIN" dump "$2" >"$TMP/layer.dump" 2>/dev/null
    LC_ALL=C grep -o -E "$CYR+(-$CYR+)+" "$TMP/layer.dump" | LC_ALL=C sort -u >"$TMP/compounds"
    LC_ALL=C awk -v text="$TMP/layer.txt" -v dump="$TMP/layer.dump" '
        function count(s, w,   n, i) { n = 0; while ((i = index(s, w)) > 0) { n++; s = substr(s, i + length(w)) } return n }
        BEGIN { while ((getline l <text) > 0) t = t l "\n"; while ((getline l <dump) > 0) d = d l "\n" }
        { g = $0; gsub(/-/, "", g); if (count(t, g) > count(d, g)) print }' "$TMP/compounds" >"$TMP/glued"
    if [ -s "$TMP/glued" ]; then
        bad "$2: compounds glued in pdftotext: $(tr '\n' ' ' <"$TMP/glued")"
    else
        ok
    fi
}

# 2. samples: render, render again (same bytes), under a Russian locale (same
# bytes), qpdf --check, every font embedded, the key lines come back
check_doc() {
    doc=$1
    name=$(basename "$doc" .yaml)
    dir=$(basename "$(dirname "$doc")")
    out="$TMP/$dir-$name.pdf"
    # an agreement makes one PDF per partner: the first, as dump shows it
    one=""
    grep -q '^document: agreement' "$doc" && one="--partner 1"
    # render runs the layout self-check: a glyph outside its cell or the
    # margins is an error (exit 3)
    if ! "$BIN" render "$doc" $one -o "$out" 2>"$TMP/err"; then
        bad "render $doc"; cat "$TMP/err"; return
    fi
    ok
    "$BIN" render "$doc" $one -o "$out.2" 2>/dev/null
    if cmp -s "$out" "$out.2"; then ok; else bad "$doc: two renders differ"; fi
    if LC_ALL=ru_RU.UTF-8 "$BIN" render "$doc" $one -o "$out.3" 2>/dev/null && cmp -s "$out" "$out.3"; then
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
    check_text_layer "$out" "$doc"
    # every text of the document comes back from the PDF (pdftotext -raw
    # keeps our drawing order: cell by cell)
    # one pdftotext for the whole file: a page ends with "\f"
    pdftotext -raw -enc UTF-8 "$out" "$TMP/raw"
    raw_text "$TMP/raw" | bare >"$TMP/bare"
    "$BIN" dump "$doc" >"$TMP/dump" 2>/dev/null
    # the repeated header of a table interrupts a row cut by a page: compare
    # against the text without those repeats as well
    head=$(sed -n 's/^header	//p' "$TMP/dump" | bare)
    if [ -n "$head" ]; then
        awk -v h="$head" '{ first = index($0, h); if (first) { rest = substr($0, first + length(h)); gsub(h, "", rest); $0 = substr($0, 1, first - 1 + length(h)) rest } print }' "$TMP/bare" >"$TMP/bare2"
    else
        cp "$TMP/bare" "$TMP/bare2"
    fi
    # each dump line, in the bare form, is a substring of the bare text or of
    # the text without the repeats; one awk for all lines (a 2,000-row table
    # has 8,000 of them)
    sed 's/^header	//' "$TMP/dump" | bare_lines >"$TMP/want"
    # a table row may break across pages: the text of a cell cut by a page
    # comes back in pieces (the other cells' first parts, the page number and
    # the repeated header stand between): a piece per page, up to sixteen, of at least
    # eight bytes, each the longest prefix of the rest found in the text
    awk -v a="$TMP/bare" -v b="$TMP/bare2" -v want="$TMP/want" '
        function pieces(t, w, left,    lo, hi, mid) {
            if (index(t, w))
                return 1
            if (left == 0)
                return 0
            lo = 0; hi = length(w) - 1
            while (lo < hi) {
                mid = int((lo + hi + 1) / 2)
                if (index(t, substr(w, 1, mid))) lo = mid; else hi = mid - 1
            }
            return lo >= 8 && pieces(t, substr(w, lo + 1), left - 1)
        }
        BEGIN {
            while ((getline l <a) > 0) ta = ta l "\n"
            while ((getline l <b) > 0) tb = tb l "\n"
        }
        {
            if ((getline w <want) <= 0) w = ""
            if (w != "" && !pieces(ta, w, 15) && !pieces(tb, w, 15)) print
        }' "$TMP/dump" >"$TMP/lost"
    lost=$(wc -l <"$TMP/lost")
    head -n 3 "$TMP/lost" | sed 's/^/  lost: /'
    if [ -s "$TMP/dump" ] && [ "$lost" = 0 ]; then ok; else bad "$doc: $lost texts not found in the PDF"; fi
    # a table's header row is on every page the table continues on: from the
    # first page that has it to the last page (documents with one table that
    # ends them: not a report, with many tables and charts between them, nor
    # a text or an agreement, whose tables stand inside the text)
    runs=$(awk '/^header\t/ { if (!inrun) n++; inrun = 1; next } { inrun = 0 } END { print n + 0 }' "$TMP/dump")
    if [ -n "$head" ] && [ "$runs" = 1 ] && ! grep -q '^document: \(text\|agreement\)' "$doc"; then
        pages=$(pdfinfo "$out" | sed -n 's/^Pages: *//p')
        if bare_lines <"$TMP/raw" | H=$head awk -v RS='\f' -v pages="$pages" '
            { gsub(/\n/, ""); has[NR] = (index($0, ENVIRON["H"]) > 0) }
            END {
                first = 0
                for (pg = 1; pg <= pages; pg++)
                    if (has[pg]) { if (!first) first = pg }
                    else if (first) exit 1
                exit !first
            }'; then
            ok
        else
            bad "$doc: header not on every table page"
        fi
    fi
    # whole lines: each line of the .rawlines file is one printed line (a
    # line break the author chose, a stamp's line, a list label)
    rawlines="tests/samples/$dir-$name.rawlines"
    if [ -f "$rawlines" ]; then
        missing=0
        while IFS= read -r line; do
            [ -n "$line" ] || continue
            grep -qxF -- "$line" "$TMP/raw" || { missing=1; echo "  missing line: $line"; }
        done <"$rawlines"
        if [ $missing = 0 ]; then ok; else bad "$doc: a line is not printed whole"; fi
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

# 2c. a dossier of 3,000 people and 1,500 pairs (tests/stress/people.sh):
# both bases and the pairs order render (issue 9)
mkdir -p "$TMP/people"
tests/stress/people.sh "$TMP/people" 3000
for doc in "$TMP"/people/people-*.yaml; do
    check_doc "$doc"
done
# 2c. issue 10: texts and agreements (tests/texts/)
for doc in tests/texts/*.yaml tests/texts/partners/agreement.yaml; do
    grep -q '^document:' "$doc" && check_doc "$doc"
done
# clause numbers generated (1., 1.1., 1.1.1.) and given (printed as typed, counted on)
"$BIN" dump tests/texts/numbering.yaml >"$TMP/num" 2>&1
want='1. Первый|1.1. Пункт один.|1.5. Пункт с номером.|1.6. Следующий пункт:|1.6.1. Подпункт.|1.6.2. Ещё подпункт.|7. Второй|7.1. Подраздел|7.1.1. Пункт подраздела.|1. Первое.|2. Второе.|8. Третий|Приложение 1'
if [ "$(grep -E '^([0-9.]+ |Приложение)' "$TMP/num" | tr '\n' '|' | sed 's/|$//')" = "$want" ]; then
    ok
else
    bad "numbering: generated and given numbers"; cat "$TMP/num"
fi
"$BIN" dump tests/texts/typed.yaml >"$TMP/num" 2>&1
if grep -qx 'Пункт без номера.' "$TMP/num" && grep -qx 'а) Пункт «а».' "$TMP/num" &&
    grep -qx 'II. С номером' "$TMP/num" && grep -qx 'Без номера' "$TMP/num"; then
    ok
else
    bad "numbering: typed"; cat "$TMP/num"
fi
# an agreement without a date has blanks to fill by hand; with one, the date;
# clause changes: added before 2.4, 3.4 dropped, 3.6 replaced, counted again
"$BIN" dump samples/kmt/agreement.yaml >"$TMP/ag" 2>&1
if grep -qx '«____» ______________ 20____ г.' "$TMP/ag"; then ok; else bad "agreement: no blanks without a date"; fi
"$BIN" dump tests/texts/agreement-dated.yaml >"$TMP/ag" 2>&1
if grep -qx "1${NBSP}сентября 2023${NBSP}г." "$TMP/ag" && ! grep -q '____» ___' "$TMP/ag" &&
    grep -qx '2.4. Новый пункт о стажировках:' "$TMP/ag" &&
    grep -q '^2.5. Образовательная организация принимает' "$TMP/ag" &&
    grep -q '^3.4. Настоящее Соглашение может быть изменено' "$TMP/ag" &&
    grep -qx '3.5. Соглашение действует бессрочно.' "$TMP/ag" && ! grep -q '^3.6' "$TMP/ag"; then
    ok
else
    bad "agreement: date or clause changes"; cat "$TMP/ag"
fi
# 4,000 changes before one clause: each used to copy its section's list into
# the arena, so memory grew with their square (262 MiB; 4 GiB and 31 s for
# 16,000). Now read once and sorted: under ulimit -v 60000 (ASan cannot run
# under ulimit -v)
case $BUILD in
*san*) ;;
*)
    rm -rf "$TMP/agk" && cp -r samples/kmt "$TMP/agk"
    {
        sed -n '1,/^  until:/p' samples/kmt/agreement.yaml
        echo '  clauses:'
        awk 'BEGIN { for (i = 1; i <= 4000; i++) printf "    - add: \"2.4\"\n      text: \"Пункт %d.\"\n", i }'
    } >"$TMP/agk/many.yaml"
    (ulimit -v 60000 && "$BIN" dump "$TMP/agk/many.yaml") >"$TMP/ag" 2>&1
    if grep -qx '2.4. Пункт 1.' "$TMP/ag" && grep -qx '2.4003. Пункт 4000.' "$TMP/ag" &&
        grep -q '^2.4004. Образовательная организация принимает' "$TMP/ag"; then
        ok
    else
        bad "agreement: 4,000 clause changes in bounded memory"; tail -3 "$TMP/ag"
    fi
    ;;
esac
# «в лице кого» from the signer's position and name, declined by names.c
"$BIN" dump tests/texts/agreement-genitive.yaml >"$TMP/ag" 2>&1
if grep -q "в лице директора Петрова П.${NBSP}П., действующего на основании Устава" "$TMP/ag" ||
    grep -q "в лице директора Петрова${NBSP}П.П., действующего на основании Устава" "$TMP/ag"; then
    ok
else
    bad "agreement: the school's «в лице» from school.director"; grep 'в лице' "$TMP/ag"
fi
if grep -q "в лице генерального директора Кузнецовой${NBSP}А.П., действующей на основании" "$TMP/ag"; then
    ok
else
    bad "agreement: the partner's «в лице» from position and head"; grep 'в лице' "$TMP/ag"
fi
# one PDF per partner, names safe and unique (Latin or Cyrillic), --partner
P="$TMP/partners"
mkdir -p "$P/lat" "$P/cyr" "$P/one"
"$BIN" render tests/texts/partners/agreement.yaml -o "$P/lat/dog.pdf" 2>"$TMP/err" || { bad "partners render"; cat "$TMP/err"; }
if [ "$(cd "$P/lat" && ls | tr '\n' ' ')" = "dog-ip-ivanov-etc.pdf dog-ooo-romashka-2.pdf dog-ooo-romashka.pdf " ]; then
    ok
else
    bad "partners: Latin file names"; ls "$P/lat"
fi
"$BIN" render tests/texts/partners/agreement.yaml -o "$P/cyr/согл.pdf" --names cyrillic 2>/dev/null
if [ "$(cd "$P/cyr" && ls | tr '\n' ' ')" = "согл-ип-иванов-etc.pdf согл-ооо-ромашка-2.pdf согл-ооо-ромашка.pdf " ]; then
    ok
else
    bad "partners: Cyrillic file names"; ls "$P/cyr"
fi
# each PDF is its partner's: the INN of the second «Ромашка» is in the -2 file only
if pdftotext "$P/lat/dog-ooo-romashka-2.pdf" - | grep -q 2222222222 &&
    ! pdftotext "$P/lat/dog-ooo-romashka.pdf" - | grep -q 2222222222; then
    ok
else
    bad "partners: a PDF holds another partner's data"
fi
"$BIN" render tests/texts/partners/agreement.yaml -o "$P/one/x.pdf" --partner "ООО Ромашка" 2>/dev/null
"$BIN" render tests/texts/partners/agreement.yaml -o "$P/one/y.pdf" --partner 3 2>/dev/null
if [ "$(ls "$P/one" | tr '\n' ' ')" = "x.pdf y.pdf " ] && pdftotext "$P/one/y.pdf" - | grep -q 'ИП Иванов'; then
    ok
else
    bad "partners: --partner"; ls "$P/one"
fi
"$BIN" render tests/texts/partners/agreement.yaml -o "$P/one/z.pdf" --partner "нет такого" 2>"$TMP/err"
if [ $? = 2 ] && grep -q 'нет среди 3 партнёров' "$TMP/err" && [ ! -e "$P/one/z.pdf" ]; then ok; else bad "partners: unknown --partner"; cat "$TMP/err"; fi
"$BIN" render tests/texts/partners/agreement.yaml -o - >/dev/null 2>"$TMP/err"
if [ $? = 2 ] && grep -q 'стандартный вывод один' "$TMP/err"; then ok; else bad "partners: -o - with three partners"; cat "$TMP/err"; fi
# the signature block of the agreement: on the page of the last clause, whole
for f in "$P"/lat/*.pdf; do
    pg=$(pdftotext -layout "$f" - | awk -v RS='\f' '/Юридические адреса/ { print NR }')
    if pdftotext -f "$pg" -l "$pg" "$f" - | grep -c 'М.П.' | grep -qx 2 &&
        pdftotext -f "$pg" -l "$pg" "$f" - | grep -q '^3\.6\. '; then
        ok
    else
        bad "agreement: signature block split from the last clause ($f)"
    fi
done
# a generated regulation of about 300 pages renders; no page ends with a
# section heading (pdftotext: the last line of each page)
tests/stress/text300.sh "$TMP/t300"
if "$BIN" render "$TMP/t300/text300.yaml" -o "$TMP/t300.pdf" 2>"$TMP/err"; then ok; else bad "300-page regulation"; cat "$TMP/err"; fi
pages=$(pdfinfo "$TMP/t300.pdf" | sed -n 's/^Pages: *//p')
if [ "${pages:-0}" -ge 250 ]; then ok; else bad "300-page regulation: $pages pages"; fi
if pdftotext -layout "$TMP/t300.pdf" - | awk -v RS='\f' '
    { n = split($0, l, "\n"); last = ""
      for (i = n; i > 0; i--) if (l[i] ~ /[^ ]/) { last = l[i]; break }
      if (last ~ /^ *[0-9]+\. Раздел о наставничестве/ && last !~ /\. \. \./) { print NR ": " last; bad = 1 } }
    END { exit bad }'; then
    ok
else
    bad "300-page regulation: a page ends with a heading"
fi

# a filtered base leaves out the pairs outside its form and dates: Зорин's
# pair starts in January, Ившина's is «педагог – педагог»
"$BIN" render samples/kez/registry-pupils-autumn.yaml -o "$TMP/autumn.pdf" 2>/dev/null
if pdftotext "$TMP/autumn.pdf" - 2>/dev/null | grep -q 'Баженов' &&
    ! pdftotext "$TMP/autumn.pdf" - | grep -q 'Зорин\|Ившина'; then
    ok
else
    bad "registry filters: a pair outside the form or the dates is listed"
fi

# check of a dossier folder: a problem of a shared pairs.yaml, met through
# both documents including it, is shown once (diag holds a message once)
n=$("$BIN" check --strict tests/bad/people-check-folder/dossier 2>&1 | grep -c 'ошибка: ')
if [ "$n" = 2 ]; then ok; else bad "check of a folder: $n errors shown, expected 2"; fi

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
# is rendered as --template of the two documents the template harness reads
# (tests/fuzz/regress/compiled/ holds compiled template files, replayed by
# their harness only),
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
for f in tests/fuzz/regress/doc/* tests/fuzz/regress/template/* tests/fuzz/regress/compiled/*; do
    [ -f "$f" ] || continue
    h=$(basename "$(dirname "$f")")
    name=$h/$(basename "$f")
    if [ "$h" = compiled ]; then
        : # a compiled template file: only its harness replays it (and test_yaml_compiled)
    elif [ "$h" = doc ]; then
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

# 3c. the pathological inputs of tests/stress/patho.sh (issue 7, class 2):
# each finishes within 1 GiB with its expected exit code and at most 64 KiB
# of messages (a 10,000-paragraph cell took 2 GB, a tall column title 95 MB
# of stderr, nested each spun for minutes)
mkdir -p "$TMP/patho"
tests/stress/patho.sh "$TMP/patho"
while read -r pname pwant pargs; do
    (cd "$TMP/patho" && fz_limited "$BIN" $pargs) >/dev/null 2>"$TMP/err"
    got=$?
    if [ "$got" = "$pwant" ] && [ "$(wc -c <"$TMP/err")" -le 65536 ] &&
        ! grep -q 'AddressSanitizer\|runtime error\|LeakSanitizer' "$TMP/err"; then
        ok
    else
        bad "pathological input $pname: exit $got (want $pwant), $(wc -c <"$TMP/err") bytes of messages"
        head -c 1000 "$TMP/err"
    fi
done <"$TMP/patho/LIST"
# 33,000 pages (a page tree: libharu's arrays hold 32,767 items, so the flat
# tree failed as an internal error) in bounded memory: each page began with
# room for 64 boxes (20 KB a page; 40,000 pages took 835 MB, now 488 MB).
# Not under ASan (no ulimit -v there)
case $BUILD in
*san*) ;;
*)
    awk 'BEGIN { print "page: {orientation: portrait}\nstyles:\n  body: {size: 12}\nblocks:"
                 for (i = 0; i < 33000; i++) print "  - {paragraph: \"с\"}\n  - {page_break: true}" }' \
        >"$TMP/patho/pages.tpl.yaml"
    (cd "$TMP/patho" && ulimit -v 700000 &&
        "$BIN" render styles-170k.yaml --template pages.tpl.yaml -o pages.pdf) 2>"$TMP/err"
    if [ $? = 0 ] && [ "$(pdfinfo "$TMP/patho/pages.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')" = 33001 ]; then
        ok
    else
        bad "33,000 pages in 700 MB"; head -c 500 "$TMP/err"
    fi
    ;;
esac

# 3d. the shapes of issue 8, measured on the PDF
# y of the top of the first word w on the page (pdftotext -bbox), in points
word_top() {
    pdftotext -f "${3:-1}" -l "${3:-1}" -bbox "$1" - | grep -m1 -F ">$2</word>" | sed 's/.*yMin="\([0-9.]*\)".*/\1/'
}
# an order without a place line keeps the title as far from the date line as
# an order with one (47.9 pt in order 669); without the fix it was 16 pt
"$BIN" render tests/docs/order-shapes.yaml -o "$TMP/shapes.pdf" 2>/dev/null
gap=$(awk -v a="$(word_top "$TMP/shapes.pdf" 09.01.2024)" -v b="$(word_top "$TMP/shapes.pdf" назначении)" 'BEGIN { print b - a }')
if awk -v g="$gap" 'BEGIN { exit !(g > 44 && g < 52) }'; then ok; else bad "order without a place: title $gap pt below the date"; fi

# «С приказом ознакомлены:» stays together: the list does not fit under the
# signature on page 1 (title and two people would), so it goes whole to page 2
"$BIN" render tests/docs/order-acquainted.yaml -o "$TMP/acq.pdf" 2>/dev/null
p1=$(pdftotext -f 1 -l 1 -raw "$TMP/acq.pdf" - 2>/dev/null)
p2=$(pdftotext -f 2 -l 2 -raw "$TMP/acq.pdf" - 2>/dev/null)
if printf '%s' "$p1" | grep -q 'П.П. Петров' && ! printf '%s' "$p1" | grep -q 'ознакомлены' &&
    [ "$(printf '%s\n' "$p2" | grep -c '^.* ________________ «____» ______________ 20____ г.$')" = 6 ] &&
    printf '%s' "$p2" | grep -q '^С приказом ознакомлены:$'; then
    ok
else
    bad "the acquaintance list must move to page 2 whole"; printf '%s\n--\n%s\n' "$p1" "$p2" | tail -12
fi

# an order with a document as its annex: the order's portrait pages, then the
# roadmap on landscape pages with the annex mark on its first one
"$BIN" render samples/bratsk/order-669.yaml -o "$TMP/669.pdf" 2>/dev/null
sizes=$(pdfinfo -f 1 -l 100 "$TMP/669.pdf" | sed -n 's/^Page *\([0-9]*\) size: *\([0-9.]*\) x \([0-9.]*\).*/\2x\3/p' | uniq -c | awk '{ printf "%s:%s ", $1, $2 }')
first_land=$(pdfinfo -f 1 -l 100 "$TMP/669.pdf" | sed -n 's/^Page *\([0-9]*\) size: *841.*/\1/p' | head -1)
if printf '%s' "$sizes" | grep -q '^[0-9]*:595.276x841.89 [0-9]*:841.89x595.276 $' &&
    pdftotext -f "$first_land" -l "$first_land" -raw "$TMP/669.pdf" - | head -4 | tr '\n' ' ' |
    grep -q "^Приложение № 2 к приказу департамента образования администрации г. Братска от 18.10.2021 № 669"; then
    ok
else
    bad "order 669: expected portrait pages, then the landscape annex 2 with its mark (got $sizes)"
fi

# a family no shipped font has is said once, not once per paragraph (the
# order has 11 paragraphs in that style)
(cd tests/bad/font-unknown && "$BIN" render doc.yaml -o "$TMP/font-unknown.pdf") 2>"$TMP/err"
if [ "$(grep -c 'не найден' "$TMP/err")" = 1 ]; then ok; else bad "unknown font family reported $(grep -c 'не найден' "$TMP/err") times"; fi

# 4. command line
# order 443 without its annex (a document of its own folder, roadmap-2023.yaml):
# the order the tests below copy into folders of their own
mkdir -p "$TMP/lone"
LONE="$TMP/lone/order-443.yaml"
sed '/^  annexes:/,$d' samples/sh2-nao/order-443.yaml >"$LONE"
cp samples/sh2-nao/school.yaml "$TMP/lone/"
if "$BIN" --help | grep -q 'Пример'; then ok; else bad "--help has no example"; fi
if "$BIN" --version | grep -q '^nastavdoc [0-9]'; then ok; else bad "--version"; fi
"$BIN" frobnicate >/dev/null 2>&1
if [ $? = 2 ]; then ok; else bad "unknown command must exit 2"; fi
# control bytes from the command line never reach the terminal raw
ESC=$(printf '\033')
"$BIN" "fr${ESC}[31mob" 2>"$TMP/err"
if [ $? = 2 ] && ! grep -q "$ESC" "$TMP/err" && grep -qF 'fr\x1b[31mob' "$TMP/err"; then
    ok
else
    bad "a control byte in a command must be escaped"; od -c "$TMP/err" | head -3
fi
: >"$TMP/out${ESC}x"
"$BIN" batch samples/kez -o "$TMP/out${ESC}x" 2>"$TMP/err"
if [ $? = 2 ] && ! grep -q "$ESC" "$TMP/err"; then ok; else bad "batch: a raw control byte on stderr"; fi
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
# one PDF per document, and per partner for an agreement (NAME-PARTNER.pdf)
lost=""
for d in $(grep -l '^document:' samples/*/*.yaml); do
    rel=${d#samples/}
    base="$TMP/batch/${rel%.yaml}"
    if grep -q '^document: agreement' "$d"; then
        ls "$base"-*.pdf >/dev/null 2>&1 || lost="$lost $rel"
    else
        [ -s "$base.pdf" ] || lost="$lost $rel"
    fi
done
if [ -z "$lost" ]; then ok; else bad "batch: no PDF for$lost"; fi
"$BIN" render samples/sh2-nao/order-443.yaml -o "$TMP/one.pdf" 2>/dev/null
if cmp -s "$TMP/one.pdf" "$TMP/batch/sh2-nao/order-443.pdf"; then ok; else bad "batch output differs from render"; fi
"$BIN" batch tests/bad/emoji -o "$TMP/batch" >/dev/null 2>&1
if [ $? = 1 ]; then ok; else bad "batch with a bad document must exit 1"; fi

# output files (src/outfile.c): what -o may name, and how it is replaced
out_checks() {
    doc=samples/sh2-nao/order-443.yaml
    o="$TMP/outfiles"
    rm -rf "$o"
    mkdir -p "$o/real" "$o/links" "$o/dir"
    "$BIN" render "$doc" -o "$o/direct.pdf" 2>/dev/null
    # a device node: refused before anything is written, the node stays
    # (our own node: a regression must never cost the machine its /dev/null)
    if mknod "$o/null" c 1 3 2>/dev/null; then
        "$BIN" render "$doc" -o "$o/null" >/dev/null 2>"$TMP/err"
        if [ $? = 2 ] && [ -c "$o/null" ] && grep -q 'устройство' "$TMP/err"; then
            ok
        else
            bad "-o at a device node must exit 2 and keep the node"; cat "$TMP/err"
        fi
    fi
    # a FIFO: refused at once, never opened (no reader would make it hang)
    mkfifo "$o/fifo"
    timeout 20 "$BIN" render "$doc" -o "$o/fifo" >/dev/null 2>"$TMP/err"
    if [ $? = 2 ] && [ -p "$o/fifo" ] && grep -q 'канал' "$TMP/err"; then
        ok
    else
        bad "-o at a FIFO must exit 2 at once"; cat "$TMP/err"
    fi
    "$BIN" render "$doc" -o "$o/dir" >/dev/null 2>"$TMP/err"
    if [ $? = 2 ] && [ -d "$o/dir" ] && grep -q 'папка' "$TMP/err"; then
        ok
    else
        bad "-o at a folder must exit 2"; cat "$TMP/err"
    fi
    # a symlink (through a second one, relative, into another folder) is
    # written through: the links stay, the target gets the new PDF
    printf 'old pdf\n' >"$o/real/target.pdf"
    ln -s ../real/target.pdf "$o/links/hop.pdf"
    ln -s hop.pdf "$o/links/link.pdf"
    if "$BIN" render "$doc" -o "$o/links/link.pdf" 2>"$TMP/err" && [ -L "$o/links/link.pdf" ] &&
        [ -L "$o/links/hop.pdf" ] && cmp -s "$o/real/target.pdf" "$o/direct.pdf"; then
        ok
    else
        bad "-o at a symlink must replace its target, not the link"; cat "$TMP/err"; ls -l "$o/links"
    fi
    # a dangling symlink: the target is created, the link stays
    ln -s ../real/new.pdf "$o/links/dangling.pdf"
    if "$BIN" render "$doc" -o "$o/links/dangling.pdf" 2>"$TMP/err" &&
        [ -L "$o/links/dangling.pdf" ] && cmp -s "$o/real/new.pdf" "$o/direct.pdf"; then
        ok
    else
        bad "-o at a dangling symlink must create its target"; cat "$TMP/err"
    fi
    # a name the program made (x.pdf beside x.yaml, batch's PDFs, schema
    # --all's files) is never followed through a symlink: a dossier from
    # elsewhere could plant one at a file of the user's. Refused (exit 2),
    # the link and its target kept.
    mkdir -p "$o/planted/in" "$o/planted/out/in"
    cp "$LONE" samples/sh2-nao/school.yaml "$o/planted/in/"
    printf 'victim\n' >"$o/real/victim"
    ln -s ../../real/victim "$o/planted/in/order-443.pdf"
    ln -s ../real/victim "$o/planted/order.schema.json"
    ln -s ../../../real/victim "$o/planted/out/in/order-443.pdf"
    planted_case() { # name, arguments...
        name=$1
        shift
        "$BIN" "$@" >/dev/null 2>"$TMP/err"
        got=$?
        if [ $got != 0 ] && [ "$(cat "$o/real/victim")" = victim ] &&
            [ -L "$o/planted/in/order-443.pdf" ] && [ -L "$o/planted/out/in/order-443.pdf" ] &&
            grep -q 'имя файла выбрала программа' "$TMP/err"; then
            ok
        else
            bad "$name: a symlink at a name the program made must be refused (exit $got)"; cat "$TMP/err"
        fi
    }
    planted_case "render without -o" render "$o/planted/in/order-443.yaml"
    planted_case "batch" batch "$o/planted/in" -o "$o/planted/out"
    planted_case "schema --all" schema --all "$o/planted"
    # a legal name of 254 bytes: the temporary name stays short
    long=$(printf '%0250d' 0 | tr 0 a).pdf
    if "$BIN" render "$doc" -o "$o/$long" 2>"$TMP/err" && cmp -s "$o/$long" "$o/direct.pdf"; then
        ok
    else
        bad "a 254-byte output name must work"; cat "$TMP/err"
    fi
    # -o - writes the same bytes to standard output
    if "$BIN" render "$doc" -o - >"$o/stdout.pdf" 2>"$TMP/err" && cmp -s "$o/stdout.pdf" "$o/direct.pdf"; then
        ok
    else
        bad "-o - must write the PDF to standard output"; cat "$TMP/err"
    fi
    # ... but not to a terminal (script(1) gives the program one)
    if command -v script >/dev/null 2>&1; then
        script -qec "'$BIN' render $doc -o -" /dev/null >"$TMP/err" 2>&1
        if [ $? = 2 ] && grep -q 'терминал' "$TMP/err"; then
            ok
        else
            bad "-o - on a terminal must exit 2"; cat "$TMP/err"
        fi
    fi
    # no temporary file is left anywhere
    if find "$o" -name '.nastavdoc-*' -o -name '*.tmp*' | grep -q .; then
        bad "a temporary output file was left"; find "$o" -name '.nastavdoc-*' -o -name '*.tmp*'
    else
        ok
    fi
}
out_checks

# a font file missing or broken is an installation problem: exit 3, and the
# message names the file, never the family as present
font_checks() {
    f="$TMP/fontless"
    rm -rf "$f"
    mkdir -p "$f/fonts" "$f/build"
    cp -r templates "$f/"
    cp build/hyph_ru_RU.hyb "$f/build/"
    cp fonts/*.ttf "$f/fonts/"
    rm "$f/fonts/LiberationSerif-Bold.ttf"
    NASTAVDOC_DATA="$f" "$BIN" render samples/sh2-nao/order-443.yaml -o "$TMP/fontless.pdf" 2>"$TMP/err"
    if [ $? = 3 ] && grep -q 'LiberationSerif-Bold.ttf не установлен' "$TMP/err" &&
        ! grep -q 'есть Liberation' "$TMP/err" && [ ! -e "$TMP/fontless.pdf" ]; then
        ok
    else
        bad "a missing font file must exit 3 and name the file"; cat "$TMP/err"
    fi
    cp fonts/LiberationSerif-Bold.ttf "$f/fonts/"
    printf 'not a font' >"$f/fonts/LiberationSerif-Regular.ttf"
    NASTAVDOC_DATA="$f" "$BIN" render samples/sh2-nao/order-443.yaml -o "$TMP/fontless.pdf" 2>"$TMP/err"
    if [ $? = 3 ] && grep -q 'LiberationSerif-Regular.ttf: ошибка: не удалось загрузить шрифт' "$TMP/err" &&
        [ ! -e "$TMP/fontless.pdf" ]; then
        ok
    else
        bad "a broken font file must exit 3"; cat "$TMP/err"
    fi
}
font_checks


# batch mirrors the input tree: nested folders are walked, a-b/c.yaml and
# a/b-c.yaml get different PDFs, the missing output folder is made
N="$TMP/nest"
mkdir -p "$N/in/a-b" "$N/in/a" "$N/in/sub/deeper"
for d in a-b a sub/deeper; do cp samples/sh2-nao/school.yaml "$N/in/$d/"; done
cp "$LONE" "$N/in/a-b/c.yaml"
cp "$LONE" "$N/in/a/b-c.yaml"
cp "$LONE" "$N/in/sub/deeper/o.yaml"
if "$BIN" batch "$N/in" -o "$N/out/new" -j 2 2>"$TMP/err"; then ok; else bad "batch nested"; cat "$TMP/err"; fi
"$BIN" render "$LONE" -o "$TMP/lone.pdf" 2>/dev/null
for p in in/a-b/c in/a/b-c in/sub/deeper/o; do
    if cmp -s "$TMP/lone.pdf" "$N/out/new/$p.pdf"; then ok; else bad "batch nested: $p.pdf"; fi
done
if grep -q 'итог' "$TMP/err" && grep -q 'in/sub/deeper → .*: создано 1' "$TMP/err"; then
    ok
else
    bad "batch: no summary per folder"; cat "$TMP/err"
fi
# two folders of one name would share an output folder; a file and a
# folder would need one path
mkdir -p "$N/out2"
"$BIN" batch "$N/in/a" "$N/in/sub/deeper/../../a" -o "$N/out2" >/dev/null 2>&1
if [ $? = 2 ] && [ -z "$(ls "$N/out2")" ]; then ok; else bad "batch: two folders to one output folder"; fi
mkdir -p "$N/clash/c.pdf"
cp samples/sh2-nao/school.yaml "$N/clash/c.pdf/"
cp "$LONE" "$N/clash/c.pdf/x.yaml"
cp samples/sh2-nao/school.yaml "$N/clash/"
cp "$LONE" "$N/clash/c.yaml"
"$BIN" batch "$N/clash" -o "$N/out3" 2>"$TMP/err"
if [ $? = 2 ] && grep -q 'один и тот же путь' "$TMP/err"; then ok; else bad "batch: file and folder clash"; cat "$TMP/err"; fi

# batch and check decide "is a document" by loading the YAML: a BOM, a quoted
# key and flow style are documents; a file that does not parse is an error,
# not skipped; school.yaml is skipped
Y="$TMP/yamlkinds"
mkdir -p "$Y"
cp samples/sh2-nao/school.yaml "$Y/"
{ printf '\357\273\277'; cat "$LONE"; } >"$Y/bom.yaml"
sed 's/^document:/"document":/' "$LONE" >"$Y/quoted.yaml"
printf '{document: order, include: [school.yaml], order: {number: "1", date: 2023-08-30,\n  title: "Тест", points: ["Первый пункт"]}}\n' >"$Y/flow.yaml"
printf 'document: order\norder: [unclosed\n' >"$Y/broken.yaml"
"$BIN" batch "$Y" -o "$Y/out" 2>"$TMP/err"
if [ $? = 1 ] && grep -q 'broken.yaml:' "$TMP/err" && grep -q 'с ошибками 1' "$TMP/err"; then
    ok
else
    bad "batch: a file that does not parse must be reported"; cat "$TMP/err"
fi
for n in bom quoted flow; do
    if [ -s "$Y/out/yamlkinds/$n.pdf" ]; then ok; else bad "batch skipped $n.yaml"; fi
done
if [ ! -e "$Y/out/yamlkinds/school.pdf" ]; then ok; else bad "batch rendered school.yaml"; fi

# the messages of a batch come in the order of the files, however many
# workers run
mkdir -p "$TMP/order"
"$BIN" batch tests/bad -o "$TMP/order" -j 1 2>"$TMP/err1"
rm -rf "$TMP/order" && mkdir "$TMP/order"
"$BIN" batch tests/bad -o "$TMP/order" -j 4 2>"$TMP/err4"
if [ -s "$TMP/err1" ] && cmp -s "$TMP/err1" "$TMP/err4"; then
    ok
else
    bad "batch: messages differ between -j 1 and -j 4"; diff "$TMP/err1" "$TMP/err4" | head
fi

# input files of other types: a FIFO as document, include, template, batch
# member or data file is refused at once, never waited on (timeout 124 = hang)
F="$TMP/fifo"
mkdir -p "$F/doc" "$F/inc" "$F/batch" "$F/data/fonts" "$F/data/build"
mkfifo "$F/doc/doc.yaml" "$F/inc/school.yaml" "$F/template.yaml" "$F/batch/zz.yaml"
cp "$LONE" "$F/inc/doc.yaml"
cp samples/sh2-nao/school.yaml "$LONE" "$F/batch/"
fifo_case() { # name, expected exit ("any": all but a hang), message, command...
    name=$1 want=$2 msg=$3
    shift 3
    timeout 10 "$@" >/dev/null 2>"$TMP/err"
    got=$?
    if [ $got != 124 ] && { [ "$want" = any ] || [ $got = "$want" ]; } && grep -q "$msg" "$TMP/err"; then
        ok
    else
        bad "$name: exit $got, expected $want (124: it hangs)"; cat "$TMP/err"
    fi
}
FIFO='именованный канал'
fifo_case "FIFO as document" 1 "$FIFO" "$BIN" render "$F/doc/doc.yaml" -o "$F/x.pdf"
fifo_case "FIFO as include" 1 "$FIFO" "$BIN" render "$F/inc/doc.yaml" -o "$F/x.pdf"
fifo_case "FIFO as template" 1 "$FIFO" "$BIN" render samples/sh2-nao/order-443.yaml --template "$F/template.yaml" -o "$F/x.pdf"
fifo_case "FIFO to check" 1 "$FIFO" "$BIN" check "$F/doc/doc.yaml"
# a template over the loader's 4 MiB, named other than .yaml: its size is
# what is said (it was «это не шаблон: ожидался YAML-словарь …»)
head -c 4200000 /dev/zero | tr '\0' '#' >"$F/huge.tpl"
fifo_case "template over 4 MiB" 1 'больше 4 МиБ' "$BIN" render samples/sh2-nao/order-443.yaml --template "$F/huge.tpl" -o "$F/x.pdf"
rm -f "$F/huge.tpl"
fifo_case "FIFO as batch member" 1 "$FIFO" "$BIN" batch "$F/batch" -o "$F/out"
if [ -s "$F/out/batch/order-443.pdf" ]; then ok; else bad "batch: the FIFO stopped the other documents"; fi
for f in fonts/*.ttf; do ln -s "$ROOT/$f" "$F/data/$f"; done
ln -s "$ROOT/templates" "$F/data/templates"
mkfifo "$F/data/build/hyph_ru_RU.hyb"
fifo_case "FIFO as hyphenation dictionary" 0 'не обычный файл' env NASTAVDOC_DATA="$F/data" "$BIN" render samples/sh2-nao/order-443.yaml -o "$F/x.pdf"
rm "$F/data/fonts/LiberationSerif-Regular.ttf"
mkfifo "$F/data/fonts/LiberationSerif-Regular.ttf"
fifo_case "FIFO as font" any 'не обычный файл' env NASTAVDOC_DATA="$F/data" "$BIN" render samples/sh2-nao/order-443.yaml -o "$F/x.pdf"

# an output that is one of the inputs is refused (exit 2) and the input
# stays as it was: the document, an include (also through a symlink or a
# hard link), the template; x.pdf without -o would replace itself
O="$TMP/outin"
mkdir -p "$O"
cp "$LONE" samples/sh2-nao/school.yaml "$O/"
cp templates/order.yaml "$O/t.yaml"
cp "$O/order-443.yaml" "$O/x.pdf"
ln -s school.yaml "$O/link.pdf"
ln "$O/order-443.yaml" "$O/hard.pdf"
(cd "$O" && cksum order-443.yaml school.yaml t.yaml x.pdf >sums)
out_in_case() { # name, message, arguments...
    name=$1 msg=$2
    shift 2
    (cd "$O" && "$BIN" "$@") >/dev/null 2>"$TMP/err"
    got=$?
    if [ $got = 2 ] && grep -q "$msg" "$TMP/err" && (cd "$O" && cksum order-443.yaml school.yaml t.yaml x.pdf | cmp -s - sums); then
        ok
    else
        bad "$name: exit $got, expected 2 and the input kept"; cat "$TMP/err"
    fi
}
out_in_case "-o the document" 'сам документ' render order-443.yaml -o order-443.yaml
out_in_case "-o an include" 'подключённый через include' render order-443.yaml -o school.yaml
out_in_case "-o a symlink to an include" 'подключённый через include' render order-443.yaml -o link.pdf
out_in_case "-o a hard link to the document" 'сам документ' render order-443.yaml -o hard.pdf
out_in_case "-o the template" 'шаблон' render order-443.yaml --template t.yaml -o t.yaml
out_in_case "x.pdf without -o" 'оканчивается на .pdf' render x.pdf
# the document an order prints as its annex is an input too
A="$TMP/annex-out"
mkdir -p "$A"
cp samples/bratsk/*.yaml "$A/"
sum=$(cksum <"$A/roadmap-2021.yaml")
(cd "$A" && "$BIN" render order-669.yaml -o roadmap-2021.yaml) >/dev/null 2>"$TMP/err"
got=$?
if [ $got = 2 ] && grep -q 'документ-приложение «roadmap-2021.yaml»' "$TMP/err" && [ "$(cksum <"$A/roadmap-2021.yaml")" = "$sum" ]; then
    ok
else
    bad "-o the annex document: exit $got, expected 2 and the annex kept"; cat "$TMP/err"
fi

# batch isolates each document in a worker: a worker killed (as the kernel
# kills on out of memory) is reported by file name and the rest are written;
# workers end when batch is killed
K="$TMP/kill"
mkdir -p "$K/d"
cp samples/sh2-nao/school.yaml "$K/d/"
cp "$LONE" "$K/d/b.yaml"
# a document that takes a while (12,000 rows) and needs far more memory than a sample
{
    printf 'document: roadmap\ninclude: [school.yaml]\nroadmap:\n  title: "Большая"\n  columns:\n'
    printf '    - {key: event, title: "Мероприятие", width: 3}\n    - {key: who, title: "Ответственный", width: 2}\n  rows:\n'
    awk 'BEGIN { for (i = 0; i < 12000; i++) printf "    - {event: \"Мероприятие %d по формированию наставнических пар и групп\", who: \"Куратор\"}\n", i }'
} >"$K/d/a-big.yaml"
first_worker() { # pid of batch $1 -> its first worker, or nothing after 10 s
    i=0
    while [ $i -lt 200 ]; do
        w=$(pgrep -P "$1" | head -n 1)
        [ -n "$w" ] && { echo "$w"; return; }
        sleep 0.05
        i=$((i + 1))
    done
}
"$BIN" batch "$K/d" -o "$K/out" -j 1 2>"$TMP/err" &
B=$!
W=$(first_worker $B)
[ -n "$W" ] && kill -KILL "$W"
wait $B
got=$?
if [ $got = 1 ] && grep -q 'a-big.yaml: ошибка: PDF не создан: .*SIGKILL' "$TMP/err" && [ -s "$K/out/d/b.pdf" ]; then
    ok
else
    bad "batch: a killed worker must be reported and the rest written (exit $got)"; cat "$TMP/err"
fi
rm -rf "$K/out"
"$BIN" batch "$K/d" -o "$K/out" -j 1 2>/dev/null &
B=$!
W=$(first_worker $B)
kill -KILL $B
wait $B 2>/dev/null
i=0
while [ $i -lt 100 ]; do # up to 5 s for the worker to die (Z: dead, not reaped)
    st=$(ps -o stat= -p "$W" 2>/dev/null)
    case $st in "" | Z*) break ;; esac
    sleep 0.05
    i=$((i + 1))
done
if [ -n "$W" ] && case $st in "" | Z*) true ;; *) false ;; esac; then ok; else bad "batch: a worker outlived its parent ($st)"; fi
# out of memory under a limit a sample fits in 2.5 times (ASan cannot run
# under ulimit -v)
case $BUILD in
*san*) ;;
*)
    rm -rf "$K/out"
    (ulimit -v 40000 && "$BIN" batch "$K/d" -o "$K/out" -j 1) 2>"$TMP/err"
    got=$?
    if [ $got = 1 ] && grep -q 'a-big.yaml: ошибка: PDF не создан' "$TMP/err" && [ -s "$K/out/d/b.pdf" ]; then
        ok
    else
        bad "batch: a worker out of memory must be reported and the rest written (exit $got)"; cat "$TMP/err"
    fi
    ;;
esac

# typography: keep is a field of every kind (it was refused as an unknown key
# by all but order and roadmap): the regulation keeps its straight quotes
# with it and gets «…» without it
K=$TMP/typo-keep
mkdir -p "$K" && cp samples/kmt/*.yaml "$K/"
sed -i 's/^document: text$/document: text\ntypography: keep/' "$K/regulation.yaml"
if "$BIN" render "$K/regulation.yaml" -o "$K/keep.pdf" 2>"$TMP/err" &&
    pdftotext "$K/keep.pdf" - | grep -q '"обучающийся"' &&
    "$BIN" render samples/kmt/regulation.yaml -o "$K/fix.pdf" 2>/dev/null &&
    pdftotext "$K/fix.pdf" - | grep -q '«обучающийся»'; then
    ok
else
    bad "typography: keep in a text document"; cat "$TMP/err"
fi

# nastavdoc schema (issue 12 §6): every sample (documents, school.yaml,
# people, pairs, partners, surveys) validates against its JSON Schema, and
# every error the checks give for a schema reason (unknown key, wrong type,
# missing key, empty value) in tests/bad is found by the schema too, at a node
# spanning the message's place (tests/schema/validate.py; needs python3-yaml
# and python3-jsonschema: scripts/deps.sh schema)
if /usr/bin/python3 -c 'import yaml, jsonschema' 2>/dev/null; then
    # shellcheck disable=SC2046
    if /usr/bin/python3 tests/schema/validate.py "$BIN" samples/*/*.yaml tests/docs/*.yaml >"$TMP/schema" 2>&1 &&
        [ "$(grep -c '^ok' "$TMP/schema")" -ge 53 ]; then
        ok
    else
        bad "schema: a sample does not validate"; grep -v '^ok\|^skip' "$TMP/schema" | head -5
    fi
    for f in people pairs partners surveys; do # each data file's schema is used
        grep -q "^ok samples/.*$f" "$TMP/schema" || bad "schema: no sample $f file validated"
    done
    if /usr/bin/python3 tests/schema/validate.py --bad "$BIN" tests/bad/*/ >"$TMP/schema" 2>&1 &&
        grep -q 'rejected by the schema [1-9][0-9][0-9]' "$TMP/schema"; then
        ok
    else
        bad "schema accepts what the checks reject"; head -5 "$TMP/schema"
    fi
else
    echo "SKIP: JSON Schema test (install: scripts/deps.sh schema)"
fi
"$BIN" schema order | grep -q '"additionalProperties": false' && "$BIN" schema nonsense 2>/dev/null
if [ $? = 2 ]; then ok; else bad "schema: an unknown kind must exit 2"; fi
# The header in a real editor: with NASTAVDOC_YAML_LS set to yaml-language-server's
# bin/yaml-language-server (npm package yaml-language-server), tests/schema/lsp.py
# opens a document whose first line is `# yaml-language-server: $schema=…` and
# expects the server's diagnostic for a misspelt key and completion of keys.
if [ -n "${NASTAVDOC_YAML_LS:-}" ]; then
    L=$TMP/yls
    mkdir -p "$L"
    "$BIN" schema order >"$L/order.schema.json"
    { echo '# yaml-language-server: $schema=order.schema.json'
      printf 'document: order\norder:\n  number: "1"\n  titel: x\n  \n'; } >"$L/order.yaml"
    timeout 120 /usr/bin/python3 tests/schema/lsp.py "$NASTAVDOC_YAML_LS" "$L/order.yaml" 5 2 >"$L/out" 2>&1
    if grep -q 'diag 5:3 Property titel is not allowed' "$L/out" && grep -q "complete.*'title'" "$L/out"; then
        ok
    else
        bad "yaml-language-server: the schema header gives no diagnostics or completion"; cat "$L/out"
    fi
fi
# schema --all DIR: one file per name of `schema`, each equal to its output
mkdir -p "$TMP/schemas"
if "$BIN" schema --all "$TMP/schemas" 2>/dev/null &&
    [ "$(ls "$TMP/schemas" | wc -l)" = "$("$BIN" schema | wc -l)" ] &&
    "$BIN" schema people | cmp -s - "$TMP/schemas/people.schema.json"; then
    ok
else
    bad "schema --all: not one file per schema"
fi
"$BIN" schema --all "$TMP/no-such-dir" 2>/dev/null
if [ $? = 2 ]; then ok; else bad "schema --all: a missing folder must exit 2"; fi
# a folder where a schema goes: the message names a JSON schema, not a PDF
mkdir -p "$TMP/schemas-dir/order.schema.json"
"$BIN" schema --all "$TMP/schemas-dir" 2>"$TMP/schemas-dir.err"
if [ $? = 2 ] && grep -q "нельзя записать схему JSON в .*order.schema.json: это папка; укажите имя файла JSON в ней" "$TMP/schemas-dir.err" &&
    ! grep -q PDF "$TMP/schemas-dir.err"; then
    ok
else
    bad "schema --all: a folder in a schema's place must be named as a JSON schema's"; cat "$TMP/schemas-dir.err"
fi

# make install: the installed program works from any folder and gives the
# same bytes; a binary copied away from its data says where it looked (exit
# 3) and --data-dir finds it; the man page names every option --help names.
# (Not under the sanitizer build: install copies build/nastavdoc.)
if [ "$BUILD" = build ]; then
    I=$TMP/inst
    if make -s install DESTDIR="$I" PREFIX=/opt/nd >"$TMP/inst.log" 2>&1; then
        (cd "$TMP" && "$I/opt/nd/bin/nastavdoc" render "$ROOT/samples/kez/roadmap-2022.yaml" -o "$TMP/inst.pdf")
        "$BIN" render samples/kez/roadmap-2022.yaml -o "$TMP/repo.pdf"
        if cmp -s "$TMP/inst.pdf" "$TMP/repo.pdf"; then ok; else bad "make install: the installed program's PDF differs"; fi
        mkdir -p "$TMP/inst-copy" && cp "$I/opt/nd/bin/nastavdoc" "$TMP/inst-copy/"
        (cd "$TMP" && ./inst-copy/nastavdoc render "$ROOT/samples/kez/roadmap-2022.yaml" -o "$TMP/inst-copy.pdf") 2>"$TMP/err"
        if [ $? = 3 ] && grep -q 'не найдены данные программы.*--data-dir' "$TMP/err" && [ ! -e "$TMP/inst-copy.pdf" ]; then
            ok
        else
            bad "a binary without its data must say so (exit 3)"; cat "$TMP/err"
        fi
        if "$TMP/inst-copy/nastavdoc" render samples/kez/roadmap-2022.yaml -o "$TMP/inst-copy.pdf" --data-dir "$I/opt/nd/share/nastavdoc" &&
            cmp -s "$TMP/inst-copy.pdf" "$TMP/repo.pdf"; then ok; else bad "--data-dir"; fi
        # data found by going up from the binary is taken only from folders
        # not every user can write: a binary copied to /tmp/x took
        # /tmp/templates that any user could have put there
        P=$TMP/plant
        mkdir -p "$P/x" && cp -r "$I/opt/nd/share/nastavdoc/." "$P/" &&
            cp "$I/opt/nd/bin/nastavdoc" "$P/x/"
        planted() { (cd "$TMP" && "$P/x/nastavdoc" render "$ROOT/samples/kez/roadmap-2022.yaml" -o "$TMP/plant.pdf") 2>"$TMP/err"; }
        planted
        if [ $? = 0 ] && cmp -s "$TMP/plant.pdf" "$TMP/repo.pdf"; then ok; else bad "data beside a copied binary"; cat "$TMP/err"; fi
        chmod o+w "$P/templates"
        planted
        if [ $? = 3 ] && grep -q "искал в: .*$P (не взята: эту папку может менять любой пользователь)" "$TMP/err"; then
            ok
        else
            bad "data in a folder any user can write must not be taken unasked"; cat "$TMP/err"
        fi
        chmod o-w "$P/templates" && chmod o+w "$P"
        planted
        if [ $? = 3 ]; then ok; else bad "data in a folder any user can write must not be taken unasked"; fi
        man=$I/opt/nd/share/man/man1/nastavdoc.1
        missing=""
        for opt in $("$BIN" --help | grep -oE -- '(^|[[ ])--?[a-z][a-z-]*' | tr -d '[ ' | sort -u); do
            grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$man" || missing="$missing $opt"
        done
        if [ -s "$man" ] && [ -z "$missing" ]; then ok; else bad "man page lacks:$missing"; fi
    else
        bad "make install failed"; tail -5 "$TMP/inst.log"
    fi
fi

# 5. PDF/A-1b (docs/pdfa.md). Without Java: the XMP repeats the Info
# dictionary with XML escapes, two renders give the same bytes and /ID, a
# missing colour profile is an installation error. With Debian's PDFBox
# Preflight (scripts/deps.sh pdfa): every sample rendered with --pdfa, the
# escapes document and a template's `pdfa: true` are valid PDF/A-1b, and a
# plain render is not (so the check can fail).
mkdir -p "$TMP/pdfa"
: >"$TMP/pdfa/list"
for doc in samples/*/*.yaml tests/docs/*.yaml tests/pdfa/escapes.yaml; do
    grep -q '^document:' "$doc" || continue
    out="$TMP/pdfa/$(basename "$(dirname "$doc")")-$(basename "$doc" .yaml).pdf"
    one=""
    grep -q '^document: agreement' "$doc" && one="--partner 1"
    if "$BIN" render --pdfa "$doc" $one -o "$out" 2>"$TMP/err" &&
        "$BIN" render "$doc" $one --pdfa -o "$out.2" 2>/dev/null && cmp -s "$out" "$out.2"; then
        ok
        echo "$out" >>"$TMP/pdfa/list"
    else
        bad "render --pdfa $doc (twice, same bytes)"; cat "$TMP/err"
    fi
done
# a compound broken at its own hyphen copies out with it: «психолого‑» ends
# a line (U+2011, which poppler keeps), «педагогический» starts the next
"$BIN" render tests/pdfa/escapes.yaml -o "$TMP/compound.pdf" 2>/dev/null
pdftotext -enc UTF-8 "$TMP/compound.pdf" - | tr '\n' '|' >"$TMP/compound.txt"
if grep -q -F "психолого$(printf '\342\200\221')|педагогический" "$TMP/compound.txt" &&
    ! grep -q -F "психологопедагогический" "$TMP/compound.txt"; then
    ok
else
    bad "the compound «психолого-педагогический» broken at its hyphen: $(grep -o -F -e 'психолого' "$TMP/compound.txt" | head -1)"
    grep -o '[^|]*психолого[^|]*|[^|]*' "$TMP/compound.txt" | head -2
fi
# the Info and the XMP of the escapes document, entities decoded, agree
esc=$TMP/pdfa/pdfa-escapes.pdf
pdfinfo -meta "$esc" >"$TMP/xmp" 2>&1
xml_text() { sed -n "s/.*<$1[^>]*>\(<rdf:[A-Za-z]*><rdf:li[^>]*>\)\{0,1\}\([^<]*\)<.*/\2/p" "$TMP/xmp" | head -n 1 |
    sed "s/&lt;/</g; s/&gt;/>/g; s/&quot;/\"/g; s/&apos;/'/g; s/&amp;/\&/g"; }
info_text() { pdfinfo "$esc" | sed -n "s/^$1: *//p"; }
for pair in Title:dc:title Author:dc:creator Subject:dc:description Keywords:pdf:Keywords Creator:xmp:CreatorTool Producer:pdf:Producer; do
    key=${pair%%:*}
    if [ -n "$(info_text "$key")" ] && [ "$(info_text "$key")" = "$(xml_text "${pair#*:}")" ]; then
        ok
    else
        bad "PDF/A: Info $key «$(info_text "$key")» != XMP «$(xml_text "${pair#*:}")»"
    fi
done
if grep -q 'О проекте «Наставник &amp; ученик» &lt;пилот&gt; &quot;первый&quot; &apos;этап&apos;' "$TMP/xmp" &&
    grep -q '<xmp:CreateDate>2024-02-29T00:00:00+00:00</xmp:CreateDate>' "$TMP/xmp" &&
    grep -q '<pdfaid:part>1</pdfaid:part>' "$TMP/xmp"; then
    ok
else
    bad "PDF/A: the XMP packet"; head -20 "$TMP/xmp"
fi
# the /ID is the content's: the same for the same input, another for another
pdf_id() { qpdf --show-object=trailer "$1" 2>/dev/null | grep -o '/ID \[ <[0-9a-f]*>'; }
if [ -n "$(pdf_id "$esc")" ] && [ "$(pdf_id "$esc")" = "$(pdf_id "$esc.2")" ] &&
    [ "$(pdf_id "$esc")" != "$(pdf_id "$TMP/pdfa/kez-roadmap-2022.pdf")" ]; then
    ok
else
    bad "PDF/A: trailer /ID"
fi
# a data folder without data/sRGB.icc: exit 3, the profile named, no file
mkdir -p "$TMP/noicc"
ln -s "$ROOT/fonts" "$ROOT/templates" "$TMP/noicc/"
"$BIN" render --pdfa samples/kez/roadmap-2022.yaml --data-dir "$TMP/noicc" -o "$TMP/noicc.pdf" 2>"$TMP/err"
if [ $? = 3 ] && grep -q 'цветовой профиль sRGB.*noicc/data/sRGB.icc' "$TMP/err" && [ ! -e "$TMP/noicc.pdf" ]; then
    ok
else
    bad "PDF/A without its colour profile must fail with exit 3"; cat "$TMP/err"
fi
# a template's `pdfa: true` is --pdfa
{ echo "pdfa: true"; cat templates/order.yaml; } >"$TMP/pdfa-order.yaml"
"$BIN" render samples/sh2-nao/order-443.yaml --template "$TMP/pdfa-order.yaml" -o "$TMP/pdfa/template.pdf" 2>"$TMP/err"
if cmp -s "$TMP/pdfa/template.pdf" "$TMP/pdfa/sh2-nao-order-443.pdf"; then
    ok
    echo "$TMP/pdfa/template.pdf" >>"$TMP/pdfa/list"
else
    bad "template pdfa: true differs from --pdfa"; cat "$TMP/err"
fi
"$BIN" render samples/kez/roadmap-2022.yaml -o "$TMP/pdfa/plain.pdf" 2>/dev/null
# the class path of docs/pdfa.md; "none" when a jar or java is missing
PREFLIGHT_CP=
for jar in preflight pdfbox2 fontbox2 xmpbox commons-logging javax.activation jaxb-api; do
    if [ ! -f "/usr/share/java/$jar.jar" ]; then
        PREFLIGHT_CP=none
        break
    fi
    PREFLIGHT_CP="$PREFLIGHT_CP${PREFLIGHT_CP:+:}/usr/share/java/$jar.jar"
done
command -v java >/dev/null 2>&1 || PREFLIGHT_CP=none
if [ "$PREFLIGHT_CP" = none ]; then
    echo "SKIP: PDF/A-1b Preflight: Java or PDFBox missing (install: scripts/deps.sh pdfa)"
else
    # one Java process for all files: "group" writes list.preflight.xml
    echo "$TMP/pdfa/plain.pdf" >>"$TMP/pdfa/list"
    java -cp "$PREFLIGHT_CP" org.apache.pdfbox.preflight.Validator_A1b xml group "$TMP/pdfa/list" >"$TMP/pdfa/log" 2>&1
    report=$TMP/pdfa/list.preflight.xml
    while IFS= read -r f; do
        name=$(basename "$f")
        valid=$(awk -v n="$name" '/<preflight name=/ { on = index($0, "\"" n "\"") > 0 }
            on && /<isValid/ { sub(/.*<isValid[^>]*>/, ""); sub(/<.*/, ""); print; exit }' "$report" 2>/dev/null)
        want=true
        [ "$name" = plain.pdf ] && want=false
        if [ "$valid" = "$want" ]; then
            ok
        else
            bad "Preflight PDF/A-1b: $name: valid «$valid», expected $want"
            awk -v n="$name" '/<preflight name=/ { on = index($0, "\"" n "\"") > 0 } on' "$report" 2>/dev/null | head -12
            tail -3 "$TMP/pdfa/log"
        fi
    done <"$TMP/pdfa/list"
fi
# surveys (samples/kez-survey): the generator gives the same files on every
# run; no respondent's name (the «ФИО» column of the Google Forms CSV) reaches
# the report
scripts/gen-survey.sh "$TMP/gen" >/dev/null
for f in responses-mentee-before.csv responses-mentee-after.csv responses-mentor.yaml; do
    if cmp -s "$TMP/gen/$f" "samples/kez-survey/$f"; then ok; else bad "scripts/gen-survey.sh: $f differs from the sample"; fi
done
"$BIN" render samples/kez-survey/report-2024.yaml -o "$TMP/survey.pdf" 2>"$TMP/err"
if flat "$TMP/survey.pdf" | grep -qE 'Иванова|Петров|Сидорова|Кузнецов|Смирнова|Попов'; then
    bad "a respondent's name is printed in the survey report"
else
    ok
fi
# 50,000 responses render a report (time and memory: make bench); not under
# the sanitizers, which make it slow
case $BUILD in
*san*) ;;
*)
    scripts/gen-survey.sh "$TMP/gen50k" 25000 10 >/dev/null
    cp samples/kez-survey/school.yaml samples/kez-survey/surveys-kez.yaml samples/kez-survey/report-2024.yaml "$TMP/gen50k/"
    if "$BIN" render "$TMP/gen50k/report-2024.yaml" -o "$TMP/gen50k.pdf" 2>"$TMP/err" &&
        flat "$TMP/gen50k.pdf" | grep -qF 'Получено анкет: 50000 (до программы — 25000, после — 25000).'; then
        ok
    else
        bad "a report of 50,000 responses"; head -5 "$TMP/err"
    fi
    ;;
esac
# groups under 3: no quote either, though the question allows quoting
"$BIN" render tests/docs/survey-small-groups.yaml -o "$TMP/survey-small.pdf" 2>"$TMP/err"
if flat "$TMP/survey-small.pdf" | grep -q 'Ивановым'; then bad "a quote from a group under 3 is printed"; else ok; fi

# README.md (issue 12 §5): its examples marked <!-- файл: … --> render as a
# dossier, and every newcomer message it quotes is a tests/bad expect line
if scripts/readme-examples.sh "$BIN" README.md "$TMP/readme" >"$TMP/readme.out" 2>&1; then
    ok
else
    bad "README.md: an example does not render"; cat "$TMP/readme.out"
fi
if scripts/readme-messages.sh README.md tests/bad >"$TMP/readme.out" 2>&1; then
    ok
else
    bad "README.md: a quoted message is not tested"; cat "$TMP/readme.out"
fi
# the README names every package scripts/deps.sh installs by default (it
# lacked libqrencode-dev and libdeflate-dev once they were added)
deps_pkgs=$(sed -n '/^PKGS="/,/"$/p' scripts/deps.sh | tr -d '"' | sed 's/^PKGS=//')
missing_pkgs=""
for p in $deps_pkgs; do
    tr -s ' \n' '  ' <README.md | grep -q -- " $p[ \`;]" || missing_pkgs="$missing_pkgs $p"
done
if [ -z "$missing_pkgs" ]; then ok; else bad "README.md: the package list lacks$missing_pkgs"; fi
# the README's synopsis of the commands and the man page's name the same
# commands and options (the man page writes "-" as "\-")
readme_syn=$(awk '/^## Командная строка/ { on = 1; next } on && /^```/ { if (in_block) exit; in_block = 1; next }
    in_block' README.md)
man_syn=$(sed -n '/^\.SH СИНТАКСИС/,/^\.SH /p' docs/nastavdoc.1 | sed 's/\\-/-/g')
for w in $(printf '%s\n%s\n' "$readme_syn" "$man_syn" | grep -oE -- '--?[a-z][a-z-]*|nastavdoc [a-z]+' |
    sed 's/^nastavdoc //' | sort -u); do
    case "$readme_syn" in *"$w"*) ;; *) bad "README.md: the synopsis lacks $w of the man page"; continue ;; esac
    case "$man_syn" in *"$w"*) ok ;; *) bad "docs/nastavdoc.1: the synopsis lacks $w of README.md" ;; esac
done

# nastavdoc watch (issue 12 §6): a copy of a dossier in a scratch folder; the
# first PDF, a rename-save of an included file (as vim, VS Code and gedit
# save) makes a new PDF, a broken YAML gives its message and leaves the PDF,
# the fix makes a PDF again, SIGINT ends it with 0 and leaves no temporary
# file and no process. Each wait polls, up to 10 s (nothing asserts a time).
W=$TMP/watch
mkdir -p "$W" && cp samples/bratsk/*.yaml "$W/"
wait_for() { # COMMAND…: true as soon as it succeeds, false after 10 s
    for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done
    return 1
}
done_is() { [ "$(grep -c 'готово: .*out\.pdf (' "$W/log")" = "$1" ]; } # renders done so far
"$BIN" watch "$W/order-669.yaml" -o "$W/out.pdf" >"$W/log" 2>&1 &
wpid=$!
if wait_for [ -s "$W/out.pdf" ] && wait_for grep -q 'готово: .*out\.pdf ([0-9]* с\.)' "$W/log"; then
    ok
else
    bad "watch: no first PDF"; cat "$W/log"
fi
sum=$(cksum <"$W/out.pdf")
sed 's/НАЧАЛЬНИК ДЕПАРТАМЕНТА/НАЧАЛЬНИК УПРАВЛЕНИЯ/' "$W/school.yaml" >"$W/school.yaml.new" &&
    mv "$W/school.yaml.new" "$W/school.yaml"
if wait_for done_is 2 && [ "$(cksum <"$W/out.pdf")" != "$sum" ] &&
    pdftotext "$W/out.pdf" - | grep -q 'НАЧАЛЬНИК УПРАВЛЕНИЯ'; then
    ok
else
    bad "watch: a rename-save of school.yaml made no new PDF"; cat "$W/log"
fi
sum=$(cksum <"$W/out.pdf")
cp "$W/school.yaml" "$TMP/watch-school.yaml"
printf 'school: [\n' >"$W/school.yaml.new" && mv "$W/school.yaml.new" "$W/school.yaml"
if wait_for grep -q 'PDF не обновлён' "$W/log" && grep -q '^.*school\.yaml:[0-9]*:[0-9]*: ошибка' "$W/log" &&
    [ "$(cksum <"$W/out.pdf")" = "$sum" ]; then
    ok
else
    bad "watch: a broken school.yaml: no message, or the PDF changed"; cat "$W/log"
fi
cp "$TMP/watch-school.yaml" "$W/school.yaml"
if wait_for done_is 3; then ok; else bad "watch: no PDF after the fix"; cat "$W/log"; fi
kill -INT "$wpid"
wait "$wpid"
wrc=$?
if [ $wrc = 0 ] && ! kill -0 "$wpid" 2>/dev/null && ! ls -A "$W" | grep -q '^\.nastavdoc-'; then
    ok
else
    bad "watch: SIGINT gave exit $wrc, or left a process or a temporary file"; ls -A "$W"
fi
"$BIN" watch "$W/no-such.yaml" -o "$W/x.pdf" 2>/dev/null
if [ $? = 1 ]; then ok; else bad "watch: a missing file must exit 1"; fi
"$BIN" watch 2>/dev/null
if [ $? = 2 ]; then ok; else bad "watch: no file must exit 2"; fi
"$BIN" watch "$W/order-669.yaml" -o - 2>/dev/null
if [ $? = 2 ]; then ok; else bad "watch: -o - must exit 2"; fi

# the code is formatted as .clang-format says (make format rewrites it)
if command -v clang-format >/dev/null 2>&1; then
    if clang-format --dry-run -Werror src/*.c src/*.h src/kinds/*.c tests/unit/*.c 2>"$TMP/fmt"; then
        ok
    else
        bad "clang-format: run make format"; head -20 "$TMP/fmt"
    fi
fi

# 6. issue 12 §2 (docs/esign.md): the mark of an electronic signature and the
# QR code. tests/docs/order-esign.yaml: the mark's lines in the signature row,
# the mark between the position and the name; its QR code decodes (zbarimg,
# scripts/deps.sh qr) to the requisites the kind composes; a URL comes back
# as typed; `qr: false` draws none; the curator's and the pairs' orders take
# the same data. (Its --pdfa render is among the Preflight files of 5.)
mkdir -p "$TMP/esign"
cp tests/docs/school.yaml tests/docs/order-esign.yaml "$TMP/esign/"
esign=$TMP/esign/esign.pdf
if "$BIN" render tests/docs/order-esign.yaml -o "$esign" 2>"$TMP/err"; then ok; else bad "render order-esign"; cat "$TMP/err"; fi
pdftotext -raw -enc UTF-8 "$esign" - | sed "s/$NBSP/ /g" | tr '\n' '|' >"$TMP/esign/text"
if grep -q -F '|Директор|ДОКУМЕНТ ПОДПИСАН|ЭЛЕКТРОННОЙ ПОДПИСЬЮ|Сертификат: 01DA3C5E00B1AF8E4C2D71930F6B2A1055|Владелец: Петров Пётр Петрович|Действителен: с 11.03.2024 по 11.06.2025|П.П. Петров|' "$TMP/esign/text"; then
    ok
else
    bad "order-esign: the mark's lines"; tr '|' '\n' <"$TMP/esign/text" | tail -9
fi
# left to right on the row: the position, the mark (its widest line), the name
pdftotext -bbox "$esign" - | awk -F'"' '
    /<word/ { w = $0; sub(/.*">/, "", w); sub(/<.*/, "", w); x0[w] = $2 + 0; x1[w] = $6 + 0; y0[w] = $4 + 0; y1[w] = $8 + 0 }
    END { exit !(("Директор" in x1) && ("Действителен:" in x1) && ("Петров" in x1) && ("ДОКУМЕНТ" in x1) &&
                 x1["Директор"] < x0["Действителен:"] && x1["11.06.2025"] < x0["Петров"] &&
                 y0["ДОКУМЕНТ"] < y0["Директор"] && y1["Директор"] < y1["Действителен:"]) }'
if [ $? = 0 ]; then ok; else bad "order-esign: the mark is not between the position and the name"; fi
if command -v zbarimg >/dev/null 2>&1; then
    qr_of() { # the text of the QR code on page 1 of $1 (300 dpi), or nothing
        pdftoppm -r 300 -png -singlefile "$1" "$TMP/esign/page" && zbarimg --raw -q "$TMP/esign/page.png" 2>/dev/null
    }
    printf 'МБОУ «СШ № 1»\nПриказ от 02.09.2024 №\302\24042-од\nО закреплении наставников за молодыми специалистами\n' >"$TMP/esign/want"
    if qr_of "$esign" >"$TMP/esign/got" && cmp -s "$TMP/esign/got" "$TMP/esign/want"; then
        ok
    else
        bad "order-esign: the QR code does not decode to the requisites"; cat "$TMP/esign/got"
    fi
    sed 's#^  qr: true#  qr: "https://school1.example.ru/docs/prikaz-42-od.pdf"#' tests/docs/order-esign.yaml >"$TMP/esign/url.yaml"
    "$BIN" render "$TMP/esign/url.yaml" -o "$TMP/esign/url.pdf" 2>"$TMP/err"
    if [ "$(qr_of "$TMP/esign/url.pdf")" = "https://school1.example.ru/docs/prikaz-42-od.pdf" ]; then
        ok
    else
        bad "order-esign: a URL in the QR code"; cat "$TMP/err"
    fi
    sed 's#^  qr: true#  qr: false#' tests/docs/order-esign.yaml >"$TMP/esign/none.yaml"
    "$BIN" render "$TMP/esign/none.yaml" -o "$TMP/esign/none.pdf" 2>"$TMP/err"
    if [ -s "$TMP/esign/none.pdf" ] && [ -z "$(qr_of "$TMP/esign/none.pdf")" ]; then ok; else bad "order-esign: qr: false draws a QR code"; fi
else
    echo "SKIP: QR code decoding: zbarimg missing (install: scripts/deps.sh qr)"
fi
# the curator's and the pairs' orders (samples/kez) signed electronically
cp -R samples/kez "$TMP/esign/kez"
for doc in order-curator-2024 order-pairs-2024; do
    printf '  signature:\n    esign: {certificate: "7C00019AD0B4", valid_from: 2024-01-10, valid_to: 2025-04-10}\n' >>"$TMP/esign/kez/$doc.yaml"
    if "$BIN" render "$TMP/esign/kez/$doc.yaml" -o "$TMP/esign/$doc.pdf" 2>"$TMP/err" &&
        pdftotext -enc UTF-8 "$TMP/esign/$doc.pdf" - | grep -q 'Сертификат: 7C00019AD0B4'; then
        ok
    else
        bad "$doc with signature.esign"; cat "$TMP/err"
    fi
done

# util.c builds with -O3 and the developers' warnings too: -O3 finds cut
# snprintf paths that -O2 does not (is_data_dir had two). The whole tree was
# built so on 2026-12-01 (23 s, too long for every run): no other warning.
for f in src/util.c; do
    if cc -O3 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wshadow \
        -Wmissing-prototypes -c "$f" -o /dev/null 2>"$TMP/err"; then
        ok
    else
        bad "$f does not build with -O3 -Werror"; cat "$TMP/err"
    fi
done

# batch workers keep parsed templates across documents (tpl_cache): a kept
# template's messages name its file:line:col and quote its line in every
# document, as render's do
T="$TMP/tplcache"
mkdir -p "$T/d"
cp tests/bad/chart-not-a-chart/tpl.yaml "$T/d/"
for n in a b c; do cp tests/bad/chart-not-a-chart/doc.yaml "$T/d/$n.yaml"; done
"$BIN" render "$T/d/a.yaml" -o "$T/a.pdf" 2>"$T/one"
"$BIN" batch "$T/d" -o "$T/out" -j 1 2>"$T/err"
if [ "$(wc -l <"$T/one")" = 3 ] && [ "$(grep -c -x -F -f "$T/one" "$T/err")" = 9 ]; then
    ok
else
    bad "batch: the messages of a kept template"; cat "$T/err"
fi

# built-in templates are read from their compiled trees (build/templates,
# src/yaml_compiled.h), and only while these hold the template's present
# text: a compiled tree doctored in its strings shows (so it is read), an
# edited template is parsed anew, and a damaged compiled file is not used
T="$TMP/ynb"
mkdir -p "$T/data/templates"
ln -s "$ROOT/fonts" "$ROOT/data" "$T/data/"
cp build/hyph_ru_RU.hyb "$T/data/"
cp templates/*.yaml build/templates/*.ynb "$T/data/templates/"
"$BIN" render samples/bratsk/order-669.yaml -o "$T/repo.pdf"
"$BIN" render samples/bratsk/order-669.yaml --data-dir "$T/data" -o "$T/a.pdf"
# the last «ПРИКАЗ» of the file is in its strings, after the text
perl -0777 -pi -e 's/(.*)ПРИКАЗ/$1ПРИКАЖ/s' "$T/data/templates/order.ynb"
"$BIN" render samples/bratsk/order-669.yaml --data-dir "$T/data" -o "$T/b.pdf"
sed -i 's/^  - paragraph: ПРИКАЗ$/  - paragraph: РАСПОРЯЖЕНИЕ/' "$T/data/templates/order.yaml"
"$BIN" render samples/bratsk/order-669.yaml --data-dir "$T/data" -o "$T/c.pdf"
cp templates/order.yaml "$T/data/templates/"
head -c 1000 build/templates/order.ynb >"$T/data/templates/order.ynb"
"$BIN" render samples/bratsk/order-669.yaml --data-dir "$T/data" -o "$T/d.pdf"
if cmp -s "$T/a.pdf" "$T/repo.pdf" && pdftotext "$T/b.pdf" - | grep -q '^ПРИКАЖ$' &&
    pdftotext "$T/c.pdf" - | grep -q '^РАСПОРЯЖЕНИЕ$' && cmp -s "$T/d.pdf" "$T/repo.pdf"; then
    ok
else
    bad "compiled templates: used only while they hold the template's text"
fi

# batch workers keep the settings of paragraphs for the process (para.c's
# memo, keyed by every input of a setting: docs/typesetting.md §4): one
# worker sets the same text in documents whose settings differ from the
# first one's in one input each (face, size, measure, bold, centred, without
# hyphenation, typography: keep, capitals, letter spacing, indent, ragged,
# a table cell, another text), each document twice (a setting is stored the
# second time its key is met), and every PDF equals the document rendered
# alone; a text with a character the font lacks is reported in each of three
# documents that have it, never taken from the memo without its message
T="$TMP/memo"
mkdir -p "$T/d" "$T/bad"
cp tests/docs/school.yaml "$T/d/"
cp tests/docs/school.yaml "$T/bad/"
memo_text='Организовать работу по наставничеству "педагог - педагог" в 2024-2025 учебном году: закрепить за молодыми специалистами опытных педагогов-наставников, утвердить индивидуальные планы профессионального развития и психолого-педагогического сопровождения.'
n=0
for v in base font size width bold centre nohyph keep upper spacing indent left cell text; do
    font='Liberation Serif' size=12 align=justify hyph=true indent=12.5 width=80 extra= keep=
    case $v in
    font) font='PT Sans' ;;
    size) size=11 ;;
    width) width=70 ;;
    bold) extra=', bold: true' ;;
    centre) align=center ;;
    nohyph) hyph=false ;;
    keep) keep='typography: keep' ;;
    upper) extra=', upper: true' ;;
    spacing) extra=', letter_spacing: 0.5' ;;
    indent) indent=5 ;;
    left) align=left ;;
    text) memo_text='Утвердить индивидуальные планы профессионального развития.' ;;
    esac
    n=$((n + 1))
    name=$(printf '%02d-%s' "$n" "$v")
    {
        echo 'page: {size: A4}'
        echo 'styles:'
        echo "  body: {font: $font, size: $size, align: $align, hyphenate: $hyph, indent_mm: $indent, max_width_mm: $width$extra}"
        echo 'blocks:'
        if [ "$v" = cell ]; then
            echo '  - table:'
            echo '      columns: [{key: a, title: "Текст", width_mm: 60}, {key: b, title: "Он же"}]'
            echo "      rows: [{a: '$memo_text', b: '$memo_text'}]"
            echo '    styles: {cell: body, head: body}'
        fi
        echo "  - paragraph: '$memo_text'"
        echo "  - paragraph: '$memo_text'"
    } >"$T/d/tpl-$name.yaml"
    printf 'document: order\ninclude: [school.yaml]\ntemplate: tpl-%s.yaml\n%s\norder: {number: "%d", date: 2024-09-02, title: "Память", points: ["один"]}\n' \
        "$name" "$keep" "$n" >"$T/d/$name.yaml"
done
for b in a b c; do
    printf 'document: order\ninclude: [school.yaml]\norder:\n  number: "1"\n  date: 2024-09-02\n  title: "Память"\n  points:\n    - "Назначить куратором ★ Иванову И.И."\n' >"$T/bad/$b.yaml"
done
"$BIN" batch -j 1 "$T"/d/[0-9]*.yaml -o "$T/out" 2>"$T/err"
memo_ok=$?
for f in "$T"/d/[0-9]*.yaml; do
    name=$(basename "$f" .yaml)
    "$BIN" render "$f" -o "$T/$name.pdf" 2>>"$T/err" || memo_ok=1
    cmp -s "$T/$name.pdf" "$T/out/$name.pdf" || { memo_ok=1; echo "memo: $name differs"; }
done
"$BIN" batch -j 1 "$T/bad" -o "$T/outbad" 2>"$T/errbad"
if [ "$memo_ok" = 0 ] && [ "$(ls "$T"/out/*.pdf | wc -l)" = 14 ] &&
    [ "$(grep -c 'нет в шрифте' "$T/errbad")" = 3 ] && ! ls "$T"/outbad/*.pdf >/dev/null 2>&1; then
    ok
else
    bad "batch: paragraphs kept by one worker set as render sets them"; cat "$T/err" "$T/errbad"
fi

# a text of megabytes for the QR code (1.5 MB, past TPL_MAX_TEXT too): the
# QR code's limit at the text's mark, before the template copies it (it was
# «текст длиннее 1048576 байт» at the template's line); a long preamble past
# TPL_MAX_TEXT is reported at the preamble, not at the template
T="$TMP/qrhuge"
mkdir -p "$T"
{
    printf 'document: order\nschool: {name: "МБОУ «СШ № 1»", director: {name: "Петров Пётр Петрович", position: "Директор"}}\n'
    printf 'order:\n  number: "1"\n  date: 2024-09-02\n  title: "О наставничестве"\n  points: ["Назначить."]\n  qr: "'
    head -c 750000 /dev/zero | tr '\0' 'q' | sed 's/q/я/g'
    printf '"\n'
} >"$T/qr.yaml"
"$BIN" render "$T/qr.yaml" -o "$T/qr.pdf" 2>"$T/err"
rc=$?
if [ $rc = 1 ] && grep -q -F 'qr.yaml:8:7: ошибка: текст для QR-кода слишком длинный: 1500000 байт, а помещается не больше 412' "$T/err" &&
    [ "$(wc -l <"$T/err")" -le 3 ] && [ ! -e "$T/qr.pdf" ]; then
    ok
else
    bad "a QR code's text of 1.5 MB: exit $rc"; head -c 600 "$T/err"
fi
sed -e 's/^  qr: "/  preamble: "/' "$T/qr.yaml" >"$T/pre.yaml"
"$BIN" render "$T/pre.yaml" -o "$T/pre.pdf" 2>"$T/err"
rc=$?
if [ $rc = 1 ] && grep -q -F 'pre.yaml:8:13: ошибка: текст длиннее 1048576 байт' "$T/err"; then
    ok
else
    bad "a preamble of 1.5 MB: exit $rc"; head -c 600 "$T/err"
fi

# what dump, schema, --help and --version print goes to standard output
# whole or the exit code says it did not (they returned 0 on a full disk)
for args in "schema order" "schema" "dump tests/docs/order-esign.yaml" "--help" "--version"; do
    # shellcheck disable=SC2086
    "$BIN" $args >/dev/full 2>"$TMP/err"
    rc=$?
    if [ $rc = 3 ] && grep -q 'не удалось записать в стандартный вывод' "$TMP/err"; then
        ok
    else
        bad "$args >/dev/full: exit $rc"; cat "$TMP/err"
    fi
done
"$BIN" schema order extra 2>"$TMP/err"
rc=$?
if [ $rc = 2 ] && grep -q 'лишний параметр «extra»' "$TMP/err"; then ok; else bad "schema order extra: exit $rc"; cat "$TMP/err"; fi

# a font file that is damaged or not a regular file: one message naming the
# file and what is wrong with it (a FIFO read «Недопустимый аргумент», and a
# damaged file was followed by «шрифт «Liberation Serif» не найден: есть
# Liberation Serif, …» at a line of the document)
T="$TMP/fontbad"
for how in damaged fifo; do
    rm -rf "$T"
    mkdir -p "$T/fonts"
    cp fonts/*.ttf "$T/fonts/"
    ln -s "$ROOT/templates" "$T/templates"
    cp build/hyph_ru_RU.hyb "$T/"
    rm "$T/fonts/LiberationSerif-Regular.ttf"
    if [ $how = fifo ]; then
        mkfifo "$T/fonts/LiberationSerif-Regular.ttf"
        want='LiberationSerif-Regular.ttf: именованный канал (FIFO), а не обычный файл'
    else
        head -c 5000 fonts/LiberationSerif-Regular.ttf >"$T/fonts/LiberationSerif-Regular.ttf"
        want='LiberationSerif-Regular.ttf: файл повреждён или это не шрифт TrueType'
    fi
    timeout 20 "$BIN" render tests/docs/order-esign.yaml --data-dir "$T" -o "$T.pdf" 2>"$TMP/err"
    rc=$?
    if [ $rc = 3 ] && grep -q -F "$want" "$TMP/err" && [ "$(wc -l <"$TMP/err")" = 1 ] && [ ! -e "$T.pdf" ]; then
        ok
    else
        bad "a $how font file: exit $rc"; cat "$TMP/err"
    fi
done

# watch with -o one of the document's files (its school.yaml): refused as
# render refuses it, and the watch ends (exit 2) instead of waiting and
# saying «PDF не обновлён: в нём прежняя версия» of a YAML file
mkdir -p "$TMP/watch-in"
cp tests/docs/order-esign.yaml tests/docs/school.yaml "$TMP/watch-in/"
timeout 20 "$BIN" watch "$TMP/watch-in/order-esign.yaml" -o "$TMP/watch-in/school.yaml" >/dev/null 2>"$TMP/err"
rc=$?
if [ $rc = 2 ] && grep -q 'слежение остановлено' "$TMP/err" && cmp -s "$TMP/watch-in/school.yaml" tests/docs/school.yaml; then
    ok
else
    bad "watch -o an include: exit $rc (124: it kept waiting)"; cat "$TMP/err"
fi

# watch of a device, a folder or a FIFO: refused at the start (exit 1) as a
# missing file is; /dev/null was rendered again at every write any process
# made to it, the same message each time, and a folder waited for ever
mkdir -p "$TMP/watch-odd"
mkfifo "$TMP/watch-odd/fifo.yaml"
for odd in /dev/null "$TMP/watch-odd" "$TMP/watch-odd/fifo.yaml"; do
    timeout 10 "$BIN" watch "$odd" -o "$TMP/watch-odd/x.pdf" >/dev/null 2>"$TMP/err"
    rc=$?
    if [ $rc = 1 ] && grep -q 'а не обычный файл' "$TMP/err" && [ "$(wc -l <"$TMP/err")" = 1 ]; then
        ok
    else
        bad "watch $odd: exit $rc (124: it kept rendering or waiting)"; head -5 "$TMP/err"
    fi
done

# libqrencode missing (a file of its soname that is no library, first on
# LD_LIBRARY_PATH): the QR code's message names the package, and the exit
# code is the installation's (3), as for a font file, not the document's (1)
mkdir -p "$TMP/noqr"
qr_so=$(objdump -p "$(pkg-config --variable=libdir libqrencode 2>/dev/null)/libqrencode.so" 2>/dev/null | sed -n 's/^ *SONAME *//p')
: >"$TMP/noqr/${qr_so:-libqrencode.so.4}"
LD_LIBRARY_PATH="$TMP/noqr${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$BIN" render tests/docs/order-esign.yaml -o "$TMP/noqr/x.pdf" 2>"$TMP/err"
rc=$?
if [ $rc = 3 ] && grep -q 'order-esign.yaml:25:7: ошибка: не удалось построить QR-код: библиотека libqrencode не загружена.*установите пакет libqrencode4' "$TMP/err" &&
    [ ! -e "$TMP/noqr/x.pdf" ]; then
    ok
else
    bad "libqrencode missing: exit $rc"; cat "$TMP/err"
fi

# watch of an agreement (a PDF per partner): the line names the files
# written, out-PARTNER.pdf, not out.pdf, which is never made
mkdir -p "$TMP/watch-agr"
cp samples/kmt/*.yaml "$TMP/watch-agr/"
"$BIN" watch "$TMP/watch-agr/agreement.yaml" -o "$TMP/watch-agr/out.pdf" >/dev/null 2>"$TMP/watch-agr/log" &
wpid=$!
for _ in $(seq 100); do grep -q 'готово' "$TMP/watch-agr/log" && break; sleep 0.1; done
kill -INT "$wpid"
wait "$wpid"
if grep -q 'готово: .*watch-agr/out-ooo-uralmash-servis\.pdf, .*watch-agr/out-ao-kkhz\.pdf (' "$TMP/watch-agr/log" &&
    [ -s "$TMP/watch-agr/out-ao-kkhz.pdf" ] && [ ! -e "$TMP/watch-agr/out.pdf" ]; then
    ok
else
    bad "watch of an agreement: the files written are not named"; cat "$TMP/watch-agr/log"
fi

# 7. the survey code in every shape of tests/stress/surveys.sh at 65,536
# items: surveys, duplicates of one id, sets of responses, sets naming their
# rows, share indicators, respondents' groups, report parts. Each lookup or
# check walked a list per item: main's binary of 2026-12-02 took 15 s (named
# rows) to over 54 s (sets, indicators) of CPU for each, four times more per
# doubling; now 0.5-3.2 s. A generous cap on CPU time (ulimit -t; four times
# more under ASan), not a speed target.
mkdir -p "$TMP/surveys"
tests/stress/surveys.sh 65536 "$TMP/surveys"
surv_cap=8
[ $fz_san = 1 ] && surv_cap=32
while read -r sname swant sargs; do
    (cd "$TMP/surveys" && ulimit -t $surv_cap && exec "$BIN" $sargs) >/dev/null 2>"$TMP/err"
    got=$?
    cp "$TMP/err" "$TMP/surveys/$sname.err"
    if [ "$got" = "$swant" ] && [ "$(wc -c <"$TMP/err")" -le 65536 ] &&
        ! grep -q 'AddressSanitizer\|runtime error\|LeakSanitizer' "$TMP/err"; then
        ok
    else
        bad "survey shape $sname at 65,536 items: exit $got (want $swant) under ulimit -t $surv_cap"
        head -c 1000 "$TMP/err"
    fi
done <"$TMP/surveys/LIST"
# duplicate ids: the first reported at the second survey, as before; one
# message for each of the 65,535 duplicates (each was reported once for
# every survey of its id before it: 2,147,450,880 messages)
if [ "$(sed -n 1p "$TMP/surveys/dups.err")" = 'dups.yaml:6:5: ошибка: анкета «s» уже есть: id анкет должны различаться' ] &&
    [ "$(tail -n 1 "$TMP/surveys/dups.err")" = '…и ещё 65435 ошибок' ]; then
    ok
else
    bad "duplicate survey ids: $(sed -n 1p "$TMP/surveys/dups.err") … $(tail -n 1 "$TMP/surveys/dups.err")"
fi

# a survey may have 100 questions and a chart at most 60 categories: 75 scale
# questions get their means in two charts of 38 and 37 (it was exit 1,
# «labels: ожидался список до 60 строк», for a valid survey)
awk 'BEGIN {
    n = 75
    print "document: report\ninclude: [school.yaml]\nsurveys:\n  - id: s\n    title: Анкета"
    print "    audience: mentee\n    questions:"
    for (i = 1; i <= n; i++)
        printf "      - {id: q%d, text: \"Шкала %d\", type: scale, min: 1, max: 5}\n", i, i
    print "report:\n  title: Отчёт\n  responses:\n    - survey: s\n      rows:"
    for (r = 0; r < 3; r++)
        for (st = 0; st < 2; st++) {
            printf "        - {stage: %s", st ? "после" : "до"
            for (i = 1; i <= n; i++)
                printf ", q%d: %d", i, 1 + (i * r + i) % 5
            print "}"
        }
    print "  parts:\n    - survey: s"
}' >"$TMP/surveys/scales75.yaml"
cp tests/docs/school.yaml "$TMP/surveys/"
if "$BIN" render "$TMP/surveys/scales75.yaml" -o "$TMP/surveys/scales75.pdf" 2>"$TMP/err" &&
    [ "$(pdftotext "$TMP/surveys/scales75.pdf" - | grep -c '^Номер вопроса$')" = 2 ] &&
    pdftotext "$TMP/surveys/scales75.pdf" - | grep -q ' 37 38$' &&
    pdftotext "$TMP/surveys/scales75.pdf" - | grep -q '^39 40 41 .* 75$'; then
    ok
else
    bad "75 scale questions: their means in two charts"; cat "$TMP/err"
fi

# words split in narrow columns and beside indents (tests/narrow/*.yaml, each
# file says what went wrong): every piece of a split word and the hyphen a
# break adds stay inside their cell's text area or the margins. All are valid
# input: each renders with no message (the first ones were internal errors,
# exit 3, the layout self-check; the later ones were set badly, checked below)
for f in tests/narrow/*.yaml; do
    case $f in */school.yaml | *.tpl.yaml) continue ;; esac
    n=$(basename "$f" .yaml)
    (cd tests/narrow && "$BIN" render "$n.yaml" -o "$TMP/narrow-$n.pdf") >/dev/null 2>"$TMP/err"
    rc=$?
    if [ $rc = 0 ] && [ ! -s "$TMP/err" ] && [ -s "$TMP/narrow-$n.pdf" ]; then
        ok
    else
        bad "narrow $n: exit $rc"; head -5 "$TMP/err"
    fi
done
# ... and a web address breaks after a «/», without a hyphen, beside the
# words before it (tests/narrow/url-point.yaml)
if pdftotext "$TMP/narrow-url-point.pdf" - | grep -qx '1\. Разместить: https://school1\.example\.ru/upload/iblock/nastavnichestvo/2024/' &&
    pdftotext "$TMP/narrow-url-point.pdf" - | grep -qx 'polozhenie-o-nastavnichestve-2024\.pdf'; then
    ok
else
    bad "a web address wider than the line: broken after a slash, beside the words before it"
    pdftotext "$TMP/narrow-url-point.pdf" - | sed -n '/ПРИКАЗЫВАЮ/,$p' | head -5
fi
# ... a word wider than its line shares its first line with what stands
# before it: an order point's number, a flat list item's label (the breaker
# chooses the cut; cut at the full measure, «1.» and «–» stood alone)
if pdftotext -raw "$TMP/narrow-word-after-number.pdf" - | grep -q '^1\. ж\{20,\}-$' &&
    pdftotext -raw "$TMP/narrow-flat-item.pdf" - | grep -q '^– ш\{2,\}-$'; then
    ok
else
    bad "a word wider than its line: its first piece beside «1.» and a flat item's «–»"
    pdftotext -raw "$TMP/narrow-word-after-number.pdf" - | sed -n '/ПРИКАЗЫВАЮ/,$p' | head -3
    pdftotext -raw "$TMP/narrow-flat-item.pdf" - | sed -n '/Пун/,$p' | head -4
fi
# ... and a web address or e-mail in a narrow column breaks with nothing
# added: its lines (pdftotext -raw keeps an added hyphen) join to it as typed
# and none ends in «-» (the address's own «-» begins a line)
narrow_joined() { # FILE FIRST-LINE LAST-LINE: the lines between, joined
    pdftotext -raw "$1" - | sed -n "/$2/,/$3/p" | tr -d '\n'
}
if [ "$(narrow_joined "$TMP/narrow-address-cell.pdf" '^https:' 'teplica$')" = \
    https://kez2.exam-ple.ru/nastavnichestvo/keys-teplica ] &&
    ! pdftotext -raw "$TMP/narrow-address-cell.pdf" - | sed -n '/^https:/,/teplica$/p' | grep -q -- '-$' &&
    [ "$(narrow_joined "$TMP/narrow-email-cell.pdf" '^nast' 'ru\.$')" = \
        nastavnichestvo.school@kezskaya-shkola2.ru. ] &&
    ! pdftotext -raw "$TMP/narrow-email-cell.pdf" - | sed -n '/^nast/,/ru\.$/p' | grep -q -- '-$'; then
    ok
else
    bad "an address or e-mail in a narrow column: broken with no hyphen added"
    pdftotext -raw "$TMP/narrow-address-cell.pdf" - | sed -n '/^https:/,/teplica$/p'
    pdftotext -raw "$TMP/narrow-email-cell.pdf" - | sed -n '/^Писать/,/ru\.$/p'
fi

# a file size limit (ulimit -f, RLIMIT_FSIZE) smaller than the PDF: SIGXFSZ
# killed the render (exit 153) and left its temporary file .nastavdoc-* in
# the folder; now the write fails: exit 3, the reason said, the old PDF kept
mkdir -p "$TMP/fsize"
cp "$LONE" samples/sh2-nao/school.yaml "$TMP/fsize/"
echo old >"$TMP/fsize/order-443.pdf"
(ulimit -f 8 && exec "$BIN" render "$TMP/fsize/order-443.yaml") 2>"$TMP/err"
rc=$?
if [ $rc = 3 ] && grep -q 'не удалось записать .*order-443.pdf: ' "$TMP/err" &&
    [ "$(cat "$TMP/fsize/order-443.pdf")" = old ] && ! ls -A "$TMP/fsize" | grep -q '^\.nastavdoc-'; then
    ok
else
    bad "a PDF past ulimit -f: exit $rc, the old file kept, no temporary file"; ls -A "$TMP/fsize"; cat "$TMP/err"
fi

# batch under a small descriptor limit (ulimit -n): poll(2) refuses more
# entries than RLIMIT_NOFILE, and batch polled two for each of its -j
# workers, busy or not: under `ulimit -n 12`, -j 8 spun for ever at 100 %
# CPU. And a worker whose pipes could not be had (EMFILE) failed its
# document while another worker ran: now the running workers do the work
for lim in "12 8" "10 2"; do
    set -- $lim
    rm -rf "$TMP/nofile"
    timeout 120 sh -c "ulimit -n $1 && exec \"\$0\" batch -j $2 samples/bratsk -o \"\$1\"" "$BIN" "$TMP/nofile" 2>"$TMP/err"
    rc=$?
    if [ $rc = 0 ] && [ "$(ls "$TMP/nofile/bratsk" | grep -c '\.pdf$')" = 3 ]; then
        ok
    else
        bad "batch -j $2 under ulimit -n $1: exit $rc (124: it hung), three PDFs"; tail -5 "$TMP/err"
    fi
done

# batch with -o the input folder itself: the walk leaves the output folder
# out, so nothing was planned and batch said «в указанных папках нет
# документов» (exit 1) of a folder of documents; now a usage error that
# says why, and nothing is written
mkdir -p "$TMP/self"
cp "$LONE" samples/sh2-nao/school.yaml "$TMP/self/"
"$BIN" batch "$TMP/self" -o "$TMP/self" 2>"$TMP/err"
rc=$?
if [ $rc = 2 ] && grep -q 'это и есть папка PDF' "$TMP/err" && [ "$(ls -A "$TMP/self" | wc -l)" = 2 ]; then
    ok
else
    bad "batch DIR -o DIR: exit $rc, the reason said, nothing written"; cat "$TMP/err"; ls -A "$TMP/self"
fi

# an application is addressed to the director once by the school's name: a
# position that already names the school (README's school.yaml: «Директор
# ГБОУ НАО «СШ№2»») got it twice («Директору ГБОУ … ГБОУ …»)
mkdir -p "$TMP/app-to"
printf '%s\n' 'school:' '  name: "Школа № 1"' '  short_name: "МБОУ «СШ № 1»"' '  director:' \
    '    name: "Петрова Анна Сергеевна"' '    position: "Директор МБОУ «СШ № 1»"' \
    'people:' '  - {name: "Гусева Нина Петровна", role: педагог, base: наставник}' \
    'pairs: []' >"$TMP/app-to/school.yaml"
printf '%s\n' 'document: application' 'include: [school.yaml]' 'application: {candidates: all}' \
    >"$TMP/app-to/app.yaml"
if [ "$("$BIN" dump "$TMP/app-to/app.yaml" 2>"$TMP/err" | head -1)" = "Директору МБОУ «СШ № 1»" ]; then
    ok
else
    bad "application: the director's position names the school once"
    "$BIN" dump "$TMP/app-to/app.yaml" | head -2; cat "$TMP/err"
fi

# README.md for a newcomer: its first fenced block is still the two commands
# of a fresh machine, and every ```yaml block whose first line that is not a
# comment is «document: …» is an example that scripts/readme-examples.sh
# renders (<!-- файл: … --> above it) or says why it is not one
# (<!-- не для печати: … -->): a document example nobody renders goes stale
first_cmds=$(awk '/^```/ { if (inb) exit; inb = 1; next } inb { sub(/ *#.*/, ""); print }' README.md)
if [ "$first_cmds" = "$(printf 'scripts/with-deps make demo\nscripts/with-deps make test')" ]; then
    ok
else
    bad "README.md: the first fenced block is not the two commands"; printf '%s\n' "$first_cmds"
fi
unrendered=$(awk '
    /^[ \t]*<!-- (файл|не для печати): .* -->$/ { mark = 1; next }
    !inb && /^[ \t]*```yaml/ { inb = 1; start = NR; first = ""; m = mark; next }
    inb && /^[ \t]*```/ { inb = 0; mark = 0; if (first ~ /^document:/ && !m) print "README.md:" start; next }
    inb { if (first == "" && $0 !~ /^[ \t]*(#.*)?$/) { first = $0; sub(/^[ \t]+/, "", first) }; next }
    !/^[ \t]*$/ { mark = 0 }
' README.md)
if [ -z "$unrendered" ]; then
    ok
else
    bad "README.md: a document example is neither rendered nor marked «не для печати»"
    printf '%s\n' "$unrendered"
fi

# what Notepad saves: the README's first order and school.yaml with a byte
# order mark and Windows line ends (CRLF) give the same PDF as plain UTF-8
# (README: «Знак BOM … и переводы строк Windows не мешают»)
mkdir -p "$TMP/notepad/lf" "$TMP/notepad/crlf"
scripts/readme-examples.sh "$BIN" README.md "$TMP/notepad/readme" >/dev/null 2>&1
for f in school order-443; do
    cp "$TMP/notepad/readme/my-school/$f.yaml" "$TMP/notepad/lf/"
    { printf '\357\273\277'; sed 's/$/\r/' "$TMP/notepad/lf/$f.yaml"; } >"$TMP/notepad/crlf/$f.yaml"
done
if "$BIN" render "$TMP/notepad/lf/order-443.yaml" 2>"$TMP/err" &&
    "$BIN" render "$TMP/notepad/crlf/order-443.yaml" 2>>"$TMP/err" && [ ! -s "$TMP/err" ] &&
    cmp -s "$TMP/notepad/lf/order-443.pdf" "$TMP/notepad/crlf/order-443.pdf"; then
    ok
else
    bad "README's order saved by Notepad (BOM, CRLF): not the same PDF"; cat "$TMP/err"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

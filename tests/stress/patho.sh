#!/bin/sh
# Pathological inputs of issue 7 (work and memory not linear in the input),
# written into $1: each must finish within 1 GiB with a bounded stderr,
# rendered or refused with its limit message. tests/run.sh runs them under
# ulimit -v; scripts/bench.sh prints their time, memory and stderr size.
# Each line of $1/LIST: NAME EXPECTED-EXIT ARGS (relative to $1).
set -eu
out=$1
cp "$(dirname "$0")/school.yaml" "$out/"
head() { printf 'document: roadmap\ninclude: [school.yaml]\nroadmap:\n  title: "%s"\n' "$1"; }
: >"$out/LIST"

# a cell holding a list of 10,000 paragraphs (each append copied the array: 2 GB)
{
    head "Ячейка из 10000 абзацев"
    printf '  columns:\n    - {key: a, title: "Содержание"}\n  rows:\n    - a:\n'
    awk 'BEGIN { for (i = 0; i < 10000; i++) printf "        - \"Абзац %d\"\n", i }'
} >"$out/cell-10k.yaml"
echo "cell-10k 0 render cell-10k.yaml -o cell-10k.pdf" >>"$out/LIST"

# one flow-style line with 12,000 unknown keys (each message quoted the whole line)
awk 'BEGIN { printf "{document: order, include: [school.yaml], order: {number: \"1\", date: 2023-01-01, title: \"О\", points: [\"П.\"]"
             for (i = 0; i < 12000; i++) printf ", k%d: 1", i; print "}}" }' >"$out/flow-keys.yaml"
echo "flow-keys 1 render flow-keys.yaml -o flow-keys.pdf" >>"$out/LIST"

# a column title taller than a page (repeated on every page, one error per glyph)
{
    head "Заголовок столбца выше страницы"
    printf '  columns:\n    - {key: a, title: "%s"}\n    - {key: b, title: "Б"}\n  rows:\n' \
        "$(awk 'BEGIN { for (i = 0; i < 3000; i++) printf "заголовок " }')"
    awk 'BEGIN { for (i = 0; i < 300; i++) printf "    - {a: \"строка %d\", b: \"б\"}\n", i }'
} >"$out/tall-title.yaml"
echo "tall-title 1 render tall-title.yaml -o tall-title.pdf" >>"$out/LIST"

# a group column over 20,000 rows of one group (group breaks were quadratic)
{
    head "Группа из 20000 строк"
    printf '  columns:\n    - {key: g, title: "Модуль", width_mm: 40, group: true}\n'
    printf '    - {key: a, title: "Мероприятие"}\n  rows:\n'
    awk 'BEGIN { for (i = 0; i < 20000; i++) printf "    - {g: \"Модуль 1\", a: \"мероприятие %d\"}\n", i }'
} >"$out/group-20k.yaml"
echo "group-20k 0 render group-20k.yaml -o group-20k.pdf" >>"$out/LIST"

# nested each 300 x 300 x 300 that produces nothing (spun for minutes)
{
    printf 'page: {orientation: portrait}\nstyles:\n  body: {size: 12}\nblocks:\n'
    printf '  - each: roadmap.rows\n    as: r1\n    blocks:\n'
    printf '      - each: roadmap.rows\n        as: r2\n        blocks:\n'
    printf '          - each: roadmap.rows\n            as: r3\n            blocks:\n'
    printf '              - if: r3.nothing\n                blocks: [{paragraph: "x"}]\n'
} >"$out/each-nested.tpl.yaml"
{
    head "Вложенные циклы"
    printf 'template: each-nested.tpl.yaml\n' >/dev/null
    printf '  columns:\n    - {key: a, title: "А"}\n  rows:\n'
    awk 'BEGIN { for (i = 0; i < 300; i++) printf "    - {a: \"%d\"}\n", i }'
} >"$out/each-nested.yaml"
echo "each-nested 1 render each-nested.yaml --template each-nested.tpl.yaml -o each-nested.pdf" >>"$out/LIST"

# one word of 1,000,000 digits in a cell (each split counted the letters
# after it to keep the last piece from being a scrap: over an hour, now
# 0.2 s; run.sh's 60 s cap ends the old way)
{
    head "Слово из миллиона цифр"
    printf '  columns:\n    - {key: a, title: "Число"}\n  rows:\n'
    awk 'BEGIN { printf "    - {a: \""; for (i = 0; i < 100000; i++) printf "1234567890"; print "\"}" }'
} >"$out/digits-1m.yaml"
echo "digits-1m 0 render digits-1m.yaml -o digits-1m.pdf" >>"$out/LIST"

# a cell of 200,000 lines across 4,000 pages (each page walked the cell's
# lines from its first: 3.8 s, now 0.8 s; a bench figure, not a cap)
{
    head "Ячейка на 4000 страниц"
    printf '  columns:\n    - {key: a, title: "А", width_mm: 3}\n    - {key: b, title: "Б"}\n  rows:\n'
    awk 'BEGIN { printf "    - {a: \""; for (i = 0; i < 20000; i++) printf "1234567890"; print "\"}" }'
} >"$out/narrow-cell.yaml"
echo "narrow-cell 0 render narrow-cell.yaml -o narrow-cell.pdf" >>"$out/LIST"

# a template of 170,000 styles, each based on the one before (each style was
# found by walking the list: 80 s and more, now 1 s; run.sh's 60 s cap ends
# the old way)
awk 'BEGIN {
    printf "page: {orientation: portrait}\nstyles: {body: {size: 12}, s0: {}"
    for (i = 1; i < 170000; i++) printf ", s%x: {base: s%x}", i, i - 1
    print "}\nblocks:"
    for (i = 0; i < 1000; i++) printf "  - {paragraph: x, style: s%x}\n", 169999
}' >"$out/styles-170k.tpl.yaml"
printf 'document: order\ninclude: [school.yaml]\norder: {number: "1", date: 2023-09-15, title: "О", points: ["П."]}\n' \
    >"$out/styles-170k.yaml"
echo "styles-170k 0 render styles-170k.yaml --template styles-170k.tpl.yaml -o styles-170k.pdf" >>"$out/LIST"

# 8,000 partners of one name: each file name was compared with all before it
# for each suffix it tried (4,000 took 41 s, 8,000 over 5 minutes; now 0.04 s)
awk 'BEGIN { print "partners:"; for (i = 0; i < 8000; i++) print "  - {name: \"ООО «Ромашка»\"}" }' \
    >"$out/partners-same.yaml"
printf 'document: agreement\ninclude: [school.yaml, partners-same.yaml]\nagreement:\n  territory: "города"\n  until: 2024-12-30\n' \
    >"$out/agreement-same.yaml"
echo "agreement-same 0 render agreement-same.yaml --partner 8000" >>"$out/LIST"

# 199,000 fill blocks in a row: each summed the lines after it to the next
# page break (41 s, now 0.4 s; a bench figure: the old way stays under
# run.sh's 60 s cap)
awk 'BEGIN {
    print "page: {orientation: portrait}\nstyles:\n  body: {size: 12}\nblocks:\n  - {paragraph: x}"
    for (i = 0; i < 199000; i++) print "  - fill: true"
    print "  - {paragraph: y}"
}' >"$out/fills.tpl.yaml"
echo "fills 0 render styles-170k.yaml --template fills.tpl.yaml -o fills.pdf" >>"$out/LIST"

# a word of 80 letters as an order's point: its first line (after the
# point's number) held none of it and was stretched at ratio 1105, its letter
# spacing over libharu's limit: an internal error (exit 3)
printf 'document: order\ninclude: [school.yaml]\norder:\n  number: "1"\n  date: 2023-09-15\n  title: "О"\n  points:\n    - "%s"\n' \
    "$(awk 'BEGIN { for (i = 0; i < 80; i++) printf "ж" }')" >"$out/word-point.yaml"
echo "word-point 0 render word-point.yaml -o word-point.pdf" >>"$out/LIST"

# an order point of one word of 1,000,000 letters in justified text: the
# breaker chooses the cuts of a word wider than its line (docs/typesetting.md
# §3), two items a character for its first CUT_CHOICE_MAX characters, then
# greedy cuts (every cut chosen: 2,000,001 items, 3.9 s and 315 MB)
printf 'document: order\ninclude: [school.yaml]\norder:\n  number: "1"\n  date: 2023-09-15\n  title: "О"\n  points:\n    - "%s"\n' \
    "$(awk 'BEGIN { for (i = 0; i < 100000; i++) printf "abcdefghij" }')" >"$out/letters-1m-point.yaml"
echo "letters-1m-point 0 render letters-1m-point.yaml -o letters-1m-point.pdf" >>"$out/LIST"

#!/bin/sh
# Stress tables for the table engine, written into $1 (a dossier folder):
# every one must render with no glyph outside its cell or the page.
set -eu
out=$1
cp "$(dirname "$0")/school.yaml" "$out/"
repeat() { i=0; while [ $i -lt "$2" ]; do printf '%s ' "$1"; i=$((i + 1)); done; }
head() { printf 'document: roadmap\ninclude: [school.yaml]\nroadmap:\n  title: "%s"\n' "$1"; }

# 2,000 rows with a section every 25 rows: time must grow linearly
{
    head "Таблица на 2000 строк"
    printf '  columns:\n    - {key: num, title: "№", width_mm: 18, numbering: true}\n'
    printf '    - {key: event, title: "Мероприятие", width: 3}\n    - {key: when, title: "Срок"}\n'
    printf '    - {key: who, title: "Ответственный", width: 2}\n  rows:\n'
    i=0
    while [ $i -lt 2000 ]; do
        [ $((i % 25)) = 0 ] && printf '    - section: "Раздел %d: мероприятия наставнической программы"\n' $((i / 25 + 1))
        printf '    - {event: "Мероприятие %d по формированию наставнических пар и групп", when: "Сентябрь 2023", who: "Куратор, команда организаторов"}\n' $i
        i=$((i + 1))
    done
} >"$out/rows-2000.yaml"

# one word of 400 letters in a narrow cell
{
    head "Длинное слово"
    printf '  columns:\n    - {key: a, title: "Узкий", width_mm: 25}\n    - {key: b, title: "Широкий"}\n  rows:\n'
    # the word's row holds nothing else, so its text stays in one piece for
    # the round-trip check even where the page cuts the row
    printf '    - {a: "узкая", b: "обычный текст"}\n    - {a: "%s"}\n' "$(printf 'ж%.0s' $(seq 400))"
} >"$out/long-word.yaml"

# a row taller than a page: 120 paragraphs in one cell
{
    head "Строка выше страницы"
    printf '  columns:\n    - {key: num, title: "№", width_mm: 15, numbering: true}\n'
    printf '    - {key: a, title: "Содержание"}\n    - {key: b, title: "Результат"}\n  rows:\n'
    printf '    - {b: "короткий результат"}\n    - a:\n'
    i=0
    while [ $i -lt 120 ]; do
        printf '        - "Абзац %d: наставник и наставляемый составляют план встреч и обсуждают результаты."\n' $i
        i=$((i + 1))
    done
    printf '      b: "итог"\n'
} >"$out/tall-row.yaml"

# a single column and twelve columns, with empty cells
{
    head "Один столбец"
    printf '  columns:\n    - {key: a, title: "Мероприятие"}\n  rows:\n'
    printf '    - {a: "Первое"}\n    - {}\n    - {a: "Третье"}\n'
} >"$out/one-column.yaml"
{
    head "Двенадцать столбцов"
    printf '  columns:\n'
    for c in 1 2 3 4 5 6 7 8 9 10 11 12; do
        printf '    - {key: c%d, title: "Столбец номер %d"}\n' $c $c
    done
    printf '  rows:\n'
    for r in 1 2 3 4 5; do
        printf '    - {c1: "строка %d", c3: "наставничество в образовательной организации", c12: "итог"}\n' $r
    done
} >"$out/twelve-columns.yaml"

# a group whose label is taller than its rows, crossing a page
{
    head "Группы"
    printf '  columns:\n    - {key: g, title: "Модуль", width_mm: 30, group: true}\n'
    printf '    - {key: a, title: "Мероприятие"}\n  rows:\n'
    i=0
    # groups of 9 rows, then one of 50 rows that must cross a page
    while [ $i -lt 95 ]; do
        g=$((i / 9))
        [ $i -ge 45 ] && g=99
        printf '    - {g: "Модуль %d: очень длинное название модуля программы наставничества для проверки", a: "Мероприятие %d"}\n' $g $i
        i=$((i + 1))
    done
} >"$out/groups.yaml"

# a group label taller than a page over a first row taller than a page (the
# label once wrote past the end of the band array), then a normal group
{
    head "Группа выше страницы"
    printf '  columns:\n    - {key: g, title: "Модуль", width_mm: 40, group: true}\n'
    printf '    - {key: a, title: "Мероприятие"}\n  rows:\n'
    label() {
        printf '    - g:\n'
        i=0
        while [ $i -lt 200 ]; do
            printf '        - "Модуль %d"\n' $i
            i=$((i + 1))
        done
    }
    label
    printf '      a:\n'
    i=0
    while [ $i -lt 45 ]; do
        printf '        - "Абзац %d: наставник и наставляемый составляют план."\n' $i
        i=$((i + 1))
    done
    label
    printf '      a: "вторая строка группы"\n'
    printf '    - {g: "Модуль 2", a: "одна строка"}\n    - {g: "Модуль 2", a: "вторая строка"}\n'
} >"$out/group-taller-than-page.yaml"

# cells set in the smallest size a template may ask (4 pt, template.c), a
# template of its own: many bands per point of height (at 2 pt, before the
# size was range-checked, the band array overflowed)
sed 's/^  cell: {size: 11,\(.*\)space_after: 2}/  cell: {size: 4,\1space_after: 0}/' \
    "$(dirname "$0")/../../templates/roadmap.yaml" >"$out/tiny-cells.tpl.yaml"
{
    head "Ячейки в 4 пункта" | sed 's/^include: \[school.yaml\]$/include: [school.yaml]\ntemplate: tiny-cells.tpl.yaml/'
    printf '  columns:\n    - {key: g, title: "Модуль", width_mm: 30, group: true}\n'
    printf '    - {key: a, title: "Мероприятие"}\n  rows:\n'
    printf '    - g: "%s"\n      a:\n' "$(repeat модуль 400)"
    i=0
    while [ $i -lt 250 ]; do
        printf '        - "Абзац %d"\n' $i
        i=$((i + 1))
    done
} >"$out/tiny-cells.yaml"

# columns of 1 mm, a nine-level list in a narrow cell, a short title under a
# long parent: the columns widen to their widest letter, deep items unindent
{
    head "Узкие столбцы"
    printf '  columns:\n    - {key: a, title: "Ширина один миллиметр", width_mm: 1}\n'
    printf '    - {key: b, title: "Я", parent: "Очень длинный общий заголовок над узким столбцом"}\n'
    printf '    - {key: c, title: "Список", width_mm: 25}\n    - {key: d, title: "Остальное"}\n  rows:\n'
    printf '    - a: "широкий текст в узком столбце"\n      b: "ж"\n      d: "обычный текст"\n      c:\n        - numbered:\n'
    ind='            '
    i=1
    while [ $i -lt 9 ]; do
        printf '%s- text: "уровень %d списка"\n%s  items:\n' "$ind" $i "$ind"
        ind="$ind    "
        i=$((i + 1))
    done
    printf '%s- "девятый уровень"\n' "$ind"
} >"$out/narrow-columns.yaml"

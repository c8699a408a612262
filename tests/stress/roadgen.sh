#!/bin/sh
# Random roadmaps for the table engine: roadgen.sh OUT_DIR COUNT [SEED]
# writes OUT_DIR/road-<n>.yaml (and, for some, a template of their own with
# other cell sizes). Every one is valid input: it must render (exit 0) or be
# refused as input (exit 1) at a file:line:col, never end in an internal
# error. Columns tiny and huge, parent titles, group labels taller than their
# rows and than a page, nested lists nine levels deep, words of 80 letters,
# cell fonts from 2 to 40 pt. Same seed, same files. With RICH=1 (as used
# to hunt the split words of docs/typesetting.md): capitals, compounds,
# quotes, spaced hyphens, «№», NBSP, body paragraphs and lists, justified,
# letter-spaced and upper-cased cells with indents.
set -eu
out=$1
count=$2
seed=${3:-7}
rich=${RICH:-0}
here=$(dirname "$0")
cp "$here/school.yaml" "$out/"
cp "$here/../../templates/roadmap.yaml" "$out/roadmap-base.yaml"
awk -v out="$out" -v count="$count" -v seed="$seed" -v rich="$rich" '
function rnd(n) { return int(rand() * n) }
# letters one by one: mawk counts bytes, not characters
function word(   n, s, i, r) {
    n = rand() < 0.03 ? 30 + rnd(50) : 2 + rnd(10)
    s = ""
    if (!rich) {
        for (i = 0; i < n; i++) s = s L[1 + rnd(NL)]
        return s
    }
    for (i = 0; i < n; i++) s = s (rand() < 0.1 ? U[1 + rnd(NU)] : L[1 + rnd(NL)])
    r = rand()
    if (r < 0.05) s = s "-" word()
    else if (r < 0.08) s = "\\\"" s "\\\""
    else if (r < 0.11) s = s " -"
    else if (r < 0.13) s = "№" s
    else if (r < 0.15) s = s "\\u00A0" word()
    return s
}
function words(n,   s, i) {
    s = word()
    for (i = 1; i < n; i++) s = s " " word()
    return s
}
function text() {
    r = rand()
    if (r < 0.6) return words(1 + rnd(8))
    if (r < 0.9) return words(5 + rnd(40))
    return words(100 + rnd(300))
}
function list_items(level, max, ind,   n, i, pad) {
    pad = sprintf("%" ind "s", "")
    n = 1 + rnd(3)
    for (i = 0; i < n; i++) {
        if (level < max && rand() < 0.6) {
            printf "%s- text: \"%s\"\n%s  items:\n", pad, words(1 + rnd(5)), pad > f
            list_items(level + 1, max, ind + 4)
        } else {
            printf "%s- \"%s\"\n", pad, words(1 + rnd(6)) > f
        }
    }
}
function cell(key,   r, n, i) {
    r = rand()
    if (r < 0.75) { printf "      %s: \"%s\"\n", key, text() > f; return }
    if (r < 0.88) {
        printf "      %s:\n", key > f
        n = 2 + rnd(rand() < 0.2 ? 150 : 6)
        for (i = 0; i < n; i++) printf "        - \"%s\"\n", words(3 + rnd(15)) > f
        return
    }
    printf "      %s:\n        - \"%s\"\n        - %s:\n", key, words(3), (rand() < 0.5 ? "list" : "numbered") > f
    list_items(0, rand() < 0.4 ? 9 : 2, 12)
}
function doc(k,   ncols, c, r, nrows, g, glabel, tpl) {
    f = out "/road-" k ".yaml"
    tpl = rand() < 0.3
    printf "document: roadmap\ninclude: [school.yaml]\n" > f
    if (tpl) printf "template: road-%d.tpl.yaml\n", k > f
    printf "roadmap:\n  orientation: %s\n  title: \"%s\"\n", (rand() < 0.5 ? "portrait" : "landscape"), words(1 + rnd(rand() < 0.1 ? 200 : 10)) > f
    if (rich && rand() < 0.5) { printf "  body:\n    - \"%s\"\n    - list: [\"%s\", \"%s\"]\n    - numbered: [\"%s\"]\n", words(1 + rnd(30)), words(1 + rnd(10)), words(3), words(5) > f }
    printf "  columns:\n" > f
    ncols = 1 + rnd(rand() < 0.2 ? 14 : 6)
    for (c = 0; c < ncols; c++) {
        printf "    - key: c%d\n      title: \"%s\"\n", c, rand() < 0.1 ? words(20 + rnd(rand() < 0.3 ? 800 : 60)) : words(1 + rnd(4)) > f
        r = rand()
        if (r < 0.15) printf "      width_mm: %d\n", 1 + rnd(4) > f
        else if (r < 0.4) printf "      width_mm: %d\n", 5 + rnd(rand() < 0.1 ? 400 : 80) > f
        else if (r < 0.55) printf "      width: %d\n", 1 + rnd(5) > f
        if (c == 0 && rand() < 0.4) printf "      group: true\n" > f
        if (c > 0 && rand() < 0.25) printf "      parent: \"%s\"\n", rand() < 0.5 ? words(10 + rnd(40)) : "Общий" > f
        if (rand() < 0.1) printf "      numbering: true\n" > f
        if (rand() < 0.2) printf "      valign: %s\n", (rand() < 0.5 ? "middle" : "bottom") > f
        if (rand() < 0.2) printf "      align: %s\n", (rand() < 0.5 ? "center" : "right") > f
    }
    printf "  rows:\n" > f
    nrows = 1 + rnd(rand() < 0.2 ? 120 : 25)
    glabel = text()
    for (r = 0; r < nrows; r++) {
        if (rand() < 0.08) { printf "    - section: \"%s\"\n", text() > f; continue }
        printf "    - c0: \"%s\"\n", glabel > f
        if (rand() < 0.3) glabel = rand() < 0.3 ? words(50 + rnd(rand() < 0.3 ? 600 : 100)) : text()
        for (c = 1; c < ncols; c++) if (rand() < 0.8) cell("c" c)
    }
    close(f)
    if (tpl) {
        t = out "/road-" k ".tpl.yaml"
        while ((getline line < (out "/roadmap-base.yaml")) > 0) {
            if (line ~ /^  cell: / && !rich) line = sprintf("  cell: {size: %g, align: left, hyphenate: %s, leading: %g, indent_mm: 0, space_after: %d}", 2 + rnd(39) + rnd(10) / 10, rand() < 0.5 ? "true" : "false", 0.5 + rnd(20) / 10, rnd(8))
            else if (line ~ /^  cell: /) line = sprintf("  cell: {size: %g, align: %s, letter_spacing: %g, upper: %s, hyphenate: %s, leading: %g, indent_mm: %d, space_after: %d}", 4 + rnd(30), (rand() < 0.5 ? "justify" : "left"), rnd(4) / 2, (rand() < 0.2 ? "true" : "false"), rand() < 0.5 ? "true" : "false", 0.5 + rnd(20) / 10, rnd(20), rnd(8))
            else if (line ~ /^  cell_head: /) line = sprintf("  cell_head: {size: %g, align: center, bold: true, hyphenate: false, indent_mm: 0}", 3 + rnd(30))
            else if (line ~ /^  cell_section: /) line = sprintf("  cell_section: {size: %g, align: left, bold: true, hyphenate: true, indent_mm: 0}", 3 + rnd(30))
            print line > t
        }
        close(out "/roadmap-base.yaml")
        close(t)
    }
}
BEGIN { NL = split("а б в г д е ж з и к л м н о п р с т у ф х ц ч ш щ ы э ю я", L, " "); NU = split("Ж Щ Ш Ю М Ф W M", U, " "); srand(seed); for (k = 1; k <= count; k++) doc(k) }'
rm -f "$out/roadmap-base.yaml"

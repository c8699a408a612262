#!/bin/sh
# Survey dossiers of n items ($1) in each shape where a lookup or check
# linear per item made the survey code quadratic (src/survey.c,
# src/survey_tally.c), written into $2 with school.yaml. Aliases keep each
# item short, so that 65,536 items fit the 4 MiB a file may have. Each line
# of $2/LIST: NAME EXPECTED-EXIT ARGS (relative to $2), as patho.sh writes.
# tests/run.sh runs them under a CPU cap; by hand, at n, 2n, 4n, 8n, they
# give the figures of growth.
set -eu
n=$1
out=$2
cp "$(dirname "$0")/school.yaml" "$out/"
: >"$out/LIST"
last=$(printf 's%x' $((n - 1)))

# n surveys; the questionnaire prints the last (duplicate ids were checked
# against all before, survey_find walked the list)
awk -v n="$n" 'BEGIN {
    print "surveys:\n  - {id: s0, title: t, audience: any, questions: &q [{id: q, text: В, type: yesno}]}"
    for (i = 1; i < n; i++) printf "  - {id: s%x, title: t, audience: any, questions: *q}\n", i
}' >"$out/surveys.yaml"
printf 'surveys: [{id: s0, title: t, audience: any, questions: [{id: q, text: В, type: yesno}]}]\n' \
    >"$out/one.yaml"
printf 'document: questionnaire\ninclude: [school.yaml, surveys.yaml]\nquestionnaire: {survey: %s}\n' \
    "$last" >"$out/defs.yaml"
echo "defs 0 check defs.yaml" >>"$out/LIST"

# n surveys of one id: one message per duplicate, the first at the second
{
    printf 'document: questionnaire\ninclude: [school.yaml]\nquestionnaire: {survey: s}\nsurveys:\n'
    printf '  - {id: s, title: t, audience: any, questions: &q [{id: q, text: В, type: yesno}]}\n'
    awk -v n="$n" 'BEGIN { for (i = 1; i < n; i++) print "  - {id: s, title: t, audience: any, questions: *q}" }'
} >"$out/dups.yaml"
echo "dups 1 check dups.yaml" >>"$out/LIST"

rep() { printf 'document: report\ninclude: [school.yaml, surveys.yaml]\n'; }
# a set of responses for each survey (the tally walked its list per set)
{
    rep
    printf 'report:\n  title: t\n  parts: [{survey: %s}]\n  responses:\n' "$last"
    printf '    - {survey: s0, stage: before, rows: &r [{q: да}]}\n'
    awk -v n="$n" 'BEGIN { for (i = 1; i < n; i++) printf "    - {survey: s%x, stage: before, rows: *r}\n", i }'
} >"$out/sets.yaml"
echo "sets 0 check sets.yaml" >>"$out/LIST"

# n sets naming the last of n top-level keys of rows, which share their first
# 36 letters (each set walked the dossier's keys, comparing the letters; the
# keys in a file of their own; one survey)
key=responses_abcdefghijklmnopqrstuvwxyz
awk -v n="$n" -v key="$key" 'BEGIN {
    printf "%s_0: &r [{q: да}]\n", key
    for (i = 1; i < n; i++) printf "%s_%x: *r\n", key, i
}' >"$out/named-rows.yaml"
{
    printf 'document: report\ninclude: [school.yaml, one.yaml, named-rows.yaml]\n'
    printf 'report:\n  title: t\n  parts: [{survey: s0}]\n  responses:\n'
    printf '    - {survey: s0, stage: after, rows: &k %s_%x}\n' "$key" $((n - 1))
    awk -v n="$n" 'BEGIN { for (i = 1; i < n; i++) print "    - {survey: s0, stage: after, rows: *k}" }'
} >"$out/named.yaml"
echo "named 0 check named.yaml" >>"$out/LIST"

# n share indicators of the last survey (survey_share walked the list)
{
    rep
    printf 'report:\n  title: t\n  parts:\n    - indicators:\n'
    printf '        - {text: д, from: &f {survey: %s, question: q, answer: да}}\n' "$last"
    awk -v n="$n" 'BEGIN { for (i = 1; i < n; i++) print "        - {text: д, from: *f}" }'
} >"$out/indicators.yaml"
echo "indicators 0 check indicators.yaml" >>"$out/LIST"

# one set of n / 2 rows, each of its own role, then 2n rows of the last
# role (each row walked the groups; one survey)
{
    printf 'document: report\ninclude: [school.yaml, one.yaml]\n'
    printf 'report:\n  title: t\n  parts: [{survey: s0}]\n  responses:\n    - survey: s0\n'
    printf '      stage: before\n      rows:\n'
    awk -v n="$n" 'BEGIN {
        for (i = 1; i < n / 2; i++) printf "        - {q: да, role: респондент %x}\n", i
        print "        - &g {q: да, role: респондент 0}"
        for (i = 0; i < 2 * n; i++) print "        - *g"
    }'
} >"$out/groups.yaml"
echo "groups 0 check groups.yaml" >>"$out/LIST"

# n / 64 parts of the last survey (each found by a walk of the list)
{
    rep
    printf 'report:\n  title: t\n  parts:\n'
    awk -v n="$n" -v last="$last" 'BEGIN { for (i = 0; i < n / 64; i++) printf "    - survey: %s\n", last }'
} >"$out/sections.yaml"
echo "sections 0 check sections.yaml" >>"$out/LIST"

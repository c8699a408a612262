#!/bin/sh
# The examples of README.md render: every fenced block right after a line
#   <!-- файл: DIR/NAME -->
# is written to SCRATCH/DIR/NAME, then every written file with a top-level
# "document:" key is rendered (into SCRATCH/out) with --strict: it must
# exit 0, with no warning either (a newcomer copies them).
# Usage: scripts/readme-examples.sh NASTAVDOC README.md SCRATCH
# Prints one line per failure; exits 1 if any, 0 otherwise.
bin=$1 readme=$2 scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch/out" || exit 1
list=$scratch/files
awk -v dir="$scratch" -v list="$list" '
    /^<!-- файл: [^ ]+ -->$/ { name = $3; next }
    name != "" && /^```/ && !inside { inside = 1; out = dir "/" name
        d = out; sub(/\/[^\/]*$/, "", d); system("mkdir -p \"" d "\"")
        printf "" > out; print name >> list; next }
    inside && /^```$/ { inside = 0; close(out); name = ""; next }
    inside { print >> out; next }
    name != "" && !/^[ \t]*$/ { name = "" }
' "$readme"
[ -s "$list" ] || { echo "$readme: no example marked <!-- файл: … -->"; exit 1; }
fail=0 n=0
while IFS= read -r f; do
    grep -q '^document:' "$scratch/$f" || continue
    n=$((n + 1))
    out=$scratch/out/$(printf '%s' "$f" | tr '/' '-').pdf
    if ! "$bin" render "$scratch/$f" --strict -o "$out" >"$scratch/err" 2>&1; then
        echo "$readme: example $f does not render:"; head -5 "$scratch/err"; fail=$((fail + 1))
    fi
done <"$list"
echo "$readme: $n examples, $fail of them do not render"
[ "$fail" = 0 ]

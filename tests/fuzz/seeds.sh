#!/bin/sh
# Build the seed corpora of the fuzz harnesses from the repository's files.
# Usage: tests/fuzz/seeds.sh OUT_DIR   (run from the repository root)
# OUT_DIR/doc: every sample and test document with the school.yaml it
# includes merged in (fuzz_doc reads one file, without includes), and the
# documents of tests/bad. OUT_DIR/template: the stock templates and the
# templates of tests/bad. Whole-line comments are dropped to keep the seeds
# under the harnesses' -max_len.
set -eu
out=$1
mkdir -p "$out/doc" "$out/template"
nocomments() { grep -av '^[[:space:]]*#' "$1" || true; }
for f in samples/*/*.yaml tests/docs/*.yaml tests/bad/*/doc.yaml; do
    [ "$(basename "$f")" = school.yaml ] && continue
    dir=$(dirname "$f")
    name=$(basename "$dir")-$(basename "$f")
    if grep -aq '^include: \[\?school\.yaml\]\?[[:space:]]*$' "$f" && [ -f "$dir/school.yaml" ]; then
        nocomments "$f" | while IFS= read -r line; do
            case $line in
            include:*) nocomments "$dir/school.yaml" ;;
            *) printf '%s\n' "$line" ;;
            esac
        done >"$out/doc/$name"
    else
        nocomments "$f" >"$out/doc/$name"
    fi
done
for f in templates/*.yaml tests/bad/*/my.yaml; do
    name=$(basename "$(dirname "$f")")-$(basename "$f")
    nocomments "$f" >"$out/template/$name"
done

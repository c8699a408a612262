#!/bin/sh
# Build the seed corpora of the fuzz harnesses from the repository's files.
# Usage: tests/fuzz/seeds.sh OUT_DIR [doc|template|csv|compiled|hyb]   (from the repository root;
# both corpora when the second argument is absent)
# OUT_DIR/doc: every sample and test document with the school.yaml it
# includes merged in (fuzz_doc reads one file, without includes), and the
# documents of tests/bad. OUT_DIR/template: the stock templates and the
# templates of tests/bad; each also gets the hand-written seeds of
# tests/fuzz/seeds/ (structures the samples lack: inline tables, tiny
# styles, nested each, columns). OUT_DIR/csv: tests/fuzz/seeds/csv/ and the
# CSV files of the samples. OUT_DIR/compiled: make's compiled templates
# (build/templates/*.ynb, src/yaml_compiled.h). OUT_DIR/hyb: the compiled
# hyphenation dictionary (build/hyph_ru_RU.hyb). Whole-line comments are dropped to keep the seeds
# under the harnesses' -max_len.
set -eu
out=$1
which=${2:-all}
nocomments() { grep -av '^[[:space:]]*#' "$1" || true; }
wants() { [ "$which" = all ] || [ "$which" = "$1" ]; }
for h in doc template csv compiled hyb; do
    if wants $h; then mkdir -p "$out/$h"; fi
done
if wants doc; then for f in samples/*/*.yaml tests/docs/*.yaml tests/bad/*/doc.yaml; do
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
done; fi
for h in doc template csv; do
    wants $h || continue
    for f in tests/fuzz/seeds/$h/*; do
        [ -f "$f" ] && cp "$f" "$out/$h/seed-$(basename "$f")"
    done
done
if wants template; then for f in templates/*.yaml tests/bad/*/my.yaml; do
    name=$(basename "$(dirname "$f")")-$(basename "$f")
    nocomments "$f" >"$out/template/$name"
done; fi
if wants csv; then for f in samples/*/*.csv; do
    [ -f "$f" ] && cp "$f" "$out/csv/$(basename "$(dirname "$f")")-$(basename "$f")"
done; fi
if wants compiled; then for f in build/templates/*.ynb; do
    [ -f "$f" ] && cp "$f" "$out/compiled/"
done; fi
if wants hyb; then cp build/hyph_ru_RU.hyb "$out/hyb/"; fi

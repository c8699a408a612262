#!/bin/sh
# Render every sample document into out/<dossier>-<name>.pdf.
set -eu
cd "$(dirname "$0")/.."
mkdir -p out
status=0
for doc in samples/*/*.yaml; do
    grep -q '^document:' "$doc" || continue
    dir=$(basename "$(dirname "$doc")")
    out="out/$dir-$(basename "$doc" .yaml).pdf"
    if ./nastavdoc render "$doc" -o "$out"; then
        pages=$(pdfinfo "$out" 2>/dev/null | sed -n 's/^Pages: *//p')
        echo "$out: ${pages:-?} стр., $(wc -c <"$out") байт"
    else
        status=1
    fi
done
exit $status

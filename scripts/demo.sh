#!/bin/sh
# Render every sample document into out/<dossier>/<name>.pdf with the
# program's own batch command (it decides what is a document by loading the
# YAML), then list the PDFs with their pages and sizes.
set -eu
cd "$(dirname "$0")/.."
status=0
./nastavdoc batch samples/* -o out || status=$?
find out -name '*.pdf' | sort | while IFS= read -r pdf; do
    pages=$(pdfinfo "$pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
    echo "$pdf: ${pages:-?} стр., $(wc -c <"$pdf") байт"
done
exit $status

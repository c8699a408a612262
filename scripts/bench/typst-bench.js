// make bench (scripts/bench.sh): Typst 0.14, through npm's
// @myriaddreamin/typst-ts-node-compiler, renders scripts/bench/order-669.typ.
//   node typst-bench.js MODULES FONT_DIR TYP OUT_DIR N
// N = 0: one PDF, as a whole process does it (the bench times the process).
// N > 0: then N more in the same process, each with another order number,
// as 100 orders in one node process with Typst's caches warm.
'use strict';
const fs = require('fs');
const path = require('path');
const [modules, fontDir, typ, outDir, count] = process.argv.slice(2);
const { NodeCompiler } = require(path.join(modules, '@myriaddreamin/typst-ts-node-compiler'));
const source = fs.readFileSync(typ, 'utf8');
const compiler = NodeCompiler.create({ workspace: path.dirname(typ), fontArgs: [{ fontPaths: [fontDir] }] });
const render = (text, out) => fs.writeFileSync(out, compiler.pdf({ mainFileContent: text }));
render(source, path.join(outDir, 'order-0.pdf'));
for (let i = 1; i <= Number(count); i++)
    render(source.replace('№~669', '№~' + i), path.join(outDir, `order-${i}.pdf`));

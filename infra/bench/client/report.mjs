// Merges the suites' rows, prints the table and writes the results.
// Usage: node report.mjs OUT_DIR PART.json...
//   OUT_DIR/latest.json   [{"name", "value", "unit", "anchor", "anchor_value", "ratio", "target", "met"}] (issue 6)
//   OUT_DIR/details.json  the same rows with spread (min, max over rounds), rounds and notes
import fs from 'node:fs';
import path from 'node:path';

const [outDir, ...parts] = process.argv.slice(2);
const rows = parts.flatMap((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
const KEYS = ['name', 'value', 'unit', 'anchor', 'anchor_value', 'ratio', 'target', 'met'];

fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'latest.json'),
  JSON.stringify(rows.map((r) => Object.fromEntries(KEYS.map((k) => [k, r[k] ?? null]))), null, 1) + '\n');
fs.writeFileSync(path.join(outDir, 'details.json'), JSON.stringify(rows, null, 1) + '\n');

const fmt = (v) => (v === null || v === undefined ? '-' : String(v));
const ours = (r) => (r.value === null ? 'n/a' : r.spread && r.rounds > 1 ? `${r.value} [${r.spread[0]}..${r.spread[1]}]` : fmt(r.value));
const table = [['figure', 'unit', 'ours (median [min..max])', 'anchor', 'anchor value', 'ratio', 'target', 'met']]
  .concat(rows.map((r) => [r.name, r.unit, ours(r), fmt(r.anchor), fmt(r.anchor_value), fmt(r.ratio), fmt(r.target),
    r.met === null ? '-' : r.met ? 'yes' : 'NO']));
const widths = table[0].map((_, i) => Math.max(...table.map((t) => t[i].length)));
const line = (t) => t.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
console.log(line(table[0]));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
table.slice(1).forEach((t) => console.log(line(t)));
const notes = rows.filter((r) => r.note);
if (notes.length) {
  console.log('\nnotes:');
  notes.forEach((r) => console.log(`  ${r.name}: ${r.note}`));
}
// the same table in Markdown, for BENCHMARKS.md
const md = [`| ${table[0].join(' | ')} |`, `|${table[0].map(() => '---').join('|')}|`]
  .concat(table.slice(1).map((t) => `| ${t.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`));
fs.writeFileSync(path.join(outDir, 'latest.md'), md.join('\n') + '\n\n' + notes.map((r) => `- \`${r.name}\`: ${r.note}`).join('\n') + '\n');
const rounds = Math.max(0, ...rows.map((r) => r.rounds ?? 0));
console.log(`\n${rows.length} figures (rounds per figure: up to ${rounds}); ${path.join(outDir, 'latest.json')}`);

// `npm run bench`: runs every benchmark and prints one table — row, value, goal, met?, detail.
//
//   npm run bench                          every benchmark
//   npm run bench -- --only NAME [...]     only these (names below); repeatable
//   npm run bench -- --markdown            the table as Markdown, with the command of each row
//
// Progress goes to stderr, the table to stdout. Benchmarks are measurements, not tests: nothing
// here fails on a missed goal; the table says which goals are met.
import { cpus, loadavg, release } from 'node:os';
import { parseArgs } from 'node:util';
import { mountinfoParse } from './mountinfo-parse.js';
import { propagationScale } from './propagation-scale.js';
import { restoreRows } from './restore.js';
import { setGroupCycle } from './set-group-cycle.js';
import { setGroupInstructions } from './set-group-instructions.js';
import { goalMet, type BenchRow } from './stats.js';
import { workload } from './workload.js';

/** Every benchmark, by the name --only takes, in the order of the table. */
const benchmarks: Record<string, () => BenchRow[] | Promise<BenchRow[]>> = {
  'set-group-cycle': () => setGroupCycle(),
  'set-group-instructions': () => setGroupInstructions(),
  workload: () => workload(),
  'propagation-scale': () => propagationScale(),
  'mountinfo-parse': () => mountinfoParse(),
  restore: () => restoreRows(),
};

interface Result {
  bench: string;
  row: BenchRow;
}

function formatValue(row: BenchRow): string {
  const digits = row.value >= 100 ? 0 : row.value >= 10 ? 1 : 2;
  const value = row.value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return row.unit === 'ratio' ? value : row.unit === 'x' ? `${value}x` : `${value} ${row.unit}`;
}

function formatGoal(row: BenchRow): string {
  return row.goal === undefined ? '' : `${row.goal.op} ${row.goal.value}${row.unit === 'ratio' ? '' : row.unit === 'x' ? 'x' : ` ${row.unit}`}`;
}

function formatMet(row: BenchRow): string {
  const met = goalMet(row);
  return met === undefined ? '' : met ? 'yes' : 'NO';
}

function command(bench: string): string {
  return `npm run bench -- --only ${bench}`;
}

function plainTable(results: readonly Result[]): string {
  const header = ['row', 'value', 'goal', 'met?', 'detail'];
  const lines = results.map(({ row }) => [row.name, formatValue(row), formatGoal(row), formatMet(row), row.detail ?? '']);
  const widths = header.slice(0, 4).map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]) => cells.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd();
  return [format(header), ...lines.map(format)].join('\n');
}

function markdownTable(results: readonly Result[]): string {
  const escape = (text: string) => text.replaceAll('|', '\\|');
  const lines = results.map(({ bench, row }) =>
    `| ${escape(row.name)} | ${formatValue(row)} | ${formatGoal(row)} | ${formatMet(row)} | ${escape(row.detail ?? '')} | \`${command(bench)}\` |`);
  return ['| row | value | goal | met? | detail | command |', '|---|---|---|---|---|---|', ...lines].join('\n');
}

/** When and where the table was made: these machines are shared, so the load is part of the result. */
function runContext(loadBefore: number[]): string {
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return [
    `${new Date().toISOString()}: Linux ${release()}, Node ${process.version}, ${cpus().length} × ${cpu}`,
    `load average (1, 5, 15 min): ${load(loadBefore)} before, ${load(loadavg())} after`,
  ].join('\n');
}

function selected(only: readonly string[]): string[] {
  const unknown = only.filter((name) => !(name in benchmarks));
  if (unknown.length > 0) {
    throw new Error(`unknown benchmark ${unknown.join(', ')}; the benchmarks are: ${Object.keys(benchmarks).join(', ')}`);
  }
  return only.length > 0 ? [...only] : Object.keys(benchmarks);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string', multiple: true }, markdown: { type: 'boolean' } } });
  const results: Result[] = [];
  const loadBefore = loadavg();
  for (const bench of selected(values.only ?? [])) {
    const start = performance.now();
    process.stderr.write(`${bench}...`);
    const rows = await benchmarks[bench]!();
    process.stderr.write(` ${((performance.now() - start) / 1000).toFixed(0)} s\n`);
    results.push(...rows.map((row) => ({ bench, row })));
  }
  process.stdout.write(`${runContext(loadBefore)}\n\n${values.markdown ? markdownTable(results) : plainTable(results)}\n`);
}

await main();

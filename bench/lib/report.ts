/** One line of the benchmark table. `met` is undefined for a figure without a target. */
export interface Row {
  figure: string;
  balenaSdk: string;
  ours: string;
  /** ours ÷ balena-sdk */
  ratio: string;
  target: string;
  met?: boolean;
}

/** What one benchmark reports: its table rows, and every raw figure for `bench/results.json`. */
export interface Section {
  name: string;
  rows: Row[];
  details: Record<string, unknown>;
}

/** The rows as a Markdown table (what the README shows). */
export function formatTable(rows: readonly Row[]): string {
  const header = ['figure', 'balena-sdk 22.4.9', 'ours', 'ratio', 'target', 'met?'];
  const cells = rows.map((row) => [
    row.figure,
    row.balenaSdk,
    row.ours,
    row.ratio,
    row.target,
    row.met === undefined ? '—' : row.met ? 'yes' : '**no**',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i].length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.map(line)].join('\n');
}

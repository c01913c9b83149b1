export interface TicketTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/** A plain, script-free page: a quickstart user opens it in a browser to see the tickets. */
export function renderTicketPage(table: TicketTable): string {
  const head = table.columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('');
  const body =
    table.rows.length === 0
      ? `<tr><td colspan="${table.columns.length}">No tickets yet.</td></tr>`
      : table.rows
          .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
          .join('\n');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(table.title)}</title>`,
    '<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse}',
    'th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}th{background:#eee}</style>',
    '</head><body>',
    `<h1>${escapeHtml(table.title)}</h1>`,
    `<p>${table.rows.length} ticket(s). This page is read-only.</p>`,
    `<table><thead><tr>${head}</tr></thead><tbody>`,
    body,
    '</tbody></table></body></html>',
  ].join('\n');
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

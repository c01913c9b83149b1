import { CHOICES, JOURNAL_COLUMNS, REFERENCE_COLUMNS } from './incident-schema';
import type { JournalEntry, ReferenceTarget, TableRecord } from './table-store';

export type DisplayMode = 'false' | 'true' | 'all';

export interface ViewOptions {
  readonly baseUrl: string;
  /** sysparm_fields; every column when undefined. */
  readonly fields: readonly string[] | undefined;
  readonly display: DisplayMode;
  readonly excludeReferenceLink: boolean;
  readonly referenceTargets: Readonly<Record<string, readonly ReferenceTarget[]>>;
}

/** A record as the Table API returns it, honouring sysparm_fields / _display_value / _exclude_reference_link. */
export function renderRecord(record: TableRecord, options: ViewOptions): Record<string, unknown> {
  const columns = options.fields ?? Object.keys(record.fields);
  const result: Record<string, unknown> = {};
  for (const column of columns) {
    // Unknown names in sysparm_fields are left out rather than refused.
    if (!(column in record.fields)) continue;
    result[column] = renderValue(record, column, options);
  }
  return result;
}

function renderValue(record: TableRecord, column: string, options: ViewOptions): unknown {
  const value = record.fields[column] ?? '';
  const display = displayValue(record, column, options.referenceTargets);
  const referenceTable = REFERENCE_COLUMNS[column];
  const link =
    referenceTable !== undefined && value !== '' && !options.excludeReferenceLink
      ? `${options.baseUrl}/api/now/table/${referenceTable}/${encodeURIComponent(value)}`
      : undefined;
  switch (options.display) {
    case 'false':
      if (JOURNAL_COLUMNS.has(column)) return '';
      return link === undefined ? value : { link, value };
    case 'true':
      return link === undefined ? display : { display_value: display, link };
    case 'all':
      return link === undefined
        ? { display_value: display, value: JOURNAL_COLUMNS.has(column) ? '' : value }
        : { display_value: display, link, value };
  }
}

function displayValue(
  record: TableRecord,
  column: string,
  referenceTargets: Readonly<Record<string, readonly ReferenceTarget[]>>,
): string {
  const value = record.fields[column] ?? '';
  if (JOURNAL_COLUMNS.has(column)) {
    const elements: ReadonlyArray<JournalEntry['element']> =
      column === 'comments_and_work_notes'
        ? ['work_notes', 'comments']
        : [column as JournalEntry['element']];
    return journalText(record.journal.filter((entry) => elements.includes(entry.element)));
  }
  const choice = CHOICES[column]?.[value];
  if (choice !== undefined) return choice;
  const referenceTable = REFERENCE_COLUMNS[column];
  if (referenceTable !== undefined) {
    return (
      referenceTargets[referenceTable]?.find((target) => target.sysId === value)?.names[0] ?? value
    );
  }
  return value;
}

/** Newest first, as the activity stream and the display value of a journal field show it. */
function journalText(entries: readonly JournalEntry[]): string {
  return [...entries]
    .reverse()
    .map(
      (entry) =>
        `${entry.createdOn} - ${entry.createdBy} (${entry.element === 'work_notes' ? 'Work notes' : 'Additional comments'})\n${entry.value}\n\n`,
    )
    .join('');
}

import { randomBytes } from 'node:crypto';
import type { Clock } from '@hum/common';
import {
  CHOICES,
  FIELD_LABELS,
  JOURNAL_COLUMNS,
  priorityFor,
  REFERENCE_COLUMNS,
  STATE,
  SYSTEM_COLUMNS,
  TASK_COLUMNS,
  type FieldLimits,
} from './incident-schema';
import {
  aclUpdateException,
  dataPolicyException,
  noRecordFound,
  ServiceNowApiError,
} from './servicenow-errors';

export interface JournalEntry {
  readonly element: 'work_notes' | 'comments';
  readonly value: string;
  readonly createdOn: string;
  readonly createdBy: string;
}

export interface TableRecord {
  readonly table: string;
  /** Every column as the platform stores it: strings, '' for empty. */
  readonly fields: Record<string, string>;
  readonly journal: JournalEntry[];
  /** Columns whose value the platform shortened (fieldLengthPolicy 'truncate'). */
  readonly truncated: Set<string>;
}

export interface TableConfig {
  readonly name: string;
  /** Record numbers look like INC0010001. */
  readonly numberPrefix: string;
}

export interface Actor {
  readonly userName: string;
  readonly sysId: string;
}

export interface ReferenceTarget {
  readonly sysId: string;
  /** The names a client may use instead of the sys_id. */
  readonly names: readonly string[];
}

export interface StoreOptions {
  readonly tables: readonly TableConfig[];
  readonly limits: FieldLimits;
  /** 'reject' answers 400 for an over-long value; 'truncate' shortens it, as the platform does. */
  readonly fieldLengthPolicy: 'reject' | 'truncate';
  readonly closeCodes: readonly string[];
  /** Users and groups a reference may name by display value. */
  readonly referenceTargets: Readonly<Record<string, readonly ReferenceTarget[]>>;
}

const FIRST_NUMBER = 10_001;

/**
 * Task-like tables (incident by default) with the platform's business rules: numbering,
 * priority from impact × urgency, state changes and what they require, journals.
 */
export class TableStore {
  private records = new Map<string, TableRecord>();
  // correlation_id is how integrations find their records; index it as an instance would.
  private byCorrelation = new Map<string, Set<string>>();
  private counters = new Map<string, number>();
  private readonly columns: ReadonlySet<string> = new Set(TASK_COLUMNS);

  constructor(
    private readonly options: StoreOptions,
    private readonly clock: Clock,
  ) {}

  get tableColumns(): ReadonlySet<string> {
    return this.columns;
  }

  table(name: string): TableConfig | undefined {
    return this.options.tables.find((table) => table.name === name);
  }

  list(table: string): TableRecord[] {
    return [...this.records.values()].filter((record) => record.table === table);
  }

  all(): TableRecord[] {
    return [...this.records.values()];
  }

  /** Records whose correlation_id equals `value` (case-insensitive), via the index. */
  withCorrelationId(table: string, value: string): TableRecord[] {
    return (
      [...(this.byCorrelation.get(value.toLowerCase()) ?? [])]
        .map((sysId) => this.records.get(sysId)!)
        .filter((record) => record.table === table)
        // Numbers grow with creation, so this keeps the order list() has.
        .sort((left, right) => left.fields['number']!.localeCompare(right.fields['number']!))
    );
  }

  find(table: string, sysIdOrNumber: string): TableRecord | undefined {
    const direct = this.records.get(sysIdOrNumber);
    if (direct && direct.table === table) return direct;
    return this.list(table).find((record) => record.fields['number'] === sysIdOrNumber);
  }

  require(table: string, sysId: string): TableRecord {
    const record = this.records.get(sysId);
    if (!record || record.table !== table) throw noRecordFound();
    return record;
  }

  reset(): void {
    this.records = new Map();
    this.byCorrelation = new Map();
    this.counters = new Map();
  }

  insert(tableName: string, input: Record<string, unknown>, actor: Actor): TableRecord {
    const table = this.table(tableName)!;
    const now = glideDateTime(this.clock.now());
    const number = (this.counters.get(table.name) ?? FIRST_NUMBER - 1) + 1;
    this.counters.set(table.name, number);
    const fields: Record<string, string> = Object.fromEntries(
      TASK_COLUMNS.map((column) => [column, '']),
    );
    Object.assign(fields, {
      sys_id: randomBytes(16).toString('hex'),
      number: `${table.numberPrefix}${String(number).padStart(7, '0')}`,
      sys_class_name: table.name,
      sys_created_on: now,
      sys_created_by: actor.userName,
      sys_updated_on: now,
      sys_updated_by: actor.userName,
      sys_mod_count: '0',
      sys_domain: 'global',
      sys_domain_path: '/',
      opened_at: now,
      opened_by: actor.sysId,
      caller_id: '',
      active: 'true',
      approval: 'not requested',
      escalation: '0',
      impact: '3',
      urgency: '3',
      severity: '3',
      state: STATE.new,
      notify: '1',
      made_sla: 'true',
      knowledge: 'false',
      reassignment_count: '0',
      reopen_count: '0',
      upon_approval: 'proceed',
      upon_reject: 'cancel',
    });
    const record: TableRecord = { table: table.name, fields, journal: [], truncated: new Set() };
    this.apply(record, input, actor, { ...fields }, true);
    this.records.set(fields['sys_id']!, record);
    this.indexCorrelation(record.fields['sys_id']!, '', record.fields['correlation_id'] ?? '');
    return record;
  }

  update(
    tableName: string,
    sysId: string,
    input: Record<string, unknown>,
    actor: Actor,
  ): TableRecord {
    const record = this.require(tableName, sysId);
    const state = record.fields['state'];
    // Closed and canceled tasks are read-only to everyone but admins.
    if (state === STATE.closed || state === STATE.canceled) throw aclUpdateException();
    const before = { ...record.fields };
    this.apply(record, input, actor, before, false);
    this.indexCorrelation(
      sysId,
      before['correlation_id'] ?? '',
      record.fields['correlation_id'] ?? '',
    );
    record.fields['sys_updated_on'] = glideDateTime(this.clock.now());
    record.fields['sys_updated_by'] = actor.userName;
    record.fields['sys_mod_count'] = String(Number(record.fields['sys_mod_count'] ?? '0') + 1);
    return record;
  }

  delete(tableName: string, sysId: string): void {
    const record = this.require(tableName, sysId);
    this.records.delete(sysId);
    this.indexCorrelation(sysId, record.fields['correlation_id'] ?? '', '');
  }

  /**
   * Validates and applies client input atomically: the record changes only when every rule
   * passes. Unknown columns are ignored, as the Table API ignores them.
   */
  private apply(
    record: TableRecord,
    input: Record<string, unknown>,
    actor: Actor,
    before: Readonly<Record<string, string>>,
    inserting: boolean,
  ): void {
    const next: Record<string, string> = { ...record.fields };
    const truncated = new Set<string>();
    const notes: JournalEntry[] = [];
    const now = glideDateTime(this.clock.now());
    for (const [column, raw] of Object.entries(input)) {
      if (!this.columns.has(column) || SYSTEM_COLUMNS.has(column)) continue;
      let value = stringValue(raw);
      value = this.withinLimit(column, value, truncated);
      if (JOURNAL_COLUMNS.has(column)) {
        if (value.trim() !== '') {
          notes.push({
            element: column === 'comments' ? 'comments' : 'work_notes',
            value,
            createdOn: now,
            createdBy: actor.userName,
          });
        }
        continue;
      }
      const referenceTable = REFERENCE_COLUMNS[column];
      if (referenceTable !== undefined) value = this.resolveReference(referenceTable, value);
      this.checkChoice(column, value);
      next[column] = value;
    }

    next['priority'] = priorityFor(next['impact'] ?? '3', next['urgency'] ?? '3');
    this.applyStateRules(next, before, actor, now, inserting);
    next['incident_state'] = next['state']!;

    Object.assign(record.fields, next);
    for (const column of truncated) record.truncated.add(column);
    record.journal.push(...notes);
  }

  private applyStateRules(
    next: Record<string, string>,
    before: Readonly<Record<string, string>>,
    actor: Actor,
    now: string,
    inserting: boolean,
  ): void {
    const from = inserting ? STATE.new : before['state'];
    const to = next['state'];
    const resolving = to === STATE.resolved || to === STATE.closed;
    if (resolving) {
      const missing = ['close_code', 'close_notes'].filter(
        (column) => (next[column] ?? '').trim() === '',
      );
      if (missing.length > 0)
        throw dataPolicyException(missing.map((column) => FIELD_LABELS[column]!));
    }
    if (to === STATE.onHold && (next['hold_reason'] ?? '') === '') {
      throw dataPolicyException([FIELD_LABELS['hold_reason']!]);
    }
    if (to !== STATE.onHold) next['hold_reason'] = '';
    if (to === from) return;
    if (resolving && from !== STATE.resolved) {
      next['resolved_at'] = now;
      next['resolved_by'] = actor.sysId;
    }
    if (to === STATE.closed) {
      next['closed_at'] = now;
      next['closed_by'] = actor.sysId;
    }
    if (to === STATE.closed || to === STATE.canceled) next['active'] = 'false';
    // Reopening a resolved incident: the resolve stamps go, the count goes up.
    if (from === STATE.resolved && !resolving && to !== STATE.canceled) {
      next['resolved_at'] = '';
      next['resolved_by'] = '';
      next['reopen_count'] = String(Number(next['reopen_count'] ?? '0') + 1);
      next['reopened_by'] = actor.sysId;
      next['reopened_time'] = now;
    }
  }

  private indexCorrelation(sysId: string, before: string, after: string): void {
    if (before === after) return;
    if (before !== '') this.byCorrelation.get(before.toLowerCase())?.delete(sysId);
    if (after === '') return;
    const key = after.toLowerCase();
    let ids = this.byCorrelation.get(key);
    if (!ids) {
      ids = new Set();
      this.byCorrelation.set(key, ids);
    }
    ids.add(sysId);
  }

  private withinLimit(column: string, value: string, truncated: Set<string>): string {
    const limit = (this.options.limits as unknown as Record<string, number | undefined>)[column];
    if (limit === undefined || value.length <= limit) return value;
    if (this.options.fieldLengthPolicy === 'truncate') {
      truncated.add(column);
      return value.slice(0, limit);
    }
    throw new ServiceNowApiError(
      400,
      'Field value exceeds the maximum length',
      `${column}: ${value.length} characters, the maximum is ${limit}`,
    );
  }

  private checkChoice(column: string, value: string): void {
    const allowed =
      column === 'close_code'
        ? value === '' || this.options.closeCodes.includes(value)
        : CHOICES[column] === undefined || Object.hasOwn(CHOICES[column], value);
    if (!allowed) {
      throw new ServiceNowApiError(
        400,
        `Invalid value for field ${column}`,
        `'${value}' is not one of the choices of ${column}`,
      );
    }
  }

  private resolveReference(table: string, value: string): string {
    const targets = this.options.referenceTargets[table] ?? [];
    const lower = value.toLowerCase();
    const target = targets.find(
      (candidate) =>
        candidate.sysId === value || candidate.names.some((name) => name.toLowerCase() === lower),
    );
    // An unmatched value is stored as given; the platform keeps broken references too.
    return target?.sysId ?? value;
  }
}

/** The platform's date-time format, in UTC: 2026-01-01 00:00:00. */
export function glideDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function stringValue(raw: unknown): string {
  if (raw === null || raw === undefined) return '';
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (typeof raw === 'object' && 'value' in raw)
    return stringValue((raw as { value: unknown }).value);
  return JSON.stringify(raw);
}

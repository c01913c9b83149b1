import { LABEL_MAX_LENGTH, SUMMARY_MAX_LENGTH, TEXT_FIELD_MAX_LENGTH } from './jira-defaults';
import { byIdOrName, type JiraDirectory } from './jira-directory';
import type { JiraDialect } from './jira-dialect';
import { cannotSetField, JiraApiError } from './jira-errors';
import type { JiraCustomField, JiraIssue, JiraProject } from './jira-model';

/** The body of create, edit and transition requests (IssueUpdateDetails). */
export interface IssueInput {
  readonly fields?: unknown;
  readonly update?: unknown;
}

/** Validated, normalised changes; absent keys are left alone. */
export interface IssuePatch {
  projectId?: string;
  issueTypeId?: string;
  summary?: string;
  description?: unknown;
  priorityId?: string | null;
  labels?: string[];
  duedate?: string | null;
  assigneeAccountId?: string | null;
  reporterAccountId?: string;
  componentIds?: string[];
  customFields?: Map<string, unknown>;
  resolutionId?: string | null;
}

export interface ParsedIssueInput {
  readonly patch: IssuePatch;
  /** Bodies of `update.comment[].add`, validated. */
  readonly comments: readonly unknown[];
}

export interface InputContext {
  readonly directory: JiraDirectory;
  readonly dialect: JiraDialect;
  readonly mode: 'create' | 'edit' | 'transition';
  /** The issue being edited or transitioned. */
  readonly current?: JiraIssue;
  /** Whether the transition screen shows the resolution field. */
  readonly resolutionOnScreen?: boolean;
}

const TOO_LONG = (limit: number): string =>
  `The entered text is too long. It exceeds the allowed limit of ${limit.toLocaleString('en-US')} characters.`;
const NOT_A_STRING = 'Operation value must be a string';
const NOT_AN_ARRAY = 'data was not an array';
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Validates `fields` and `update` the way Jira does: every field error is collected and
 * answered at once as `{ errorMessages: [], errors: { field: message } }`.
 */
export function parseIssueInput(input: IssueInput, context: InputContext): ParsedIssueInput {
  const errors: Record<string, string> = {};
  const patch: IssuePatch = {};
  const comments: unknown[] = [];
  const fields = asRecord(input.fields);
  const update = asRecord(input.update);
  if (fields === undefined || update === undefined) {
    throw JiraApiError.badRequest(
      'Can not deserialize instance of java.util.LinkedHashMap out of START_ARRAY token',
    );
  }

  const project = resolveProject(fields, context, errors, patch);
  if (context.mode === 'create' && project === undefined) throw JiraApiError.fieldErrors(errors);

  for (const [field, value] of Object.entries(fields)) {
    if (field === 'project') continue;
    applyField(field, value, project!, context, errors, patch);
  }

  for (const [field, operations] of Object.entries(update)) {
    if (!Array.isArray(operations)) {
      errors[field] = NOT_AN_ARRAY;
      continue;
    }
    for (const operation of operations) {
      applyOperation(field, operation, project!, context, errors, patch, comments);
    }
  }

  if (context.mode === 'create') {
    if (patch.issueTypeId === undefined && errors['issuetype'] === undefined) {
      errors['issuetype'] = 'Specify an issue type';
    }
    if (patch.summary === undefined && errors['summary'] === undefined) {
      errors['summary'] = 'You must specify a summary of the issue.';
    }
  }
  if (Object.keys(errors).length > 0) throw JiraApiError.fieldErrors(errors);
  return { patch, comments };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}

function resolveProject(
  fields: Record<string, unknown>,
  context: InputContext,
  errors: Record<string, string>,
  patch: IssuePatch,
): JiraProject | undefined {
  if (context.mode !== 'create') {
    if ('project' in fields) errors['project'] = cannotSetField('project');
    return context.current ? context.directory.project(context.current.projectId) : undefined;
  }
  const reference = fields['project'];
  const keyOrId =
    reference !== null && typeof reference === 'object'
      ? ((reference as Record<string, unknown>)['key'] ??
        (reference as Record<string, unknown>)['id'])
      : reference;
  const project =
    typeof keyOrId === 'string' || typeof keyOrId === 'number'
      ? context.directory.findProject(String(keyOrId))
      : undefined;
  if (!project) {
    errors['project'] = 'Specify a valid project ID or key';
    return undefined;
  }
  patch.projectId = project.id;
  return project;
}

function applyField(
  field: string,
  value: unknown,
  project: JiraProject,
  context: InputContext,
  errors: Record<string, string>,
  patch: IssuePatch,
): void {
  const { directory, dialect } = context;
  switch (field) {
    case 'issuetype': {
      const type = entityReference(
        value,
        directory.issueTypes.filter((t) => project.issueTypeIds.includes(t.id)),
      );
      if (type === undefined)
        errors['issuetype'] =
          value === null || value === undefined
            ? 'Specify an issue type'
            : 'The issue type selected is invalid.';
      else patch.issueTypeId = type;
      return;
    }
    case 'summary': {
      const problem = summaryProblem(value);
      if (problem) errors['summary'] = problem;
      else patch.summary = value as string;
      return;
    }
    case 'description': {
      if (value === null) {
        patch.description = null;
        return;
      }
      const problem = dialect.richTextProblem(value);
      if (problem) errors['description'] = problem;
      else if (dialect.richTextLength(value) > TEXT_FIELD_MAX_LENGTH)
        errors['description'] = TOO_LONG(TEXT_FIELD_MAX_LENGTH);
      else patch.description = value;
      return;
    }
    case 'priority': {
      if (value === null) {
        patch.priorityId = null;
        return;
      }
      const priority = entityReference(value, directory.priorities);
      if (priority === undefined) errors['priority'] = 'The priority selected is invalid.';
      else patch.priorityId = priority;
      return;
    }
    case 'labels': {
      const labels = labelList(value);
      if (typeof labels === 'string') errors['labels'] = labels;
      else patch.labels = labels;
      return;
    }
    case 'duedate': {
      if (value === null) patch.duedate = null;
      else if (!isCalendarDate(value))
        errors['duedate'] = `Error parsing date string: ${String(value)}`;
      else patch.duedate = value;
      return;
    }
    case 'assignee':
    case 'reporter': {
      const reference = dialect.userReference(value, directory.users(), field);
      if (!reference.ok) errors[field] = reference.message;
      else if (field === 'assignee') patch.assigneeAccountId = reference.accountId;
      else if (reference.accountId === null) errors['reporter'] = 'Reporter is required.';
      else patch.reporterAccountId = reference.accountId;
      return;
    }
    case 'components': {
      if (!Array.isArray(value)) {
        errors['components'] = NOT_AN_ARRAY;
        return;
      }
      const ids: string[] = [];
      for (const item of value) {
        const id = componentReference(item, project, errors);
        if (id !== undefined && !ids.includes(id)) ids.push(id);
      }
      patch.componentIds = ids;
      return;
    }
    case 'resolution': {
      if (!context.resolutionOnScreen) {
        errors['resolution'] = cannotSetField('resolution');
        return;
      }
      const resolution = entityReference(value, directory.resolutions);
      if (resolution === undefined) errors['resolution'] = 'The resolution selected is invalid.';
      else patch.resolutionId = resolution;
      return;
    }
    default: {
      const custom = directory.customFields.find((candidate) => candidate.id === field);
      if (!custom) {
        errors[field] = cannotSetField(field);
        return;
      }
      const result = customFieldValue(custom, value);
      if (!result.ok) {
        errors[field] = result.message;
        return;
      }
      patch.customFields ??= new Map(context.current?.customFields);
      patch.customFields.set(field, result.value);
    }
  }
}

function applyOperation(
  field: string,
  operation: unknown,
  project: JiraProject,
  context: InputContext,
  errors: Record<string, string>,
  patch: IssuePatch,
  comments: unknown[],
): void {
  const op = asRecord(operation);
  const verbs = op === undefined ? [] : Object.keys(op);
  const verb = verbs[0];
  if (op === undefined || verbs.length !== 1 || !['add', 'remove', 'set', 'edit'].includes(verb!)) {
    errors[field] = 'Operation must be one of add, remove, set or edit.';
    return;
  }
  const value = op[verb!];
  if (field === 'comment') {
    const body = asRecord(value)?.['body'];
    if (verb !== 'add' || body === undefined) {
      errors['comment'] = 'Comment body can not be empty!';
      return;
    }
    const problem = commentProblem(body, context.dialect);
    if (problem) errors['comment'] = problem;
    else comments.push(body);
    return;
  }
  if (field === 'labels') {
    const current = patch.labels ?? [...(context.current?.labels ?? [])];
    if (verb === 'set') {
      applyField('labels', value, project, context, errors, patch);
      return;
    }
    const labels = labelList([value]);
    if (typeof labels === 'string') {
      errors['labels'] = labels;
      return;
    }
    const label = labels[0]!;
    patch.labels =
      verb === 'add' ? [...new Set([...current, label])] : current.filter((item) => item !== label);
    return;
  }
  if (field === 'components') {
    const current = patch.componentIds ?? [...(context.current?.componentIds ?? [])];
    if (verb === 'set') {
      applyField('components', value, project, context, errors, patch);
      return;
    }
    const id = componentReference(value, project, errors);
    if (id === undefined) return;
    patch.componentIds =
      verb === 'add' ? [...new Set([...current, id])] : current.filter((item) => item !== id);
    return;
  }
  if (verb !== 'set') {
    errors[field] = `Field '${field}' does not support the '${verb!}' operation.`;
    return;
  }
  applyField(field, value, project, context, errors, patch);
}

export function commentProblem(body: unknown, dialect: JiraDialect): string | undefined {
  if (
    body === null ||
    body === '' ||
    (typeof body === 'object' && dialect.plainText(body).trim() === '')
  ) {
    return 'Comment body can not be empty!';
  }
  const problem = dialect.richTextProblem(body);
  if (problem) return problem;
  if (dialect.richTextLength(body) > TEXT_FIELD_MAX_LENGTH) return TOO_LONG(TEXT_FIELD_MAX_LENGTH);
  return undefined;
}

function summaryProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return NOT_A_STRING;
  if (value.trim() === '') return 'You must specify a summary of the issue.';
  if (/[\r\n]/.test(value)) return 'The summary is invalid because it contains newline characters.';
  if (value.length > SUMMARY_MAX_LENGTH) return 'Summary must be less than 255 characters.';
  return undefined;
}

function labelList(value: unknown): string[] | string {
  if (!Array.isArray(value)) return NOT_AN_ARRAY;
  const labels: string[] = [];
  for (const label of value) {
    if (typeof label !== 'string' || label === '') return NOT_A_STRING;
    if (/\s/.test(label)) return `The label '${label}' contains spaces which is invalid.`;
    if (label.length > LABEL_MAX_LENGTH) {
      return `The label '${label}' exceeds the maximum length for a single label of ${LABEL_MAX_LENGTH} characters.`;
    }
    if (!labels.includes(label)) labels.push(label);
  }
  return labels;
}

function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** `{ id }` or `{ name }` to an entity id; undefined when it names nothing. */
function entityReference(
  value: unknown,
  entities: ReadonlyArray<{ id: string; name: string }>,
): string | undefined {
  const record = asRecord(value);
  if (record === undefined || value === null || value === undefined) return undefined;
  const id = record['id'];
  const name = record['name'];
  if (typeof id === 'string' || typeof id === 'number') {
    return entities.find((entity) => entity.id === String(id))?.id;
  }
  if (typeof name === 'string') return byIdOrName(entities, name)?.id ?? undefined;
  return undefined;
}

function componentReference(
  value: unknown,
  project: JiraProject,
  errors: Record<string, string>,
): string | undefined {
  const record = asRecord(value) ?? {};
  const id = record['id'];
  const name = record['name'];
  if (typeof id === 'string' || typeof id === 'number') {
    const found = project.components.find((component) => component.id === String(id));
    if (!found) errors['components'] = `Component with id '${String(id)}' does not exist.`;
    return found?.id;
  }
  if (typeof name === 'string') {
    const found = project.components.find((component) => component.name === name);
    if (!found) errors['components'] = `Component name '${name}' is not valid`;
    return found?.id;
  }
  errors['components'] = "Could not find valid 'id' or 'name' in component object.";
  return undefined;
}

type CustomValue = { ok: true; value: unknown } | { ok: false; message: string };

function customFieldValue(field: JiraCustomField, value: unknown): CustomValue {
  if (value === null) return { ok: true, value: null };
  switch (field.type) {
    case 'string':
    case 'url':
      if (typeof value !== 'string') return { ok: false, message: NOT_A_STRING };
      if (value.length > 255) return { ok: false, message: TOO_LONG(255) };
      return { ok: true, value };
    case 'text':
      if (typeof value !== 'string') return { ok: false, message: NOT_A_STRING };
      if (value.length > TEXT_FIELD_MAX_LENGTH)
        return { ok: false, message: TOO_LONG(TEXT_FIELD_MAX_LENGTH) };
      return { ok: true, value };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? { ok: true, value }
        : { ok: false, message: 'Operation value must be a number' };
    case 'date':
      return isCalendarDate(value)
        ? { ok: true, value }
        : { ok: false, message: `Error parsing date string: ${String(value)}` };
    case 'labels': {
      const labels = labelList(value);
      return typeof labels === 'string'
        ? { ok: false, message: labels }
        : { ok: true, value: labels };
    }
    case 'option': {
      const record = asRecord(value) ?? {};
      const wanted = record['value'] ?? record['id'];
      const options = field.options ?? [];
      const option =
        options.find((candidate) => candidate === wanted) ??
        options.find((_, index) => optionId(field, index) === String(wanted));
      return option === undefined
        ? { ok: false, message: `Option value '${String(wanted)}' is not valid` }
        : { ok: true, value: option };
    }
  }
}

/** Stable ids for a select field's options, as Jira shows them. */
export function optionId(field: JiraCustomField, index: number): string {
  const number = Number(field.id.replace('customfield_', ''));
  return String(number * 100 + index);
}

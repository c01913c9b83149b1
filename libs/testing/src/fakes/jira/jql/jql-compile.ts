import { STATUS_CATEGORIES } from '../jira-defaults';
import { byIdOrName, findUserByAnyName, type JiraDirectory } from '../jira-directory';
import { JiraApiError } from '../jira-errors';
import type { JiraCustomField, JiraIssue } from '../jira-model';
import {
  parseJql,
  type JqlExpression,
  type JqlOperand,
  type JqlOperator,
  type JqlQuery,
} from './jql-syntax';

export interface JqlContext {
  readonly directory: JiraDirectory;
  readonly now: Date;
  /** The caller, for currentUser(). */
  readonly currentAccountId: string | undefined;
  /** Rich text (ADF or wiki) to searchable plain text. */
  readonly plainText: (value: unknown) => string;
}

export interface CompiledJql {
  readonly bounded: boolean;
  /**
   * Labels of which every match carries at least one, when the query says so at its top
   * level (`labels = x AND ...`): the search starts from the label index instead of a scan.
   */
  readonly requiredLabels: readonly string[] | undefined;
  readonly matches: (issue: JiraIssue) => boolean;
  readonly compare: (left: JiraIssue, right: JiraIssue) => number;
}

type Predicate = (issue: JiraIssue) => boolean;
/** Stands for EMPTY inside a value list (`labels in (EMPTY, x)`, `resolution = Unresolved`). */
const EMPTY_MARKER = '\u0000empty';
/** A field's value(s) on an issue; an empty array is Jira's EMPTY. */
type Extract = (issue: JiraIssue) => readonly string[];

type FieldKind = 'identity' | 'text' | 'date' | 'number';

interface FieldDefinition {
  readonly name: string;
  readonly kind: FieldKind;
  readonly extract: Extract;
  /** Maps a value in the query to the canonical stored value(s); throws for unknown values. */
  readonly resolve?: (value: string) => readonly string[];
  readonly sortKey?: (issue: JiraIssue) => string | number | null;
}

/** Compiles JQL once per search; the result tests and orders issues without reparsing. */
export function compileJql(jql: string, context: JqlContext): CompiledJql {
  const query: JqlQuery = parseJql(jql);
  const matches = query.where ? compileExpression(query.where, context) : () => true;
  const sorts = query.orderBy.map((sort) => {
    const field = fieldDefinition(sort.field, context);
    if (!field.sortKey)
      throw JiraApiError.badRequest(`Not able to sort using field '${sort.field}'.`);
    return { key: field.sortKey, sign: sort.direction === 'asc' ? 1 : -1 };
  });
  // Without ORDER BY, newest first (ties broken by id) keeps paging stable.
  const ordering =
    sorts.length > 0 ? sorts : [{ key: (issue: JiraIssue) => issue.created.getTime(), sign: -1 }];
  const compare = (left: JiraIssue, right: JiraIssue): number => {
    for (const sort of ordering) {
      const order = compareKeys(sort.key(left), sort.key(right));
      if (order !== 0) return order * sort.sign;
    }
    return (Number(right.id) - Number(left.id)) * (sorts.length > 0 ? -1 : 1);
  };
  return {
    bounded: query.where !== undefined,
    requiredLabels: query.where ? requiredLabels(query.where) : undefined,
    matches,
    compare,
  };
}

function requiredLabels(expression: JqlExpression): string[] | undefined {
  switch (expression.kind) {
    case 'clause': {
      if (expression.field.toLowerCase() !== 'labels') return undefined;
      if (expression.operator !== '=' && expression.operator !== 'in') return undefined;
      const items =
        expression.operand.kind === 'list' ? expression.operand.items : [expression.operand];
      const labels: string[] = [];
      for (const item of items) {
        if (item.kind !== 'value') return undefined;
        labels.push(item.text);
      }
      return labels;
    }
    case 'and':
      for (const part of expression.parts) {
        const labels = requiredLabels(part);
        if (labels) return labels;
      }
      return undefined;
    case 'or':
    case 'not':
      return undefined;
  }
}

function compareKeys(left: string | number | null, right: string | number | null): number {
  if (left === right) return 0;
  // Jira sorts EMPTY last in ascending order.
  if (left === null) return 1;
  if (right === null) return -1;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  return String(left).localeCompare(String(right));
}

function compileExpression(expression: JqlExpression, context: JqlContext): Predicate {
  switch (expression.kind) {
    case 'and': {
      const parts = expression.parts.map((part) => compileExpression(part, context));
      return (issue) => parts.every((part) => part(issue));
    }
    case 'or': {
      const parts = expression.parts.map((part) => compileExpression(part, context));
      return (issue) => parts.some((part) => part(issue));
    }
    case 'not': {
      const inner = compileExpression(expression.inner, context);
      return (issue) => !inner(issue);
    }
    case 'clause':
      return compileClause(expression.field, expression.operator, expression.operand, context);
  }
}

const OPERATORS_BY_KIND: Record<FieldKind, readonly JqlOperator[]> = {
  identity: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  text: ['~', '!~', 'is', 'is not'],
  date: ['=', '!=', '>', '>=', '<', '<=', 'in', 'not in', 'is', 'is not'],
  number: ['=', '!=', '>', '>=', '<', '<=', 'in', 'not in', 'is', 'is not'],
};

function compileClause(
  fieldName: string,
  operator: JqlOperator,
  operand: JqlOperand,
  context: JqlContext,
): Predicate {
  const field = fieldDefinition(fieldName, context);
  if (!OPERATORS_BY_KIND[field.kind].includes(operator)) {
    throw JiraApiError.badRequest(
      `The operator '${operator.toUpperCase()}' is not supported by the '${fieldName}' field.`,
    );
  }
  if (operator === 'is' || operator === 'is not') {
    if (operand.kind !== 'empty') {
      throw JiraApiError.badRequest(
        `The operator '${operator.toUpperCase()}' only supports EMPTY or NULL for the '${fieldName}' field.`,
      );
    }
    return operator === 'is'
      ? (issue) => field.extract(issue).length === 0
      : (issue) => field.extract(issue).length > 0;
  }
  if (operand.kind === 'empty') {
    if (operator === '=') return (issue) => field.extract(issue).length === 0;
    if (operator === '!=') return (issue) => field.extract(issue).length > 0;
  }

  const wanted = operandValues(operand, fieldName, field, context);
  switch (operator) {
    case '~':
    case '!~': {
      const terms = wanted.map((value) => value.toLowerCase().replace(/[*?]/g, ''));
      const contains = (issue: JiraIssue): boolean =>
        field
          .extract(issue)
          .some((text) => terms.every((term) => text.toLowerCase().includes(term)));
      // A negated match, like every negative JQL operator, never returns EMPTY fields.
      return operator === '~'
        ? contains
        : (issue) => field.extract(issue).length > 0 && !contains(issue);
    }
    case '=':
    case 'in': {
      const set = new Set(wanted.map(normalise));
      return (issue) => {
        const values = field.extract(issue);
        if (values.length === 0) return set.has(EMPTY_MARKER);
        return values.some((value) => set.has(normalise(value)));
      };
    }
    case '!=':
    case 'not in': {
      const set = new Set(wanted.map(normalise));
      return (issue) => {
        const values = field.extract(issue);
        return values.length > 0 && !values.some((value) => set.has(normalise(value)));
      };
    }
    case '>':
    case '>=':
    case '<':
    case '<=': {
      const bound = wanted[0];
      if (bound === undefined) return () => false;
      const boundNumber = Number(bound);
      return (issue) =>
        field.extract(issue).some((value) => {
          const order = Number(value) - boundNumber;
          return operator === '>'
            ? order > 0
            : operator === '>='
              ? order >= 0
              : operator === '<'
                ? order < 0
                : order <= 0;
        });
    }
  }
}

function normalise(value: string): string {
  return value === EMPTY_MARKER ? value : value.toLowerCase();
}

function operandValues(
  operand: JqlOperand,
  fieldName: string,
  field: FieldDefinition,
  context: JqlContext,
): string[] {
  switch (operand.kind) {
    case 'empty':
      return [EMPTY_MARKER];
    case 'list':
      return operand.items.flatMap((item) => operandValues(item, fieldName, field, context));
    case 'function':
      return functionValue(operand.name, operand.args, fieldName, field, context);
    case 'value':
      if (field.kind === 'date')
        return [String(parseDateLiteral(operand.text, context.now, fieldName))];
      return field.resolve ? [...field.resolve(operand.text)] : [operand.text];
  }
}

function functionValue(
  name: string,
  args: readonly string[],
  fieldName: string,
  field: FieldDefinition,
  context: JqlContext,
): string[] {
  switch (name) {
    case 'currentuser':
      return context.currentAccountId === undefined ? [] : [context.currentAccountId];
    case 'now':
      return [String(context.now.getTime())];
    case 'startofday':
    case 'endofday': {
      const offset = args[0] === undefined ? 0 : (relativeMs(args[0]) ?? 0);
      const day = new Date(context.now.getTime() + offset);
      day.setUTCHours(0, 0, 0, 0);
      return [String(name === 'startofday' ? day.getTime() : day.getTime() + 86_399_999)];
    }
    default:
      if (field.kind === 'text') return [name];
      throw JiraApiError.badRequest(
        `Unable to find JQL function '${name}(${args.join(', ')})' for the '${fieldName}' field.`,
      );
  }
}

const RELATIVE = /^([-+]?)(\d+)([wdhm])$/i;
const UNIT_MS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000 };

function relativeMs(text: string): number | undefined {
  const match = RELATIVE.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[2]) * UNIT_MS[match[3]!.toLowerCase()]!;
  return match[1] === '-' ? -amount : amount;
}

function parseDateLiteral(text: string, now: Date, fieldName: string): number {
  const relative = relativeMs(text);
  if (relative !== undefined) return now.getTime() + relative;
  const match = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(text.trim());
  if (!match) {
    throw JiraApiError.badRequest(
      `Date value '${text}' for field '${fieldName}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
    );
  }
  const [, year, month, day, hour, minute] = match;
  return Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour ?? 0),
    Number(minute ?? 0),
  );
}

function dateValue(date: Date | null): readonly string[] {
  return date === null ? [] : [String(date.getTime())];
}

function notFound(fieldName: string, value: string): JiraApiError {
  return JiraApiError.badRequest(
    `The value '${value}' does not exist for the field '${fieldName}'.`,
  );
}

function fieldDefinition(rawName: string, context: JqlContext): FieldDefinition {
  const { directory } = context;
  const name = rawName.toLowerCase();
  const user = (pick: (issue: JiraIssue) => string | null, label: string): FieldDefinition => ({
    name: label,
    kind: 'identity',
    extract: (issue) => {
      const accountId = pick(issue);
      return accountId === null ? [] : [accountId];
    },
    resolve: (value) => {
      const found = findUserByAnyName(directory.users(), value);
      // Jira answers an unknown user with an error, not an empty result.
      if (!found) throw notFound(label, value);
      return [found.accountId];
    },
    sortKey: (issue) => {
      const accountId = pick(issue);
      return accountId === null ? null : (directory.findUser(accountId)?.displayName ?? accountId);
    },
  });
  const date = (pick: (issue: JiraIssue) => Date | null, label: string): FieldDefinition => ({
    name: label,
    kind: 'date',
    extract: (issue) => dateValue(pick(issue)),
    sortKey: (issue) => pick(issue)?.getTime() ?? null,
  });

  switch (name) {
    case 'project':
      return {
        name: 'project',
        kind: 'identity',
        extract: (issue) => [issue.projectId],
        resolve: (value) => {
          const project =
            directory.findProject(value) ??
            directory
              .projects()
              .find((candidate) => candidate.name.toLowerCase() === value.toLowerCase());
          if (!project) throw notFound('project', value);
          return [project.id];
        },
        sortKey: (issue) => directory.project(issue.projectId).key,
      };
    case 'key':
    case 'issuekey':
    case 'id':
      return {
        name: 'key',
        kind: 'identity',
        extract: (issue) => [issue.id],
        resolve: (value) => {
          const issue = directory.findIssue(value);
          if (!issue)
            throw JiraApiError.badRequest(
              `An issue with key '${value}' does not exist for field '${rawName}'.`,
            );
          return [issue.id];
        },
        sortKey: (issue) => {
          const [projectKey, number] = issue.key.split('-');
          return `${projectKey}-${(number ?? '').padStart(12, '0')}`;
        },
      };
    case 'labels':
      return {
        name: 'labels',
        kind: 'identity',
        extract: (issue) => issue.labels,
        sortKey: (issue) => issue.labels.join(',') || null,
      };
    case 'status':
      return {
        name: 'status',
        kind: 'identity',
        extract: (issue) => [issue.statusId],
        resolve: (value) => {
          const status = byIdOrName(directory.workflow.statuses, value);
          if (!status) throw notFound('status', value);
          return [status.id];
        },
        sortKey: (issue) => directory.status(issue.statusId).name,
      };
    case 'statuscategory':
      return {
        name: 'statusCategory',
        kind: 'identity',
        extract: (issue) => [directory.status(issue.statusId).category],
        resolve: (value) => {
          const lower = value.toLowerCase();
          const category = Object.values(STATUS_CATEGORIES).find(
            (candidate) =>
              candidate.key === lower ||
              candidate.name.toLowerCase() === lower ||
              String(candidate.id) === value,
          );
          if (!category) throw notFound('statusCategory', value);
          return [category.key];
        },
      };
    case 'resolution':
      return {
        name: 'resolution',
        kind: 'identity',
        extract: (issue) => (issue.resolutionId === null ? [] : [issue.resolutionId]),
        resolve: (value) => {
          if (value.toLowerCase() === 'unresolved') return [EMPTY_MARKER];
          const resolution = byIdOrName(directory.resolutions, value);
          if (!resolution) throw notFound('resolution', value);
          return [resolution.id];
        },
      };
    case 'issuetype':
    case 'type':
      return {
        name: 'issuetype',
        kind: 'identity',
        extract: (issue) => [issue.issueTypeId],
        resolve: (value) => {
          const type = byIdOrName(directory.issueTypes, value);
          if (!type) throw notFound('issuetype', value);
          return [type.id];
        },
      };
    case 'priority':
      return {
        name: 'priority',
        kind: 'identity',
        extract: (issue) => (issue.priorityId === null ? [] : [issue.priorityId]),
        resolve: (value) => {
          const priority = byIdOrName(directory.priorities, value);
          if (!priority) throw notFound('priority', value);
          return [priority.id];
        },
        // Highest first when ascending, as Jira orders priorities by their sequence.
        sortKey: (issue) =>
          issue.priorityId === null
            ? null
            : directory.priorities.findIndex((priority) => priority.id === issue.priorityId),
      };
    case 'component':
    case 'components':
      return {
        name: 'component',
        kind: 'identity',
        extract: (issue) => issue.componentIds,
        resolve: (value) => {
          const ids = directory
            .projects()
            .flatMap((project) => project.components)
            .filter(
              (component) =>
                component.id === value || component.name.toLowerCase() === value.toLowerCase(),
            )
            .map((component) => component.id);
          if (ids.length === 0) throw notFound('component', value);
          return ids;
        },
      };
    case 'assignee':
      return user((issue) => issue.assigneeAccountId, 'assignee');
    case 'reporter':
      return user((issue) => issue.reporterAccountId, 'reporter');
    case 'creator':
      return user((issue) => issue.creatorAccountId, 'creator');
    case 'summary':
      return {
        name: 'summary',
        kind: 'text',
        extract: (issue) => [issue.summary],
        sortKey: (issue) => issue.summary,
      };
    case 'description':
      return {
        name: 'description',
        kind: 'text',
        extract: (issue) => nonEmpty(context.plainText(issue.description)),
      };
    case 'comment':
      return {
        name: 'comment',
        kind: 'text',
        extract: (issue) => issue.comments.map((comment) => context.plainText(comment.body)),
      };
    case 'text':
      return {
        name: 'text',
        kind: 'text',
        extract: (issue) => [
          issue.summary,
          ...nonEmpty(context.plainText(issue.description)),
          ...issue.comments.map((comment) => context.plainText(comment.body)),
        ],
      };
    case 'created':
    case 'createddate':
      return date((issue) => issue.created, 'created');
    case 'updated':
    case 'updateddate':
      return date((issue) => issue.updated, 'updated');
    case 'resolved':
    case 'resolutiondate':
      return date((issue) => issue.resolutionDate, 'resolved');
    case 'statuscategorychangeddate':
      return date((issue) => issue.statusCategoryChangeDate, 'statusCategoryChangedDate');
    case 'due':
    case 'duedate':
      return date(
        (issue) => (issue.duedate === null ? null : new Date(`${issue.duedate}T00:00:00.000Z`)),
        'due',
      );
    default: {
      const custom = findCustomField(rawName, directory.customFields);
      if (!custom) {
        throw JiraApiError.badRequest(
          `Field '${rawName}' does not exist or you do not have permission to view it.`,
        );
      }
      return customFieldDefinition(custom, rawName);
    }
  }
}

function nonEmpty(text: string): string[] {
  return text === '' ? [] : [text];
}

function findCustomField(
  rawName: string,
  fields: readonly JiraCustomField[],
): JiraCustomField | undefined {
  const bracket = /^cf\[(\d+)\]$/i.exec(rawName);
  if (bracket) return fields.find((field) => field.id === `customfield_${bracket[1]}`);
  const lower = rawName.toLowerCase();
  return fields.find((field) => field.name.toLowerCase() === lower);
}

function customFieldDefinition(field: JiraCustomField, label: string): FieldDefinition {
  const values = (issue: JiraIssue): string[] => {
    const value = issue.customFields.get(field.id);
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value.map(String);
    return [String(value)];
  };
  switch (field.type) {
    case 'string':
    case 'text':
    case 'url':
      // Jira's text custom fields answer only to CONTAINS (~), a frequent surprise.
      return { name: label, kind: 'text', extract: values };
    case 'number':
      return {
        name: label,
        kind: 'number',
        extract: values,
        sortKey: (issue) => {
          const first = values(issue)[0];
          return first === undefined ? null : Number(first);
        },
      };
    case 'date':
      return {
        name: label,
        kind: 'date',
        extract: (issue) => values(issue).map((day) => String(Date.parse(`${day}T00:00:00.000Z`))),
      };
    case 'option':
      return {
        name: label,
        kind: 'identity',
        extract: values,
        resolve: (value) => {
          const option = field.options?.find(
            (candidate) => candidate.toLowerCase() === value.toLowerCase(),
          );
          if (!option) throw notFound(label, value);
          return [option];
        },
      };
    case 'labels':
      return { name: label, kind: 'identity', extract: values };
  }
}

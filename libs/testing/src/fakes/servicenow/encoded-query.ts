export type QueryOperator =
  | '='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | 'IN'
  | 'NOT IN'
  | 'LIKE'
  | 'NOT LIKE'
  | 'STARTSWITH'
  | 'ENDSWITH'
  | 'ISEMPTY'
  | 'ISNOTEMPTY'
  | 'ANYTHING';

export interface QueryCondition {
  readonly field: string;
  readonly operator: QueryOperator;
  readonly value: string;
}

export interface QueryOrder {
  readonly field: string;
  readonly descending: boolean;
}

/**
 * A parsed `sysparm_query`. `^NQ` separates alternatives; inside one, `^` is AND and `^OR`
 * binds tighter (a^b^ORc is a AND (b OR c)), as the platform reads it.
 */
export interface EncodedQuery {
  readonly alternatives: ReadonlyArray<ReadonlyArray<readonly QueryCondition[]>>;
  readonly orderBy: readonly QueryOrder[];
}

// Longest first, so NOT LIKE wins over LIKE and >= over >.
const OPERATORS: readonly QueryOperator[] = [
  'ISNOTEMPTY',
  'ISEMPTY',
  'ANYTHING',
  'STARTSWITH',
  'ENDSWITH',
  'NOT LIKE',
  'NOT IN',
  'LIKE',
  'IN',
  '!=',
  '>=',
  '<=',
  '=',
  '>',
  '<',
];

export function parseEncodedQuery(query: string): EncodedQuery {
  const orderBy: QueryOrder[] = [];
  const alternatives = query.split('^NQ').map((alternative) => {
    const groups: QueryCondition[][] = [];
    for (const term of alternative.split('^')) {
      if (term === '' || term === 'EQ' || term.startsWith('GROUPBY')) continue;
      if (term.startsWith('ORDERBYDESC')) {
        orderBy.push({ field: term.slice('ORDERBYDESC'.length), descending: true });
        continue;
      }
      if (term.startsWith('ORDERBY')) {
        orderBy.push({ field: term.slice('ORDERBY'.length), descending: false });
        continue;
      }
      const isOr = term.startsWith('OR') && groups.length > 0 && /^OR[a-z]/.test(term);
      const condition = parseCondition(isOr ? term.slice(2) : term);
      if (isOr) groups[groups.length - 1]!.push(condition);
      else groups.push([condition]);
    }
    return groups;
  });
  return { alternatives, orderBy };
}

function parseCondition(term: string): QueryCondition {
  const field = /^[a-z0-9_.]+/.exec(term)?.[0] ?? '';
  const rest = term.slice(field.length);
  const operator = OPERATORS.find((candidate) => rest.startsWith(candidate));
  if (field === '' || operator === undefined) {
    // The platform treats an unparseable term like a condition on an unknown field.
    return { field: term, operator: 'ANYTHING', value: '' };
  }
  return { field, operator, value: rest.slice(operator.length) };
}

/**
 * The value `field` must equal in every match, when the query has one alternative with a
 * plain `field=value` term; lets the store answer from an index.
 */
export function requiredEquality(query: EncodedQuery, field: string): string | undefined {
  if (query.alternatives.length !== 1) return undefined;
  for (const group of query.alternatives[0]!) {
    const only = group.length === 1 ? group[0]! : undefined;
    if (only && only.field === field && only.operator === '=') return only.value;
  }
  return undefined;
}

export interface QueryEvaluation {
  /** Columns the table has; conditions on anything else are invalid. */
  readonly columns: ReadonlySet<string>;
  /**
   * `glide.invalid_query.returns_no_rows`: false (the platform default) drops an invalid
   * condition, so a misspelt field matches every record; true makes it match none.
   */
  readonly invalidQueryReturnsNoRows: boolean;
}

export function matchesQuery(
  query: EncodedQuery,
  record: Readonly<Record<string, string>>,
  evaluation: QueryEvaluation,
): boolean {
  return query.alternatives.some((groups) =>
    groups.every((group) =>
      group.some((condition) => matchesCondition(condition, record, evaluation)),
    ),
  );
}

function matchesCondition(
  condition: QueryCondition,
  record: Readonly<Record<string, string>>,
  evaluation: QueryEvaluation,
): boolean {
  if (!evaluation.columns.has(condition.field)) return !evaluation.invalidQueryReturnsNoRows;
  const actual = record[condition.field] ?? '';
  const value = condition.value;
  const lowerActual = actual.toLowerCase();
  const lowerValue = value.toLowerCase();
  switch (condition.operator) {
    case '=':
      return lowerActual === lowerValue;
    case '!=':
      return lowerActual !== lowerValue;
    case '>':
      return compare(actual, value) > 0;
    case '>=':
      return compare(actual, value) >= 0;
    case '<':
      return compare(actual, value) < 0;
    case '<=':
      return compare(actual, value) <= 0;
    case 'IN':
      return value.split(',').some((item) => item.toLowerCase() === lowerActual);
    case 'NOT IN':
      return !value.split(',').some((item) => item.toLowerCase() === lowerActual);
    case 'LIKE':
      return lowerActual.includes(lowerValue);
    case 'NOT LIKE':
      return !lowerActual.includes(lowerValue);
    case 'STARTSWITH':
      return lowerActual.startsWith(lowerValue);
    case 'ENDSWITH':
      return lowerActual.endsWith(lowerValue);
    case 'ISEMPTY':
      return actual === '';
    case 'ISNOTEMPTY':
      return actual !== '';
    case 'ANYTHING':
      return true;
  }
}

/** Numbers compare as numbers; everything else (dates are yyyy-MM-dd HH:mm:ss) as text. */
export function compare(left: string, right: string): number {
  if (left !== '' && right !== '' && !Number.isNaN(Number(left)) && !Number.isNaN(Number(right))) {
    return Number(left) - Number(right);
  }
  return left.localeCompare(right);
}

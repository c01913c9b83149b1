import { JiraApiError } from '../jira-errors';

export type JqlOperator =
  '=' | '!=' | '~' | '!~' | '>' | '>=' | '<' | '<=' | 'in' | 'not in' | 'is' | 'is not';

export type JqlOperand =
  | { readonly kind: 'value'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'empty' }
  | { readonly kind: 'function'; readonly name: string; readonly args: readonly string[] }
  | { readonly kind: 'list'; readonly items: readonly JqlOperand[] };

export type JqlExpression =
  | { readonly kind: 'and' | 'or'; readonly parts: readonly JqlExpression[] }
  | { readonly kind: 'not'; readonly inner: JqlExpression }
  | {
      readonly kind: 'clause';
      readonly field: string;
      readonly operator: JqlOperator;
      readonly operand: JqlOperand;
    };

export interface JqlSort {
  readonly field: string;
  readonly direction: 'asc' | 'desc';
}

export interface JqlQuery {
  /** Undefined for an unbounded query such as `order by key desc`. */
  readonly where: JqlExpression | undefined;
  readonly orderBy: readonly JqlSort[];
}

type Token =
  | { readonly type: 'word' | 'string' | 'op'; readonly text: string; readonly position: number }
  | { readonly type: '(' | ')' | ',' | 'end'; readonly text: string; readonly position: number };

const OPERATOR_CHARS = /[=!~<>]/;
const WORD_CHARS = /[^\s()=!~<>,"']/;

/** Parses the JQL subset the fakes understand; anything else is Jira's 400 "Error in the JQL Query". */
export function parseJql(jql: string): JqlQuery {
  return new JqlParser(tokenize(jql)).parseQuery();
}

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < jql.length) {
    const char = jql[index]!;
    if (/\s/.test(char)) {
      index += 1;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ type: char, text: char, position: index });
      index += 1;
    } else if (char === '"' || char === "'") {
      const start = index;
      let text = '';
      index += 1;
      while (index < jql.length && jql[index] !== char) {
        if (jql[index] === '\\' && index + 1 < jql.length) index += 1;
        text += jql[index]!;
        index += 1;
      }
      if (index >= jql.length)
        syntaxError(`The quoted string ${jql.slice(start)} has not been completed.`, start);
      index += 1;
      tokens.push({ type: 'string', text, position: start });
    } else if (OPERATOR_CHARS.test(char)) {
      const two = jql.slice(index, index + 2);
      const text = ['!=', '!~', '>=', '<='].includes(two) ? two : char;
      if (text === '!') syntaxError("Expecting operator but got '!'.", index);
      tokens.push({ type: 'op', text, position: index });
      index += text.length;
    } else {
      const start = index;
      while (index < jql.length && WORD_CHARS.test(jql[index]!)) index += 1;
      tokens.push({ type: 'word', text: jql.slice(start, index), position: start });
    }
  }
  tokens.push({ type: 'end', text: '', position: jql.length });
  return tokens;
}

function syntaxError(detail: string, position: number): never {
  throw JiraApiError.badRequest(
    `Error in the JQL Query: ${detail} (line 1, character ${position + 1})`,
  );
}

class JqlParser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseQuery(): JqlQuery {
    let where: JqlExpression | undefined;
    if (!this.atKeyword('order') && this.peek().type !== 'end') where = this.parseOr();
    const orderBy: JqlSort[] = [];
    if (this.atKeyword('order')) {
      this.next();
      this.expectKeyword('by');
      do {
        const field = this.next();
        if (field.type !== 'word' && field.type !== 'string') {
          syntaxError(`Expecting a field name but got '${field.text}'.`, field.position);
        }
        let direction: 'asc' | 'desc' = 'asc';
        if (this.atKeyword('asc') || this.atKeyword('desc')) {
          direction = this.next().text.toLowerCase() as 'asc' | 'desc';
        }
        orderBy.push({ field: field.text, direction });
      } while (this.accept(','));
    }
    const rest = this.peek();
    if (rest.type !== 'end')
      syntaxError(`Expecting either 'OR' or 'AND' but got '${rest.text}'.`, rest.position);
    return { where, orderBy };
  }

  private parseOr(): JqlExpression {
    const parts = [this.parseAnd()];
    while (this.atKeyword('or')) {
      this.next();
      parts.push(this.parseAnd());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'or', parts };
  }

  private parseAnd(): JqlExpression {
    const parts = [this.parseUnary()];
    while (this.atKeyword('and')) {
      this.next();
      parts.push(this.parseUnary());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'and', parts };
  }

  private parseUnary(): JqlExpression {
    if (this.atKeyword('not')) {
      this.next();
      return { kind: 'not', inner: this.parseUnary() };
    }
    if (this.accept('(')) {
      const inner = this.parseOr();
      this.expect(')');
      return inner;
    }
    return this.parseClause();
  }

  private parseClause(): JqlExpression {
    const field = this.next();
    if (field.type !== 'word' && field.type !== 'string') {
      syntaxError(`Expecting a field name but got '${field.text || '<EOF>'}'.`, field.position);
    }
    const operator = this.parseOperator();
    const operand = this.parseOperand(operator);
    return { kind: 'clause', field: field.text, operator, operand };
  }

  private parseOperator(): JqlOperator {
    const token = this.next();
    if (token.type === 'op') return token.text as JqlOperator;
    if (token.type === 'word') {
      const word = token.text.toLowerCase();
      if (word === 'in') return 'in';
      if (word === 'is') {
        if (this.atKeyword('not')) {
          this.next();
          return 'is not';
        }
        return 'is';
      }
      if (word === 'not' && this.atKeyword('in')) {
        this.next();
        return 'not in';
      }
    }
    return syntaxError(
      `Expecting operator but got '${token.text || '<EOF>'}'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.`,
      token.position,
    );
  }

  private parseOperand(operator: JqlOperator): JqlOperand {
    if (operator === 'in' || operator === 'not in') {
      this.expect('(');
      const items: JqlOperand[] = [];
      do items.push(this.parseSingleOperand());
      while (this.accept(','));
      this.expect(')');
      return { kind: 'list', items };
    }
    return this.parseSingleOperand();
  }

  private parseSingleOperand(): JqlOperand {
    const token = this.next();
    if (token.type === 'string') return { kind: 'value', text: token.text, quoted: true };
    if (token.type !== 'word') {
      syntaxError(
        `Expecting either a value, list or function but got '${token.text || '<EOF>'}'.`,
        token.position,
      );
    }
    const lower = token.text.toLowerCase();
    if (lower === 'empty' || lower === 'null') return { kind: 'empty' };
    if (this.peek().type === '(') {
      this.next();
      const args: string[] = [];
      if (!this.accept(')')) {
        do {
          const arg = this.next();
          if (arg.type !== 'word' && arg.type !== 'string') {
            syntaxError(`Expecting a function argument but got '${arg.text}'.`, arg.position);
          }
          args.push(arg.text);
        } while (this.accept(','));
        this.expect(')');
      }
      return { kind: 'function', name: lower, args };
    }
    return { kind: 'value', text: token.text, quoted: false };
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const token = this.tokens[this.index]!;
    if (token.type !== 'end') this.index += 1;
    return token;
  }

  private atKeyword(keyword: string): boolean {
    const token = this.peek();
    return token.type === 'word' && token.text.toLowerCase() === keyword;
  }

  private accept(type: '(' | ')' | ','): boolean {
    if (this.peek().type !== type) return false;
    this.next();
    return true;
  }

  private expect(type: '(' | ')'): void {
    const token = this.next();
    if (token.type !== type)
      syntaxError(`Expecting '${type}' but got '${token.text || '<EOF>'}'.`, token.position);
  }

  private expectKeyword(keyword: string): void {
    const token = this.next();
    if (token.type !== 'word' || token.text.toLowerCase() !== keyword) {
      syntaxError(
        `Expecting '${keyword.toUpperCase()}' but got '${token.text || '<EOF>'}'.`,
        token.position,
      );
    }
  }
}

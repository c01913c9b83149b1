import { parseArgs } from 'node:util';
import { UsageError } from '../cli-error';
import { closestWord } from './closest-word';
import { commandName, type CommandSpec } from './command-spec';

type ParsedValues = Record<string, string | true>;

/**
 * A command line checked against its {@link CommandSpec}: every flag known, given once, with a
 * value where it takes one, and the positionals counted. Readers below turn values into types,
 * each error naming the flag.
 */
export class CommandLine {
  constructor(
    readonly spec: CommandSpec,
    readonly positionals: readonly string[],
    private readonly values: ParsedValues,
  ) {}

  /** The value of a string flag, or undefined when not given. */
  optional(flag: string): string | undefined {
    this.known(flag, 'string');
    const value = this.values[flag];
    return typeof value === 'string' ? value : undefined;
  }

  required(flag: string, hint = ''): string {
    const value = this.optional(flag);
    if (value === undefined) throw new UsageError(`--${flag} is required${hint}`);
    return value;
  }

  has(flag: string): boolean {
    this.known(flag, 'boolean');
    return this.values[flag] === true;
  }

  given(flag: string): boolean {
    return this.values[flag] !== undefined;
  }

  oneOf<const V extends string>(flag: string, allowed: readonly V[]): V | undefined {
    const value = this.optional(flag);
    if (value === undefined) return undefined;
    if ((allowed as readonly string[]).includes(value)) return value as V;
    const near = closestWord(value, allowed);
    throw new UsageError(
      `--${flag}: "${value}" is not a choice${near ? ` (did you mean ${near}?)` : ''}; one of ${allowed.join(', ')}`,
    );
  }

  integer(flag: string, range: { min: number; max: number }): number | undefined {
    const value = this.optional(flag);
    if (value === undefined) return undefined;
    const number = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number) || number < range.min || number > range.max) {
      throw new UsageError(
        `--${flag}: expected a whole number from ${range.min} to ${range.max}, got "${value}"`,
      );
    }
    return number;
  }

  /** Comma-separated values, trimmed; an empty list is an error (the flag was given for a reason). */
  list(flag: string): string[] | undefined {
    const value = this.optional(flag);
    if (value === undefined) return undefined;
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    if (items.length === 0) throw new UsageError(`--${flag}: expected a comma-separated list`);
    return items;
  }

  private known(flag: string, type: 'string' | 'boolean'): void {
    const spec = this.spec.flags[flag];
    // A defect in a command, not in the user's input: say so loudly.
    if (spec?.type !== type) {
      throw new Error(
        `${commandName(this.spec)} reads --${flag} as ${type} but declares it otherwise`,
      );
    }
  }
}

export type ParsedCommandLine = { help: true } | { help: false; line: CommandLine };

function optionName(raw: string): string {
  return raw.replace(/^-+/, '');
}

function unknownFlag(spec: CommandSpec, rawName: string): UsageError {
  const name = optionName(rawName);
  const refusal = spec.refusedFlags?.[name];
  if (refusal !== undefined) return new UsageError(`${rawName} is not accepted: ${refusal}`);
  const near = closestWord(name, Object.keys(spec.flags));
  return new UsageError(
    `unknown flag ${rawName}${near ? ` (did you mean --${near}?)` : ''}; see ${commandName(spec)} --help`,
  );
}

/**
 * Parses `argv` (the words after the command) with node:util parseArgs in lenient mode and
 * does the checking itself, so that every mistake gets one line that names the flag.
 */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): ParsedCommandLine {
  const options = Object.fromEntries(
    Object.entries(spec.flags).map(([name, flag]) => [name, { type: flag.type }]),
  );
  const { tokens } = parseArgs({
    args: [...argv],
    options: { ...options, help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  // Asking for help wins over any mistake on the same line.
  if (tokens.some((token) => token.kind === 'option' && token.name === 'help'))
    return { help: true };
  const values: ParsedValues = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') continue;
    const flag = spec.flags[token.name];
    if (flag === undefined || !token.rawName.startsWith('--')) {
      throw unknownFlag(spec, token.rawName);
    }
    if (values[token.name] !== undefined) {
      throw new UsageError(`${token.rawName} is given more than once`);
    }
    if (flag.type === 'boolean') {
      if (token.value !== undefined) {
        throw new UsageError(`${token.rawName} takes no value (got "${token.value}")`);
      }
      values[token.name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || value === '') {
      throw new UsageError(`${token.rawName} needs a value${flag.value ? ` (${flag.value})` : ''}`);
    }
    if (!token.inlineValue && value.startsWith('--')) {
      throw new UsageError(
        `${token.rawName} needs a value but is followed by ${value}; write ${token.rawName}=VALUE if the value starts with --`,
      );
    }
    values[token.name] = value;
  }
  const expected = spec.positionals;
  if (positionals.length > expected.length) {
    const extra = positionals[expected.length]!;
    throw new UsageError(
      expected.length === 0
        ? `unexpected argument "${extra}"; ${commandName(spec)} takes flags only`
        : `unexpected argument "${extra}"; ${commandName(spec)} takes ${expected.map((p) => p.name).join(' ')}`,
    );
  }
  if (positionals.length < expected.length) {
    const missing = expected[positionals.length]!;
    throw new UsageError(`missing ${missing.name}; see ${commandName(spec)} --help`);
  }
  return { help: false, line: new CommandLine(spec, positionals, values) };
}

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** Placeholder shown in help, e.g. `ID` for `--asset ID`. */
  value?: string;
  description: string;
}

export interface PositionalSpec {
  /** Shown in usage, e.g. `REPORT`. */
  name: string;
  description: string;
}

/** What a command accepts; drives both parsing and `--help`. */
export interface CommandSpec {
  /** Words after `hum`, e.g. `['dlq', 'replay']`. */
  path: readonly string[];
  /** The paragraph `--help` opens with. */
  description: string;
  positionals: readonly PositionalSpec[];
  flags: Readonly<Record<string, FlagSpec>>;
  /**
   * Flags people will reach for that are refused on purpose, with the reason, e.g. an API key
   * as a flag value (it would land in shell history and `ps`).
   */
  refusedFlags?: Readonly<Record<string, string>>;
  /** Help text after the flags: environment, exit codes, examples. */
  epilog?: string;
}

export function commandName(spec: CommandSpec): string {
  return ['hum', ...spec.path].join(' ');
}

import { commandName, type CommandSpec } from './command-spec';

const FLAG_COLUMN = 28;

function usageLine(spec: CommandSpec): string {
  const positionals = spec.positionals.map((p) => p.name).join(' ');
  return `usage: ${commandName(spec)}${positionals ? ` ${positionals}` : ''} [flags]`;
}

const DESCRIPTION_WIDTH = 68;

export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/)) {
    if (current !== '' && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}

function row(left: string, description: string): string {
  const indent = ' '.repeat(FLAG_COLUMN + 2);
  const pad = left.length >= FLAG_COLUMN ? `\n${indent}` : ' '.repeat(FLAG_COLUMN - left.length);
  return `  ${left}${pad}${wrapWords(description, DESCRIPTION_WIDTH).join(`\n${indent}`)}`;
}

/** `hum <command> --help`: usage, what it does, arguments, flags and the epilog. */
export function renderHelp(spec: CommandSpec): string {
  const lines = [usageLine(spec), '', spec.description];
  if (spec.positionals.length > 0) {
    lines.push('', 'arguments:');
    for (const positional of spec.positionals)
      lines.push(row(positional.name, positional.description));
  }
  lines.push('', 'flags:');
  for (const [name, flag] of Object.entries(spec.flags)) {
    const left = `--${name}${flag.type === 'string' ? ` ${flag.value ?? 'VALUE'}` : ''}`;
    lines.push(row(left, flag.description));
  }
  lines.push(row('-h, --help', 'show this help'));
  if (spec.epilog !== undefined) lines.push('', spec.epilog.trimEnd());
  return `${lines.join('\n')}\n`;
}

export interface CommandSummary {
  words: string;
  summary: string;
}

/** `hum --help` and `hum dlq --help`: the commands under a group, one line each. */
export function renderGroupHelp(
  title: string,
  commands: readonly CommandSummary[],
  footer: string,
): string {
  const lines = [title, '', 'commands:'];
  for (const command of commands) lines.push(row(command.words, command.summary));
  lines.push('', footer);
  return `${lines.join('\n')}\n`;
}

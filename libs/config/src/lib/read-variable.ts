import { readFileSync } from 'node:fs';
import type { ConfigProblem } from './config-error';

export type Environment = Readonly<Record<string, string | undefined>>;

export type VariableReading = { value: string | undefined } | { problem: ConfigProblem };

export const FILE_SUFFIX = '_FILE';

function present(value: string | undefined): string | undefined {
  // `FOO=` in a compose file or a shell means "not set", not "set to nothing".
  return value === undefined || value === '' ? undefined : value;
}

function withoutTrailingNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/**
 * The value of `name`, taken either from the variable itself or from the file that
 * `<name>_FILE` points at (how Docker and Kubernetes hand over secrets). The file's one
 * trailing newline — what editors and `echo` add — is not part of the value.
 */
export function readVariable(name: string, env: Environment): VariableReading {
  const fileVariable = `${name}${FILE_SUFFIX}`;
  const direct = present(env[name]);
  const path = present(env[fileVariable]);
  if (path === undefined) return { value: direct };
  if (direct !== undefined) {
    return {
      problem: { variable: name, message: `set either ${name} or ${fileVariable}, not both` },
    };
  }
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return {
      problem: { variable: fileVariable, message: `cannot read ${JSON.stringify(path)} (${code})` },
    };
  }
  const value = withoutTrailingNewline(content);
  if (value === '') {
    return { problem: { variable: fileVariable, message: `${JSON.stringify(path)} is empty` } };
  }
  return { value };
}

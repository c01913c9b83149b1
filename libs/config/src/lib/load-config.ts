import { type z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error';
import { REQUIRED_MESSAGE } from './fields';
import { type Environment, readVariable } from './read-variable';

export interface LoadConfigOptions {
  /** The service being configured; named in the error so logs of a shared platform say whose. */
  service: string;
  /** Defaults to `process.env`; specs pass their own. */
  env?: Environment;
}

/**
 * Reads, coerces and validates a service's configuration once, at boot. The schema's keys are
 * the environment variable names; every variable may instead be given as `<NAME>_FILE`.
 * Throws {@link ConfigError} listing every problem; the result is frozen.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  options: LoadConfigOptions,
): Readonly<z.output<S>> {
  const env = options.env ?? process.env;
  const variables = Object.keys(schema.shape);
  const input: Record<string, string | undefined> = {};
  const problems: ConfigProblem[] = [];
  const unreadable = new Set<string>();
  for (const variable of variables) {
    const reading = readVariable(variable, env);
    if ('problem' in reading) {
      problems.push(reading.problem);
      unreadable.add(variable);
    } else {
      input[variable] = reading.value;
    }
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const variable = String(issue.path[0] ?? '(config)');
      // Its reading problem is the real one; zod would only add "required".
      if (unreadable.has(variable)) continue;
      problems.push({ variable, message: messageFor(issue, input[variable]) });
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(options.service, sortByDeclaration(problems, variables));
  }
  return Object.freeze(result.data as z.output<S>);
}

function messageFor(issue: z.core.$ZodIssue, raw: string | undefined): string {
  // Plain zod fields (not our helpers) say "expected string, received undefined" when unset.
  if (raw === undefined && issue.code === 'invalid_type') return REQUIRED_MESSAGE;
  return issue.message;
}

function sortByDeclaration(problems: ConfigProblem[], variables: string[]): ConfigProblem[] {
  const rank = (variable: string): number => {
    const index = variables.indexOf(variable.replace(/_FILE$/, ''));
    return index === -1 ? variables.length : index;
  };
  return problems
    .map((problem, order) => ({ problem, order }))
    .sort((a, b) => rank(a.problem.variable) - rank(b.problem.variable) || a.order - b.order)
    .map(({ problem }) => problem);
}

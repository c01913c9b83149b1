import { z } from 'zod';

type Scalar = string | number | boolean;

/** `{ TICKET_PROVIDER: 'jira-cloud' }` or `{ TICKET_PROVIDER: ['jira-cloud', 'jira-dc'] }`. */
export type RequirementCondition<T> = {
  [K in keyof T]?: Extract<T[K], Scalar> | readonly Extract<T[K], Scalar>[];
};

function describeCondition(condition: Record<string, unknown>): string {
  return Object.entries(condition)
    .map(([variable, expected]) => {
      const options = Array.isArray(expected) ? expected : [expected];
      return `${variable} is ${options.map(String).join(' or ')}`;
    })
    .join(' and ');
}

function holds(condition: Record<string, unknown>, config: Record<string, unknown>): boolean {
  return Object.entries(condition).every(([variable, expected]) => {
    const options: unknown[] = Array.isArray(expected) ? expected : [expected];
    return options.includes(config[variable]);
  });
}

/**
 * A schema check making variables mandatory only when a feature that needs them is selected:
 *
 *     z.object({ TICKET_PROVIDER: envEnum([...]), JIRA_API_TOKEN: secret().optional() })
 *       .check(requiredWhen({ TICKET_PROVIDER: 'jira-cloud' }, ['JIRA_API_TOKEN']))
 *
 * reports `JIRA_API_TOKEN: required when TICKET_PROVIDER is jira-cloud`. It runs even when
 * other variables are invalid, so one start-up attempt reports every problem at once.
 */
export function requiredWhen<T extends Record<string, unknown>>(
  // NoInfer: T comes from the schema the check is attached to, so the names are checked.
  condition: NoInfer<RequirementCondition<T>>,
  required: readonly NoInfer<keyof T & string>[],
): z.core.$ZodCheck<T> {
  const when = describeCondition(condition);
  return z.superRefine<T>(
    (config, ctx) => {
      if (!holds(condition, config)) return;
      for (const variable of required) {
        if (config[variable] !== undefined) continue;
        ctx.addIssue({ code: 'custom', path: [variable], message: `required when ${when}` });
      }
    },
    // Without this zod skips object-level checks once any field failed.
    { when: () => true },
  );
}

import { z } from 'zod';
import type { TicketContent } from './ticket-provider';

/** What a custom field is filled from. */
export const CUSTOM_FIELD_SOURCES = [
  'group-key',
  'tier',
  'score',
  'asset',
  'team',
  'finding-count',
  'due-date',
] as const;
export type CustomFieldSource = (typeof CUSTOM_FIELD_SOURCES)[number];

/** How the tracker wants the value: Jira field types hum knows how to write. */
export const CUSTOM_FIELD_SHAPES = ['text', 'number', 'option', 'labels', 'date'] as const;
export type CustomFieldShape = (typeof CUSTOM_FIELD_SHAPES)[number];

export const CustomFieldMapping = z
  .object({
    /** `customfield_10102` (Jira) or a column name (ServiceNow, e.g. `u_risk_tier`). */
    field: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/, 'a field id such as customfield_10100'),
    value: z.enum(CUSTOM_FIELD_SOURCES),
    as: z.enum(CUSTOM_FIELD_SHAPES).default('text'),
  })
  .strict();
export type CustomFieldMapping = z.output<typeof CustomFieldMapping>;

function sourceValue(
  source: CustomFieldSource,
  content: TicketContent,
): string | number | undefined {
  switch (source) {
    case 'group-key':
      return content.facts.groupKey;
    case 'tier':
      return content.facts.tier;
    case 'score':
      return content.facts.score;
    case 'asset':
      return content.facts.assetId;
    case 'team':
      return content.facts.team;
    case 'finding-count':
      return content.facts.findingCount;
    case 'due-date':
      return content.dueDate;
  }
}

/** The field's value in the shape the tracker accepts; undefined when there is nothing to set. */
export function customFieldValue(mapping: CustomFieldMapping, content: TicketContent): unknown {
  const value = sourceValue(mapping.value, content);
  if (value === undefined) return undefined;
  switch (mapping.as) {
    case 'text':
      // Jira's single-line text fields hold 255 characters.
      return String(value).slice(0, 255);
    case 'number': {
      const number = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(number) ? number : undefined;
    }
    case 'option':
      return { value: String(value) };
    case 'labels':
      return [String(value).replace(/\s+/g, '_').slice(0, 255)];
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(String(value)) ? String(value) : undefined;
  }
}

export function customFieldValues(
  mappings: readonly CustomFieldMapping[],
  content: TicketContent,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const mapping of mappings) {
    const value = customFieldValue(mapping, content);
    if (value !== undefined) fields[mapping.field] = value;
  }
  return fields;
}

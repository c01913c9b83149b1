import { z } from 'zod';
import {
  FINDING_KINDS,
  ENVIRONMENTS,
  GROUPING_POLICIES,
  type GroupingPolicy,
  HUMAN_DECISIONS,
  RISK_TIERS,
  TICKET_PROVIDERS,
  type TicketProviderName,
} from '@hum/contracts';
import { DEFAULT_ACCEPTED_LABEL } from '../acceptance/risk-acceptance-marks';
import { CustomFieldMapping } from '../custom-fields';

// Grouping is part of the contract (group keys travel in events); re-exported for routing users.
export { GROUPING_POLICIES, type GroupingPolicy };

/** What a route handles: classified findings, or failed auto-patches for the deployment team. */
export const ROUTE_SOURCES = ['findings', 'remediation-failures'] as const;
export type RouteSource = (typeof ROUTE_SOURCES)[number];

const Name = z.string().min(1).max(200);
const Label = z.string().min(1).max(255).regex(/^\S+$/, 'labels may not contain spaces');
const Level = z
  .union([z.literal(1), z.literal(2), z.literal(3)])
  .transform((n) => String(n) as '1' | '2' | '3');
const TierMap = <T extends z.ZodType>(value: T) => z.partialRecord(z.enum(RISK_TIERS), value);
const Decisions = z.record(z.string().min(1).max(200), z.enum(HUMAN_DECISIONS));

const JiraMappings = z
  .object({
    priorities: TierMap(Name).optional(),
    customFields: z.array(CustomFieldMapping).max(50).default([]),
    resolutions: z
      .object({ fixed: Name.nullable().optional(), duplicate: Name.nullable().optional() })
      .strict()
      .default({}),
    transitions: z
      .object({ resolve: Name.optional(), reopen: Name.optional() })
      .strict()
      .default({}),
    /** Resolution name (as a person picks it) -> the decision hum reports. */
    decisions: Decisions.optional(),
  })
  .strict();

const ServiceNowMappings = z
  .object({
    levels: TierMap(z.object({ urgency: Level, impact: Level }).strict()).optional(),
    closeCodes: z
      .object({ fixed: Name.optional(), duplicate: Name.optional() })
      .strict()
      .default({}),
    customFields: z.array(CustomFieldMapping).max(50).default([]),
    /** Close code (or `Canceled`) -> the decision hum reports. */
    decisions: Decisions.optional(),
  })
  .strict();

const Match = z
  .object({
    teams: z.array(Name).max(200).optional(),
    /** Asset id patterns, `*` matching any run of characters. */
    assets: z.array(Name).max(500).optional(),
    tiers: z.array(z.enum(RISK_TIERS)).max(5).optional(),
    kinds: z.array(z.enum(FINDING_KINDS)).max(4).optional(),
    environments: z.array(z.enum(ENVIRONMENTS)).max(4).optional(),
  })
  .strict();

const Route = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lowercase letters, digits and ._-'),
    for: z.enum(ROUTE_SOURCES).default('findings'),
    match: Match.default({}),
    provider: z.enum(TICKET_PROVIDERS),
    /** Jira: the project key. */
    project: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]{0,29}$/, 'a Jira project key such as SEC')
      .optional(),
    issueType: Name.optional(),
    /** ServiceNow: the assignment group. */
    assignmentGroup: Name.optional(),
    /** A tracker priority name for every ticket of this route, overriding the tier mapping. */
    priority: Name.optional(),
    labels: z.array(Label).max(20).default([]),
    components: z.array(Name).max(20).default([]),
    assignee: Name.optional(),
    grouping: z.enum(GROUPING_POLICIES).optional(),
  })
  .strict();

export type RouteInput = z.output<typeof Route>;

/** The routing file (TICKET_ROUTING_FILE): see docs/tickets.md. */
export function routingFileSchema(enabled: readonly TicketProviderName[]) {
  return z
    .object({
      tickets: z
        .object({
          /** Tiers that get tickets; `info` is left out unless listed. */
          tiers: z.array(z.enum(RISK_TIERS)).min(1).default(['critical', 'high', 'medium', 'low']),
          grouping: z.enum(GROUPING_POLICIES).default('asset-vulnerability'),
          /** `{groupKey}` is replaced; where a truncated ticket points for the whole list. */
          detailUrl: z
            .url({ protocol: /^https?$/ })
            .refine((url) => url.includes('{groupKey}'), 'must contain {groupKey}')
            .optional(),
          /** Carried by a ticket while a risk acceptance holds for it. */
          acceptedLabel: Label.default(DEFAULT_ACCEPTED_LABEL),
        })
        .strict()
        .default({
          tiers: ['critical', 'high', 'medium', 'low'],
          grouping: 'asset-vulnerability',
          acceptedLabel: DEFAULT_ACCEPTED_LABEL,
        }),
      providers: z
        .object({
          'jira-cloud': JiraMappings.optional(),
          'jira-dc': JiraMappings.optional(),
          servicenow: ServiceNowMappings.optional(),
        })
        .strict()
        .default({}),
      routes: z.array(Route).min(1).max(1_000),
    })
    .strict()
    .check(
      z.superRefine(
        (file: { routes?: unknown }, ctx) => {
          // Runs even when other fields failed (so one attempt reports every problem): the
          // routes may be only partly valid here, so each is looked at defensively.
          const routes = Array.isArray(file.routes) ? (file.routes as unknown[]) : [];
          const names = new Set<string>();
          routes.forEach((value, index) => {
            if (value === null || typeof value !== 'object') return;
            const route = value as Partial<RouteInput>;
            const issue = (field: string, message: string): void =>
              ctx.addIssue({ code: 'custom', path: ['routes', index, field], message });
            if (typeof route.name === 'string') {
              if (names.has(route.name)) issue('name', `duplicate route name "${route.name}"`);
              names.add(route.name);
            }
            const provider = route.provider;
            if (
              provider === undefined ||
              !(TICKET_PROVIDERS as readonly string[]).includes(provider)
            )
              return;
            if (!enabled.includes(provider)) {
              issue(
                'provider',
                `provider ${provider} is not enabled (TICKET_PROVIDERS=${enabled.join(',') || 'none'})`,
              );
            }
            const jira = provider === 'jira-cloud' || provider === 'jira-dc';
            if (jira && route.project === undefined) issue('project', 'required for Jira routes');
            if (
              !jira &&
              (route.project !== undefined ||
                route.issueType !== undefined ||
                (route.components ?? []).length > 0)
            ) {
              issue(
                'provider',
                'project, issueType and components are Jira settings; ServiceNow routes use assignmentGroup',
              );
            }
          });
        },
        { when: () => true },
      ),
    );
}

export type RoutingFile = z.output<ReturnType<typeof routingFileSchema>>;

import { readFileSync } from 'node:fs';
import { ConfigFileError, parseYamlConfig } from '@hum/config';
import type {
  Environment,
  FindingKind,
  HumanDecision,
  RiskTier,
  TicketProviderName,
} from '@hum/contracts';
import type { TicketTarget } from '../ticket-provider';
import {
  type GroupingPolicy,
  type RouteInput,
  type RouteSource,
  type RoutingFile,
  routingFileSchema,
} from './routing-schema';

/** What routing looks at: a classified finding, or a failed patch of an asset. */
export interface RouteSubject {
  readonly source: RouteSource;
  readonly assetId: string;
  readonly team?: string;
  readonly environment?: Environment;
  readonly tier: RiskTier;
  readonly kind?: FindingKind;
}

export interface ResolvedRoute {
  readonly name: string;
  readonly provider: TicketProviderName;
  readonly grouping: GroupingPolicy;
  readonly target: TicketTarget;
}

/** Resolution names / close codes a person picks, read as decisions, unless configured. */
const DEFAULT_DECISIONS: Readonly<
  Record<TicketProviderName, Readonly<Record<string, HumanDecision>>>
> = {
  'jira-cloud': {
    done: 'done',
    "won't do": 'wont-fix',
    'cannot reproduce': 'false-positive',
    'false positive': 'false-positive',
    duplicate: 'done',
  },
  'jira-dc': {
    done: 'done',
    fixed: 'done',
    "won't fix": 'wont-fix',
    "won't do": 'wont-fix',
    'cannot reproduce': 'false-positive',
    'false positive': 'false-positive',
    duplicate: 'done',
  },
  servicenow: {
    'solution provided': 'done',
    'resolved by change': 'done',
    'resolved by problem': 'done',
    'workaround provided': 'done',
    'resolved by caller': 'done',
    'known error': 'wont-fix',
    'no resolution provided': 'wont-fix',
    canceled: 'wont-fix',
    'user error': 'false-positive',
    duplicate: 'done',
  },
};

function globMatcher(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** What applies when the routing file leaves it out, decided by the service's own settings. */
export interface RoutingDefaults {
  /** A `tickets.detailUrl` template (with `{groupKey}`) for a file that sets none. */
  readonly detailUrl?: string;
}

interface CompiledRoute {
  readonly input: RouteInput;
  readonly assets: readonly RegExp[] | undefined;
  readonly teams: ReadonlySet<string> | undefined;
}

/**
 * The validated routing file: which findings get tickets, where they go and how they are
 * grouped. The first route whose every criterion matches wins.
 */
export class TicketRouting {
  private readonly routes: readonly CompiledRoute[];

  private constructor(
    readonly file: RoutingFile,
    private readonly defaults: RoutingDefaults,
  ) {
    this.routes = file.routes.map((input) => ({
      input,
      assets: input.match.assets?.map(globMatcher),
      teams: input.match.teams && new Set(input.match.teams.map((team) => team.toLowerCase())),
    }));
  }

  /** Parses and validates; a bad file throws ConfigFileError naming line, column and field. */
  static parse(
    text: string,
    source: string,
    enabled: readonly TicketProviderName[],
    defaults: RoutingDefaults = {},
  ): TicketRouting {
    const file = parseYamlConfig(
      text,
      routingFileSchema(enabled),
      (issues) => new ConfigFileError(`ticket routing ${source}`, issues),
    );
    return new TicketRouting(file, defaults);
  }

  static load(
    path: string,
    enabled: readonly TicketProviderName[],
    defaults: RoutingDefaults = {},
  ): TicketRouting {
    return TicketRouting.parse(readFileSync(path, 'utf8'), path, enabled, defaults);
  }

  /** Tiers that get tickets at all. */
  ticketable(tier: RiskTier): boolean {
    return this.file.tickets.tiers.includes(tier);
  }

  /** The route for a finding or failed patch; undefined when none applies. */
  route(subject: RouteSubject): ResolvedRoute | undefined {
    const direct = this.routes.find((route) => this.matches(route, subject, subject.source, true));
    // A failed patch always becomes a ticket: without a route of its own it follows the
    // asset's findings route, whatever finding kinds that route is limited to.
    const found =
      direct ??
      (subject.source === 'remediation-failures'
        ? this.routes.find((route) => this.matches(route, subject, 'findings', false))
        : undefined);
    return found && this.resolve(found.input);
  }

  /** Routes by name, for tickets whose route was decided earlier. */
  routeNamed(name: string): ResolvedRoute | undefined {
    const route = this.routes.find((candidate) => candidate.input.name === name);
    return route && this.resolve(route.input);
  }

  decisionFor(
    provider: TicketProviderName,
    resolution: string | undefined,
  ): HumanDecision | undefined {
    if (resolution === undefined) return undefined;
    const configured = this.file.providers[provider]?.decisions;
    const table: Record<string, HumanDecision> = configured
      ? Object.fromEntries(
          Object.entries(configured).map(([name, decision]) => [name.toLowerCase(), decision]),
        )
      : DEFAULT_DECISIONS[provider];
    return table[resolution.trim().toLowerCase()];
  }

  /** The label a ticket carries while a risk acceptance holds for it. */
  acceptedLabel(): string {
    return this.file.tickets.acceptedLabel;
  }

  /**
   * Where a ticket cut to fit a field limit points for the rest: the file's own page wins
   * (someone chose it for this routing), else the service's default; undefined when neither.
   */
  detailUrlTemplate(): string | undefined {
    return this.file.tickets.detailUrl ?? this.defaults.detailUrl;
  }

  detailUrl(groupKey: string): string | undefined {
    return this.detailUrlTemplate()?.replace('{groupKey}', encodeURIComponent(groupKey));
  }

  private matches(
    route: CompiledRoute,
    subject: RouteSubject,
    source: RouteSource,
    withKinds: boolean,
  ): boolean {
    const { input } = route;
    if (input.for !== source) return false;
    const match = input.match;
    if (route.teams && (subject.team === undefined || !route.teams.has(subject.team.toLowerCase())))
      return false;
    if (route.assets && !route.assets.some((pattern) => pattern.test(subject.assetId)))
      return false;
    if (match.tiers && !match.tiers.includes(subject.tier)) return false;
    if (
      match.environments &&
      (subject.environment === undefined || !match.environments.includes(subject.environment))
    )
      return false;
    if (
      withKinds &&
      match.kinds &&
      (subject.kind === undefined || !match.kinds.includes(subject.kind))
    )
      return false;
    return true;
  }

  private resolve(input: RouteInput): ResolvedRoute {
    const target: TicketTarget = {
      labels: input.labels,
      components: input.components,
      ...(input.project !== undefined ? { project: input.project } : {}),
      ...(input.issueType !== undefined ? { issueType: input.issueType } : {}),
      ...(input.assignmentGroup !== undefined ? { assignmentGroup: input.assignmentGroup } : {}),
      ...(input.assignee !== undefined ? { assignee: input.assignee } : {}),
      ...(input.priority !== undefined ? { priority: input.priority } : {}),
    };
    return {
      name: input.name,
      provider: input.provider,
      grouping: input.grouping ?? this.file.tickets.grouping,
      target,
    };
  }
}

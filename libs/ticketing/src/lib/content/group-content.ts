import {
  type ClassifiedFindingV1,
  type FindingKind,
  RISK_TIERS,
  type RemediationEventV1,
  type RiskTier,
} from '@hum/contracts';
import {
  type Block,
  bold,
  code,
  documentOf,
  heading,
  type Inline,
  link,
  paragraph,
  text,
  type TicketDocument,
} from './document';

/** What a ticket shows of one finding; kept per member so the ticket can be re-rendered. */
export interface MemberSummary {
  readonly fingerprint: string;
  readonly state: 'open' | 'resolved';
  readonly tier: RiskTier;
  readonly score: number;
  readonly title: string;
  readonly kind: FindingKind;
  readonly vulnerability?: string;
  readonly component?: {
    readonly name: string;
    readonly version?: string;
    readonly fixedVersions: readonly string[];
  };
  readonly location?: string;
  readonly factors: ReadonlyArray<{
    readonly name: string;
    readonly input: string | number | boolean | null;
    readonly contribution: number;
    readonly note?: string;
  }>;
  readonly reference?: string;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
}

export interface GroupAsset {
  readonly id: string;
  readonly environment?: string;
  readonly team?: string;
  readonly repository?: string;
}

export interface GroupView {
  readonly groupKey: string;
  readonly tier: RiskTier;
  readonly dueDate?: string;
  readonly slaDays?: number;
  readonly asset: GroupAsset;
  readonly members: readonly MemberSummary[];
}

const FACTORS_SHOWN = 8;

export function tierRank(tier: RiskTier): number {
  return RISK_TIERS.indexOf(tier);
}

/** The most severe tier of the list (`info` for an empty one). */
export function highestTier(tiers: Iterable<RiskTier>): RiskTier {
  let best: RiskTier = 'info';
  for (const tier of tiers) if (tierRank(tier) < tierRank(best)) best = tier;
  return best;
}

function label(tier: RiskTier): string {
  return tier.toUpperCase();
}

/** The parts of a classified event a ticket needs, and nothing that could grow unbounded. */
export function memberSummary(
  event: ClassifiedFindingV1,
  state: 'open' | 'resolved' = 'open',
): MemberSummary {
  const { finding, classification, lifecycle } = event;
  const location = finding.location?.path
    ? `${finding.location.path}${finding.location.startLine !== undefined ? `:${finding.location.startLine}` : ''}`
    : finding.location?.url;
  const factors = [...classification.factors]
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, FACTORS_SHOWN)
    .map((factor) => ({
      name: factor.name,
      input: typeof factor.input === 'string' ? factor.input.slice(0, 200) : factor.input,
      contribution: factor.contribution,
      ...(factor.note !== undefined ? { note: factor.note.slice(0, 200) } : {}),
    }));
  return {
    fingerprint: finding.fingerprint,
    state,
    tier: classification.tier,
    score: classification.score,
    title: finding.title.slice(0, 300),
    kind: finding.kind,
    ...(finding.vulnerability ? { vulnerability: finding.vulnerability.id } : {}),
    ...(finding.component
      ? {
          component: {
            name: finding.component.name.slice(0, 300),
            ...(finding.component.version !== undefined
              ? { version: finding.component.version }
              : {}),
            fixedVersions: finding.component.fixedVersions.slice(0, 10),
          },
        }
      : {}),
    ...(location !== undefined ? { location: location.slice(0, 300) } : {}),
    factors,
    ...(finding.references[0] !== undefined ? { reference: finding.references[0] } : {}),
    firstSeenAt: lifecycle.firstSeenAt,
    lastSeenAt: lifecycle.lastSeenAt,
  };
}

function ordered(members: readonly MemberSummary[]): MemberSummary[] {
  return [...members].sort(
    (a, b) =>
      (a.state === b.state ? 0 : a.state === 'open' ? -1 : 1) ||
      tierRank(a.tier) - tierRank(b.tier) ||
      b.score - a.score ||
      a.fingerprint.localeCompare(b.fingerprint),
  );
}

/** The ticket's one-line summary; trackers cut it to their own limit. */
export function groupSummary(group: GroupView): string {
  const open = group.members.filter((member) => member.state === 'open');
  const lead = ordered(group.members)[0];
  const headline = lead
    ? lead.vulnerability
      ? `${lead.vulnerability}: ${lead.title}`
      : lead.title
    : group.groupKey;
  const more = open.length > 1 ? ` (+${open.length - 1} more)` : '';
  return `[hum] ${label(group.tier)} ${headline} in ${group.asset.id}${more}`;
}

function memberLine(member: MemberSummary): Inline[] {
  const inlines: Inline[] = [bold(`[${label(member.tier)}] `), text(member.title)];
  if (member.component) {
    const version = member.component.version ? `@${member.component.version}` : '';
    inlines.push(text(' — '), code(`${member.component.name}${version}`));
    inlines.push(
      text(
        member.component.fixedVersions.length > 0
          ? ` fixed in ${member.component.fixedVersions.join(', ')}`
          : ' (no fix version published)',
      ),
    );
  }
  if (member.location) inlines.push(text(' — '), code(member.location));
  inlines.push(text(` — score ${member.score.toFixed(1)}`));
  if (member.state === 'resolved') inlines.push(text(' — resolved'));
  if (member.reference) inlines.push(text(' — '), link('advisory', member.reference));
  return inlines;
}

function factorLine(factor: MemberSummary['factors'][number]): Inline[] {
  const sign = factor.contribution >= 0 ? '+' : '';
  const input = factor.input === null ? 'n/a' : String(factor.input);
  return [
    bold(factor.name),
    text(`: ${input} (${sign}${factor.contribution.toFixed(1)})`),
    ...(factor.note ? [text(` — ${factor.note}`)] : []),
  ];
}

/** The description of a group's ticket: why it matters, what to fix, and the findings. */
export function groupDocument(group: GroupView): TicketDocument {
  const members = ordered(group.members);
  const open = members.filter((member) => member.state === 'open');
  const where = [
    group.asset.environment,
    group.asset.team ? `team ${group.asset.team}` : undefined,
  ].filter((part): part is string => part !== undefined);
  const intro: Inline[] = [
    text(`hum found ${open.length} open finding${open.length === 1 ? '' : 's'} in `),
    code(group.asset.id),
    text(where.length > 0 ? ` (${where.join(', ')}). ` : '. '),
    text('Risk tier: '),
    bold(label(group.tier)),
    text('.'),
  ];
  if (group.dueDate !== undefined) {
    intro.push(
      text(
        ` Due ${group.dueDate}${group.slaDays !== undefined ? ` (SLA ${group.slaDays} days for ${group.tier})` : ''}.`,
      ),
    );
  }
  const blocks: Block[] = [paragraph(...intro)];
  if (group.asset.repository)
    blocks.push(
      paragraph(text('Repository: '), link(group.asset.repository, group.asset.repository)),
    );
  const lead = members[0];
  if (lead && lead.factors.length > 0) {
    blocks.push(heading(`Why ${label(lead.tier)}`), {
      kind: 'list',
      items: lead.factors.map(factorLine),
    });
  }
  blocks.push(heading(`Findings (${open.length} open, ${members.length - open.length} resolved)`), {
    kind: 'list',
    items: members.map(memberLine),
    truncatable: true,
  });
  blocks.push(
    paragraph(
      text('This ticket is kept in sync by hum (group '),
      code(group.groupKey),
      text('): it is updated when findings change and resolved when every one is fixed.'),
    ),
  );
  return documentOf(...blocks);
}

export function remediationSummary(event: RemediationEventV1): string {
  return `[hum] Auto-patch failed: ${event.title} in ${event.asset.id}`;
}

/** A failed auto-patch, with what was attempted, so the deployment team can finish it. */
export function remediationDocument(event: RemediationEventV1): TicketDocument {
  const details: Inline[][] = [];
  if (event.strategy) details.push([bold('Strategy: '), text(event.strategy)]);
  if (event.fix) {
    details.push([
      bold('Change: '),
      code(event.fix.component),
      text(` ${event.fix.fromVersion ?? '?'} → ${event.fix.toVersion}`),
    ]);
  }
  if (event.reasons.length > 0) details.push([bold('Reasons: '), text(event.reasons.join(', '))]);
  if (event.url) details.push([bold('Attempt: '), link(event.url, event.url)]);
  details.push([bold('Policy: '), text(event.policyVersion)]);
  details.push([bold('Decided at: '), text(event.decidedAt)]);
  details.push([bold('Finding: '), code(event.fingerprint)]);
  const blocks: Block[] = [
    paragraph(
      text('hum tried to patch '),
      code(event.asset.id),
      text(
        ` (${event.tier} tier) automatically and the attempt failed. Please apply the fix by hand.`,
      ),
    ),
    { kind: 'list', items: details },
  ];
  if (event.detail) blocks.push(heading('What happened'), paragraph(text(event.detail)));
  return documentOf(...blocks);
}

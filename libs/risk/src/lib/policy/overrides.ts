import type { Environment, Exposure, FindingKind, RiskTier } from '@hum/contracts';
import { anyGlobMatches, compileGlob, type Glob } from './glob';
import type { OverrideDefinition } from './policy-schema';

/** What an override can match on, after the asset catalogue has been applied. */
export interface OverrideSubject {
  readonly assetId: string;
  readonly team: string | undefined;
  readonly ruleId: string | undefined;
  readonly kind: FindingKind;
  /** The vulnerability id and its aliases, upper-cased. */
  readonly vulnerabilityIds: readonly string[];
  readonly environment: Environment | 'unknown';
  readonly exposure: Exposure | 'unknown';
  readonly inKev: boolean;
}

/** `pin` is `tier:` in the file, `floor` is `minTier:`, `ceiling` is `maxTier:`. */
export interface OverrideAction {
  readonly kind: 'pin' | 'floor' | 'ceiling';
  readonly tier: RiskTier;
}

/** An override ready to test: patterns compiled once, when the policy loads. */
export interface CompiledOverride {
  readonly id: string;
  readonly description: string | undefined;
  readonly action: OverrideAction;
  /** The last day it applies, as written (YYYY-MM-DD); undefined when it never expires. */
  readonly expires: string | undefined;
  matches(subject: OverrideSubject): boolean;
  /** False from the day after `expires` (UTC) on. */
  isActive(now: Date): boolean;
}

const DAY_MS = 86_400_000;

export function compileOverride(definition: OverrideDefinition): CompiledOverride {
  const { match } = definition;
  const assets = match.assets?.map(compileGlob);
  const teams = match.teams?.map(compileGlob);
  const rules = match.rules?.map(compileGlob);
  const vulnerabilities = match.vulnerabilities?.map((id) => compileGlob(id.toUpperCase()));
  const kinds = match.kinds === undefined ? undefined : new Set<string>(match.kinds);
  const environments = match.environments === undefined ? undefined : new Set(match.environments);
  const exposures = match.exposures === undefined ? undefined : new Set(match.exposures);
  const kev = match.kev;
  const endsAt =
    definition.expires === undefined ? Infinity : Date.parse(definition.expires) + DAY_MS;

  const optionalMatches = (globs: readonly Glob[], value: string | undefined): boolean =>
    value !== undefined && anyGlobMatches(globs, value);

  return {
    id: definition.id,
    description: definition.description,
    action: pickAction(definition),
    expires: definition.expires,
    // Every criterion given must hold; cheapest checks first, since most overrides fail fast.
    matches: (subject) =>
      (kinds === undefined || kinds.has(subject.kind)) &&
      (kev === undefined || kev === subject.inKev) &&
      (environments === undefined || environments.has(subject.environment)) &&
      (exposures === undefined || exposures.has(subject.exposure)) &&
      (assets === undefined || anyGlobMatches(assets, subject.assetId)) &&
      (teams === undefined || optionalMatches(teams, subject.team)) &&
      (rules === undefined || optionalMatches(rules, subject.ruleId)) &&
      (vulnerabilities === undefined ||
        subject.vulnerabilityIds.some((id) => anyGlobMatches(vulnerabilities, id))),
    isActive: (now) => now.getTime() < endsAt,
  };
}

function pickAction(definition: OverrideDefinition): OverrideAction {
  // The schema guarantees exactly one of the three.
  if (definition.tier !== undefined) return { kind: 'pin', tier: definition.tier };
  if (definition.minTier !== undefined) return { kind: 'floor', tier: definition.minTier };
  return { kind: 'ceiling', tier: definition.maxTier ?? 'critical' };
}

const ACTION_KEY: Readonly<Record<OverrideAction['kind'], string>> = {
  pin: 'tier',
  floor: 'minTier',
  ceiling: 'maxTier',
};

/** `minTier high`: the action as written in the policy file, for a factor's input. */
export function describeAction(action: OverrideAction): string {
  return `${ACTION_KEY[action.kind]} ${action.tier}`;
}

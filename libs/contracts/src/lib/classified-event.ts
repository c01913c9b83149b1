import { CLASSIFICATION_CHANGES, ClassifiedFindingV1, LIFECYCLE_STATES } from './classified';
import { conformingMark, markConforming } from './conforming';
import { FindingV1 } from './finding';
import { findingConforms } from './finding-check';
import { RISK_TIERS, Timestamp } from './primitives';

/**
 * The classification and lifecycle parts of ClassifiedFindingV1 as straight-line checks, for
 * the classifier's hot path: zod stays the contract (and words the error when a check here
 * fails), this is the same rules without zod's copying, which cost the classifier about a fifth
 * of its CPU per finding (the factors' union above all; bench/classifier.bench.mjs).
 * classified-event.spec.ts holds both to zod's verdict field by field, so a contract change
 * fails a test until these follow.
 */
export function classificationConforms(value: unknown): boolean {
  if (!isPlainObject(value) || !onlyKeys(value, CLASSIFICATION_KEYS)) return false;
  return (
    TIERS.has(value.tier as string) &&
    isFiniteNumber(value.score) &&
    value.score >= 0 &&
    value.score <= 100 &&
    Array.isArray(value.factors) &&
    value.factors.length <= 50 &&
    value.factors.every(factorConforms) &&
    isText(value.policyVersion, 1, 100) &&
    isTimestamp(value.classifiedAt)
  );
}

/** See {@link classificationConforms}. */
export function lifecycleConforms(value: unknown): boolean {
  if (!isPlainObject(value) || !onlyKeys(value, LIFECYCLE_KEYS)) return false;
  return (
    EMITTED_STATES.has(value.state as string) &&
    CHANGES.has(value.change as string) &&
    (value.previousTier === undefined || TIERS.has(value.previousTier as string)) &&
    isTimestamp(value.firstSeenAt) &&
    isTimestamp(value.lastSeenAt) &&
    Number.isSafeInteger(value.revision) &&
    (value.revision as number) >= 1
  );
}

/**
 * Whether `value` is a whole ClassifiedFindingV1 that zod would pass through unchanged, by the
 * straight-line checks of its three parts: decodeEvent keeps such a body as it is, without
 * zod's copy (the dispatcher and the patcher consume every classified event).
 */
export function classifiedConforms(value: unknown): value is ClassifiedFindingV1 {
  return (
    isPlainObject(value) &&
    onlyKeys(value, EVENT_KEYS) &&
    findingConforms(value.finding) &&
    classificationConforms(value.classification) &&
    lifecycleConforms(value.lifecycle)
  );
}

/**
 * A classified finding around a finding already checked against FindingV1, as every consumed
 * findings.raw message is (decodeEvent marks the finding it checked; a finding without that
 * mark is checked here): checks the classification and lifecycle with the straight-line checks above,
 * and marks the whole as conforming with its JSON built around `findingJson` (the caller's
 * `JSON.stringify(finding)`, which it stores too), so that publishing it neither checks nor
 * serialises the finding a second time (bench/classifier.bench.mjs); `classificationJson`, when
 * given, is `JSON.stringify(classification)`, which the classifier stores too. None of the three
 * parts may change afterwards.
 */
export function classifiedAroundCheckedFinding(
  finding: FindingV1,
  classification: ClassifiedFindingV1['classification'],
  lifecycle: ClassifiedFindingV1['lifecycle'],
  findingJson: string = JSON.stringify(finding),
  classificationJson?: string,
): ClassifiedFindingV1 {
  // Checked, not copied: the event keeps the caller's finding, whose JSON it was given.
  if (!conformingMark(FindingV1, finding)) FindingV1.parse(finding);
  // The fast checks pass what the classifier builds; anything else gets zod's worded error.
  const event: ClassifiedFindingV1 = {
    finding,
    classification: classificationConforms(classification)
      ? classification
      : ClassifiedFindingV1.shape.classification.parse(classification),
    lifecycle: lifecycleConforms(lifecycle)
      ? lifecycle
      : ClassifiedFindingV1.shape.lifecycle.parse(lifecycle),
  };
  // JSON.stringify(event), property by property in the event's own key order; the caller's
  // classification JSON only for the classification it checked.
  const json = `{"finding":${findingJson},"classification":${
    event.classification === classification && classificationJson !== undefined
      ? classificationJson
      : JSON.stringify(event.classification)
  },"lifecycle":${JSON.stringify(event.lifecycle)}}`;
  markConforming(ClassifiedFindingV1, event, json);
  return event;
}

const EVENT_KEYS = new Set(['finding', 'classification', 'lifecycle']);
const CLASSIFICATION_KEYS = new Set(['tier', 'score', 'factors', 'policyVersion', 'classifiedAt']);
const LIFECYCLE_KEYS = new Set([
  'state',
  'change',
  'previousTier',
  'firstSeenAt',
  'lastSeenAt',
  'revision',
]);
const FACTOR_KEYS = new Set(['name', 'input', 'contribution', 'note']);
const TIERS = new Set<string>(RISK_TIERS);
const EMITTED_STATES = new Set<string>(LIFECYCLE_STATES.filter((s) => s !== 'resolved'));
const CHANGES = new Set<string>(CLASSIFICATION_CHANGES);

function factorConforms(value: unknown): boolean {
  if (!isPlainObject(value) || !onlyKeys(value, FACTOR_KEYS)) return false;
  const { input } = value;
  return (
    isText(value.name, 1, 100) &&
    (input === null ||
      typeof input === 'boolean' ||
      isFiniteNumber(input) ||
      isText(input, 0, 500)) &&
    isFiniteNumber(value.contribution) &&
    (value.note === undefined || isText(value.note, 0, 500))
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Required keys are checked by their rules (undefined fails them), unknown keys here. */
function onlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isText(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/** zod's own check for the one regular expression rule: a string check copies nothing. */
function isTimestamp(value: unknown): boolean {
  return typeof value === 'string' && Timestamp.safeParse(value).success;
}

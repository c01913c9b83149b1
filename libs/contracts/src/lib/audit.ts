import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Sha256Hex, Timestamp } from './primitives';

export const ACTOR_TYPES = ['user', 'api-key', 'service', 'system'] as const;

export const AuditEntryV1 = z
  .object({
    /**
     * Which hash chain the entry belongs to: each service that changes state keeps its own
     * chain (its name), so no cross-service lock is needed and each chain verifies alone.
     */
    chain: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'lowercase service name'),
    /** Position in the chain, from 1, without gaps. */
    seq: z.number().int().min(1),
    id: z.uuid(),
    at: Timestamp,
    actor: z
      .object({
        type: z.enum(ACTOR_TYPES),
        id: z.string().min(1).max(200),
      })
      .strict(),
    /** Dotted verb, e.g. `policy.proposal.approved`, `patcher.tier.auto-paused`. */
    action: z
      .string()
      .min(3)
      .max(100)
      .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, 'dotted lowercase action'),
    entity: z
      .object({
        type: z.string().min(1).max(50),
        id: z.string().min(1).max(300),
      })
      .strict(),
    outcome: z.enum(['success', 'denied', 'failed']),
    details: z.record(z.string(), z.unknown()),
    prevHash: Sha256Hex,
    hash: Sha256Hex,
  })
  .strict();
export type AuditEntryV1 = z.infer<typeof AuditEntryV1>;

/** The hash the chain starts from (before entry 1). */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth: the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    // undefined, functions and symbols have no JSON form; treat them as null like arrays do.
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Hash of an entry's content and its predecessor's hash; the `hash` field itself is excluded. */
export function computeAuditHash(entry: Omit<AuditEntryV1, 'hash'>): string {
  const { chain, seq, id, at, actor, action, entity, outcome, details, prevHash } = entry;
  return createHash('sha256')
    .update(
      canonicalJson({ chain, seq, id, at, actor, action, entity, outcome, details, prevHash }),
    )
    .digest('hex');
}

export type AuditChainCheck =
  { ok: true; checked: number } | { ok: false; checked: number; brokenAt: number; reason: string };

/**
 * Walks one chain's entries in seq order and names the first one whose link or content does
 * not hold (an edited, deleted, inserted or reordered entry).
 */
export function verifyAuditChain(entries: Iterable<AuditEntryV1>): AuditChainCheck {
  let expectedPrev = AUDIT_GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  let chain: string | undefined;
  for (const entry of entries) {
    chain ??= entry.chain;
    if (entry.chain !== chain) {
      return {
        ok: false,
        checked,
        brokenAt: entry.seq,
        reason: `entry of chain ${entry.chain} inside chain ${chain}`,
      };
    }
    if (entry.seq !== expectedSeq) {
      return {
        ok: false,
        checked,
        brokenAt: entry.seq,
        reason: `expected seq ${expectedSeq}, found ${entry.seq}`,
      };
    }
    if (entry.prevHash !== expectedPrev) {
      return {
        ok: false,
        checked,
        brokenAt: entry.seq,
        reason: 'prevHash does not match the previous entry',
      };
    }
    if (computeAuditHash(entry) !== entry.hash) {
      return { ok: false, checked, brokenAt: entry.seq, reason: 'content does not match its hash' };
    }
    expectedPrev = entry.hash;
    expectedSeq += 1;
    checked += 1;
  }
  return { ok: true, checked };
}

import { z } from 'zod';
import { Identifier, Sha256Hex, TeamName, Timestamp } from './primitives';

export const API_KEY_PERMISSIONS = ['scans:publish', 'gate:read'] as const;
export const ApiKeyPermission = z.enum(API_KEY_PERMISSIONS);
export type ApiKeyPermission = z.infer<typeof ApiKeyPermission>;

/**
 * A pipeline API key as policy-admin publishes it on the compacted `apikeys.state` topic (key:
 * the key id): the SHA-256 of its secret, never the secret. The gateway and the classifier's
 * gate follow the topic, so a revocation takes effect within seconds everywhere.
 */
export const ApiKeyStateV1 = z
  .object({
    id: z.string().regex(/^[a-z0-9]{12}$/),
    name: z.string().min(1).max(200),
    hash: Sha256Hex,
    permissions: z.array(ApiKeyPermission).min(1),
    /** Asset id globs the key may publish for; `*` for all. */
    assets: z.array(z.string().min(1).max(200)).min(1),
    /** Teams it may publish for; empty means any team. */
    teams: z.array(TeamName),
    createdAt: Timestamp,
    createdBy: z.string().min(1).max(200),
    expiresAt: Timestamp.optional(),
    revokedAt: Timestamp.optional(),
    revokedBy: z.string().min(1).max(200).optional(),
    version: z.number().int().min(1),
  })
  .strict();
export type ApiKeyStateV1 = z.infer<typeof ApiKeyStateV1>;

/**
 * A pipeline API key was used (at most once a minute per key and service), so policy-admin
 * can show when each key was last used. Compacted per key; the latest time wins.
 */
export const ApiKeyUsedV1 = z
  .object({
    id: z.string().regex(/^[a-z0-9]{12}$/),
    lastUsedAt: Timestamp,
    /** The service that saw the key. */
    service: z.string().min(1).max(100),
  })
  .strict();
export type ApiKeyUsedV1 = z.infer<typeof ApiKeyUsedV1>;

export const ACCEPTANCE_STATES = ['active', 'expired', 'lapsed', 'revoked'] as const;
/** The longest `endedReason` a risk acceptance record carries (a revoke note becomes one). */
export const ENDED_REASON_MAX_LENGTH = 1000;

/**
 * An approved risk acceptance (an exception) for a finding or a ticket group, on the compacted
 * `risk.acceptances` topic (key: the acceptance id). Proposed by one admin, approved by a
 * different approver; accepted findings do not block the promotion gate and their tickets say
 * so. It lapses on expiry or when the finding's risk rises.
 */
export const RiskAcceptanceV1 = z
  .object({
    id: Identifier,
    /** What is accepted: one finding, or every finding of a ticket group. */
    target: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('finding'), fingerprint: Sha256Hex }).strict(),
      z.object({ kind: z.literal('group'), groupKey: z.string().min(1).max(500) }).strict(),
    ]),
    reason: z.string().min(1).max(4000),
    owner: z.string().min(1).max(200),
    expiresAt: Timestamp,
    state: z.enum(ACCEPTANCE_STATES),
    /** The tier the risk was accepted at; a higher tier later makes it lapse. */
    acceptedTier: z.enum(['critical', 'high', 'medium', 'low', 'info']),
    proposedBy: z.string().min(1).max(200),
    approvedBy: z.string().min(1).max(200),
    decidedAt: Timestamp,
    version: z.number().int().min(1),
    /**
     * Why it ended, in words, once expired, lapsed or revoked (e.g. which finding entered CISA
     * KEV): tickets quote it. Absent on active records and on records of older versions.
     */
    endedReason: z.string().min(1).max(ENDED_REASON_MAX_LENGTH).optional(),
  })
  .strict();
export type RiskAcceptanceV1 = z.infer<typeof RiskAcceptanceV1>;

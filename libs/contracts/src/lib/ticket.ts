import { z } from 'zod';
import { Sha256Hex, Timestamp } from './primitives';

export const TICKET_PROVIDERS = ['jira-cloud', 'jira-dc', 'servicenow'] as const;
export const TicketProviderName = z.enum(TICKET_PROVIDERS);
export type TicketProviderName = z.infer<typeof TicketProviderName>;

export const TICKET_ACTIONS = [
  'created',
  'updated',
  'commented',
  'resolved',
  'reopened',
  'human-decision',
  'human-closed-while-open',
  'repaired',
] as const;
export const TicketAction = z.enum(TICKET_ACTIONS);
export type TicketAction = z.infer<typeof TicketAction>;

export const HUMAN_DECISIONS = ['wont-fix', 'false-positive', 'done'] as const;
export const HumanDecision = z.enum(HUMAN_DECISIONS);
export type HumanDecision = z.infer<typeof HumanDecision>;

export const TicketEventV1 = z
  .object({
    provider: TicketProviderName,
    groupKey: z.string().min(1).max(500),
    ticketKey: z.string().min(1).max(100),
    url: z.string().max(2048).optional(),
    action: TicketAction,
    fingerprints: z.array(Sha256Hex).max(1000),
    decision: HumanDecision.optional(),
    actor: z.string().min(1).max(200).optional(),
    detail: z.string().max(4000).optional(),
    at: Timestamp,
  })
  .strict();
export type TicketEventV1 = z.infer<typeof TicketEventV1>;

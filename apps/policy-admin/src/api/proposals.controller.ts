import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCookieAuth,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { AccessGuard, type PersonPrincipal, RequireRoles } from '@hum/auth';
import {
  MAX_PROPOSAL_TTL_MS,
  MIN_PROPOSAL_TTL_MS,
  PolicyChange,
  PROPOSAL_STATES,
} from '@hum/policy';
import { DeniedAttempts } from '../audit/denied-attempts';
import { openApiSchema } from '../http/openapi';
import { parseInput, parseQuery } from '../http/parse-input';
import { Person } from '../http/principal.decorator';
import { PolicyService } from '../policy/policy.service';

const ProposeBody = z
  .object({
    change: PolicyChange,
    reason: z.string().trim().min(3).max(2000),
    /** Hours until the proposal expires if nobody approves it (default: ADMIN_PROPOSAL_TTL). */
    expiresInHours: z
      .number()
      .min(MIN_PROPOSAL_TTL_MS / 3_600_000)
      .max(MAX_PROPOSAL_TTL_MS / 3_600_000)
      .optional(),
  })
  .strict();

const DecisionBody = z.object({ note: z.string().trim().max(2000).optional() }).strict();

const ListQuery = z
  .object({
    state: z.enum(PROPOSAL_STATES).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

const ProposalId = z.string().regex(/^prp-[0-9a-f-]{36}$/, 'a proposal id (prp-<uuid>)');

/** The policy key a (possibly invalid) proposal body aims at, for the audit entry of a refusal. */
function aimedKey(body: unknown): string {
  const change = (body as { change?: { kind?: unknown; tier?: unknown } } | null)?.change;
  if (change?.kind === 'global') return 'global';
  return `tier:${typeof change?.tier === 'string' ? change.tier.slice(0, 50) : '?'}`;
}

@ApiTags('proposals')
@ApiBearerAuth()
@ApiCookieAuth()
@Controller('v1/proposals')
@UseGuards(AccessGuard)
export class ProposalsController {
  constructor(
    private readonly policy: PolicyService,
    private readonly denied: DeniedAttempts,
  ) {}

  @Get()
  @RequireRoles('viewer')
  @ApiOperation({ summary: 'Proposals, newest first (state=pending for those awaiting approval)' })
  @ApiQuery({ name: 'state', required: false, enum: PROPOSAL_STATES })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  async list(@Query() query: unknown) {
    const { state, limit } = parseQuery(ListQuery, query);
    return { proposals: await this.policy.list(state, limit) };
  }

  @Get(':id')
  @RequireRoles('viewer')
  @ApiOperation({ summary: 'One proposal' })
  get(@Param('id') id: string) {
    return this.policy.get(parseQuery(ProposalId, id));
  }

  @Post()
  @RequireRoles('admin')
  @ApiOperation({
    summary: 'Propose a policy change',
    description:
      'Lowering automation (a mode down, smaller budgets, kill switch engaged, a freeze window or deny entry added, a stricter gate) applies at once. Raising the low tier applies at once (one admin). Anything else that raises waits for a second, different person with the approver role, and expires (default 24 h).',
  })
  @ApiBody({ schema: openApiSchema(ProposeBody) })
  @HttpCode(201)
  propose(@Person() person: PersonPrincipal, @Body() body: unknown) {
    return this.denied.guard(
      person,
      'policy.proposal.create',
      { type: 'policy', id: aimedKey(body) },
      () => {
        const input = parseInput(ProposeBody, body);
        return this.policy.propose(person, {
          change: input.change,
          reason: input.reason,
          ...(input.expiresInHours !== undefined
            ? { ttlMs: Math.round(input.expiresInHours * 3_600_000) }
            : {}),
        });
      },
    );
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequireRoles('approver')
  @ApiOperation({ summary: 'Approve a pending proposal (never your own)' })
  @ApiBody({ schema: openApiSchema(DecisionBody), required: false })
  approve(@Person() person: PersonPrincipal, @Param('id') id: string, @Body() body: unknown) {
    return this.denied.guard(
      person,
      'policy.proposal.approve',
      { type: 'proposal', id: id.slice(0, 300) },
      () => {
        const proposal = parseInput(ProposalId, id);
        const { note } = parseInput(DecisionBody, body ?? {});
        return this.policy.approve(person, proposal, note);
      },
    );
  }

  @Post(':id/reject')
  @HttpCode(200)
  @RequireRoles('approver', 'admin')
  @ApiOperation({
    summary: 'Reject a pending proposal (an approver), or withdraw your own (its proposer)',
  })
  @ApiBody({ schema: openApiSchema(DecisionBody), required: false })
  reject(@Person() person: PersonPrincipal, @Param('id') id: string, @Body() body: unknown) {
    return this.denied.guard(
      person,
      'policy.proposal.reject',
      { type: 'proposal', id: id.slice(0, 300) },
      () => {
        const proposal = parseInput(ProposalId, id);
        const { note } = parseInput(DecisionBody, body ?? {});
        return this.policy.reject(person, proposal, note);
      },
    );
  }
}

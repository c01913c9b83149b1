import { Controller, Get, Query, UseGuards, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AccessGuard, RequireRoles } from '@hum/auth';
import { Timestamp } from '@hum/contracts';
import { listAudit, verifyChain } from '../audit/audit-queries';
import { AUDIT_CHAIN } from '../audit/change-runner';
import type { AdminDatabase } from '../database/schema';
import { parseQuery } from '../http/parse-input';
import { ADMIN_DB } from '../tokens';

const Chain = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a chain name (a service name)');

const AuditQuery = z
  .object({
    chain: Chain.optional(),
    action: z.string().min(1).max(100).optional(),
    actor: z.string().min(1).max(200).optional(),
    entity: z.string().min(1).max(300).optional(),
    outcome: z.enum(['success', 'denied', 'failed']).optional(),
    from: Timestamp.optional(),
    to: Timestamp.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/**
 * The audit log, read-only: entries are never updated or deleted through any API (and the
 * database refuses it), and the chain can be verified from here or with `hum audit verify`.
 */
@ApiTags('audit')
@ApiBearerAuth()
@ApiCookieAuth()
@Controller('v1/audit')
@UseGuards(AccessGuard)
export class AuditController {
  constructor(@Inject(ADMIN_DB) private readonly db: Kysely<AdminDatabase>) {}

  @Get()
  @RequireRoles('viewer')
  @ApiOperation({ summary: 'Audit entries of every chain, newest first, with filters' })
  @ApiQuery({ name: 'chain', required: false })
  @ApiQuery({ name: 'action', required: false, description: 'exact, or a dotted prefix' })
  @ApiQuery({ name: 'actor', required: false })
  @ApiQuery({ name: 'entity', required: false, description: 'entity id or type' })
  @ApiQuery({ name: 'outcome', required: false, enum: ['success', 'denied', 'failed'] })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  async list(@Query() query: unknown) {
    const q = parseQuery(AuditQuery, query);
    const entries = await listAudit(this.db, {
      ...q,
      from: q.from !== undefined ? new Date(q.from) : undefined,
      to: q.to !== undefined ? new Date(q.to) : undefined,
    });
    return { entries };
  }

  @Get('verify')
  @RequireRoles('viewer')
  @ApiOperation({
    summary: 'Verify a hash chain and name its first broken entry',
    description: `chain=${AUDIT_CHAIN} (default) checks policy-admin's own tables; another service's name checks its entries as they arrived on audit.log.`,
  })
  @ApiQuery({ name: 'chain', required: false })
  verify(@Query() query: unknown) {
    const { chain } = parseQuery(z.object({ chain: Chain.default(AUDIT_CHAIN) }).strict(), query);
    return verifyChain(this.db, chain);
  }
}

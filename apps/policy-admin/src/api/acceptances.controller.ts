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
import { ENDED_REASON_MAX_LENGTH } from '@hum/contracts';
import { AcceptancesService, ProposeAcceptanceBody } from '../acceptances/acceptances.service';
import { DeniedAttempts } from '../audit/denied-attempts';
import { openApiSchema } from '../http/openapi';
import { parseInput, parseQuery } from '../http/parse-input';
import { Person } from '../http/principal.decorator';

const AcceptanceId = z.string().regex(/^ra-[0-9a-f-]{36}$/, 'a risk acceptance id (ra-<uuid>)');
/**
 * A decision's note. A revoke publishes it as the record's `endedReason`, so it is held to that
 * field's limit here; a blank note is no note, and the revoke falls back to its default reason.
 */
const NoteBody = z
  .object({
    note: z
      .string()
      .trim()
      .max(ENDED_REASON_MAX_LENGTH)
      .transform((note) => note || undefined)
      .optional(),
  })
  .strict();
const STATES = [
  'pending',
  'active',
  'expired',
  'lapsed',
  'revoked',
  'rejected',
  'withdrawn',
  'request-expired',
] as const;
const ListQuery = z
  .object({
    state: z.enum(STATES).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

@ApiTags('risk-acceptances')
@ApiBearerAuth()
@ApiCookieAuth()
@Controller('v1/risk-acceptances')
@UseGuards(AccessGuard)
export class AcceptancesController {
  constructor(
    private readonly acceptances: AcceptancesService,
    private readonly denied: DeniedAttempts,
  ) {}

  @Get()
  @RequireRoles('viewer')
  @ApiOperation({ summary: 'Risk acceptances, newest first' })
  @ApiQuery({ name: 'state', required: false, enum: STATES })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  async list(@Query() query: unknown) {
    const { state, limit } = parseQuery(ListQuery, query);
    return { acceptances: await this.acceptances.list(state, limit) };
  }

  @Post()
  @HttpCode(201)
  @RequireRoles('admin')
  @ApiOperation({
    summary: 'Propose a risk acceptance (an approver other than you must approve it)',
  })
  @ApiBody({ schema: openApiSchema(ProposeAcceptanceBody) })
  propose(@Person() person: PersonPrincipal, @Body() body: unknown) {
    return this.denied.guard(
      person,
      'risk.acceptance.propose',
      { type: 'risk-acceptance', id: '(new)' },
      () => this.acceptances.propose(person, parseInput(ProposeAcceptanceBody, body)),
    );
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequireRoles('approver')
  @ApiOperation({ summary: 'Approve a proposed risk acceptance (never your own)' })
  @ApiBody({ schema: openApiSchema(NoteBody), required: false })
  approve(@Person() person: PersonPrincipal, @Param('id') id: string, @Body() body: unknown) {
    return this.decide(person, id, body, 'approve');
  }

  @Post(':id/reject')
  @HttpCode(200)
  @RequireRoles('approver', 'admin')
  @ApiOperation({ summary: 'Reject a proposed acceptance (an approver), or withdraw your own' })
  @ApiBody({ schema: openApiSchema(NoteBody), required: false })
  reject(@Person() person: PersonPrincipal, @Param('id') id: string, @Body() body: unknown) {
    return this.decide(person, id, body, 'reject');
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequireRoles('admin')
  @ApiOperation({ summary: 'End an active acceptance early (applies at once)' })
  @ApiBody({ schema: openApiSchema(NoteBody), required: false })
  revoke(@Person() person: PersonPrincipal, @Param('id') id: string, @Body() body: unknown) {
    return this.decide(person, id, body, 'revoke');
  }

  private decide(
    person: PersonPrincipal,
    id: string,
    body: unknown,
    verb: 'approve' | 'reject' | 'revoke',
  ) {
    return this.denied.guard(
      person,
      `risk.acceptance.${verb}`,
      { type: 'risk-acceptance', id: id.slice(0, 300) },
      () => {
        const { note } = parseInput(NoteBody, body ?? {});
        const acceptance = parseInput(AcceptanceId, id);
        return this.acceptances[verb](person, acceptance, note);
      },
    );
  }
}

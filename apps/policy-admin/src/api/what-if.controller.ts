import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AccessGuard, RequireRoles } from '@hum/auth';
import { PolicyChange } from '@hum/policy';
import { openApiSchema } from '../http/openapi';
import { parseQuery } from '../http/parse-input';
import { PolicyService } from '../policy/policy.service';
import { ADMIN_SETTINGS, type AdminSettings } from '../tokens';
import { WhatIfService } from '../what-if/what-if.service';

const WhatIfBody = z
  .object({
    /** A change to evaluate, or the id of a proposal whose change to evaluate. */
    change: PolicyChange.optional(),
    proposalId: z
      .string()
      .regex(/^prp-[0-9a-f-]{36}$/)
      .optional(),
    days: z.number().int().min(1).max(365).default(7),
  })
  .strict()
  .refine((b) => (b.change === undefined) !== (b.proposalId === undefined), {
    message: 'give either change or proposalId',
  });

@ApiTags('what-if')
@ApiBearerAuth()
@ApiCookieAuth()
@Controller('v1/what-if')
@UseGuards(AccessGuard)
export class WhatIfController {
  constructor(
    private readonly whatIf: WhatIfService,
    private readonly policy: PolicyService,
    @Inject(ADMIN_SETTINGS) private readonly settings: AdminSettings,
  ) {}

  // A POST because the change is a structured body; it reads only and changes nothing.
  @Post()
  @HttpCode(200)
  @RequireRoles('viewer')
  @ApiOperation({
    summary: 'What a policy change would have done over the last N days',
    description:
      'Replays the stored classified findings through the auto-patcher’s decision code under the policy in force and under the change: patches applied / planned per team and tier, and which budgets would have bound.',
  })
  @ApiBody({ schema: openApiSchema(WhatIfBody) })
  async evaluate(@Body() body: unknown) {
    const input = parseQuery(WhatIfBody, body, 'body');
    const days = Math.min(input.days, this.settings.whatIfMaxDays);
    const change = input.change ?? (await this.policy.get(input.proposalId!)).change;
    return this.whatIf.evaluate(change, days);
  }
}

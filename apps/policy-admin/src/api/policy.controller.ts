import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AccessGuard, type PersonPrincipal, RequireRoles } from '@hum/auth';
import { RemediationTier } from '@hum/contracts';
import { DeniedAttempts } from '../audit/denied-attempts';
import { openApiSchema } from '../http/openapi';
import { parseInput } from '../http/parse-input';
import { Person } from '../http/principal.decorator';
import { PolicyService } from '../policy/policy.service';

const ResumeBody = z.object({ note: z.string().trim().max(2000).optional() }).strict();

@ApiTags('policy')
@ApiBearerAuth()
@ApiCookieAuth()
@Controller('v1/policy')
@UseGuards(AccessGuard)
export class PolicyController {
  constructor(
    private readonly policy: PolicyService,
    private readonly denied: DeniedAttempts,
  ) {}

  @Get()
  @RequireRoles('viewer')
  @ApiOperation({
    summary:
      'The policy in force: every tier (mode, budgets, SLA days, paused) and the global record',
  })
  async current() {
    const snapshot = await this.policy.current();
    return { tiers: snapshot.tiers, global: snapshot.global };
  }

  @Post('tiers/:tier/resume')
  @HttpCode(200)
  @RequireRoles('operator')
  @ApiOperation({ summary: "Resume a tier the patcher's failure-rate breaker paused" })
  @ApiBody({ schema: openApiSchema(ResumeBody), required: false })
  resume(@Person() person: PersonPrincipal, @Param('tier') tier: string, @Body() body: unknown) {
    return this.denied.guard(
      person,
      'policy.tier.resume',
      { type: 'policy', id: `tier:${tier.slice(0, 50)}` },
      () => {
        const parsed = parseInput(RemediationTier, tier);
        const { note } = parseInput(ResumeBody, body ?? {});
        return this.policy.resume(person, parsed, note);
      },
    );
  }
}

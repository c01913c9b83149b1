import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AccessGuard, type PersonPrincipal, RequireRoles } from '@hum/auth';
import { DeniedAttempts } from '../audit/denied-attempts';
import { DlqService } from '../dlq/dlq.service';
import { openApiSchema } from '../http/openapi';
import { parseInput } from '../http/parse-input';
import { Person } from '../http/principal.decorator';

const ReplayBody = z.object({ limit: z.number().int().min(1).max(1_000_000).optional() }).strict();

@ApiTags('dlq')
@ApiBearerAuth()
@ApiCookieAuth()
@Controller('v1/dlq')
@UseGuards(AccessGuard)
export class DlqController {
  constructor(
    private readonly dlq: DlqService,
    private readonly denied: DeniedAttempts,
  ) {}

  @Get()
  @RequireRoles('viewer')
  @ApiOperation({ summary: 'Dead letters per topic: retained, and not yet replayed' })
  async depths() {
    return { topics: await this.dlq.depths() };
  }

  @Post(':topic/replay')
  @HttpCode(200)
  @RequireRoles('operator')
  @ApiOperation({
    summary: 'Replay the dead letters of a topic back to it, once',
    description:
      'Shares its position with `hum dlq replay` (consumer group hum-cli.dlq-replay.<dlq>): a letter replayed by either is not replayed again.',
  })
  @ApiBody({ schema: openApiSchema(ReplayBody), required: false })
  replay(@Person() person: PersonPrincipal, @Param('topic') topic: string, @Body() body: unknown) {
    return this.denied.guard(
      person,
      'dlq.replay',
      { type: 'topic', id: topic.slice(0, 300) },
      () => {
        const { limit } = parseInput(ReplayBody, body ?? {});
        return this.dlq.replay(person, topic, limit);
      },
    );
  }
}

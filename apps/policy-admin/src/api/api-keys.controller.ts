import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AccessGuard, type PersonPrincipal, RequireRoles } from '@hum/auth';
import { ApiKeysService, CreateApiKeyBody } from '../api-keys/api-keys.service';
import { DeniedAttempts } from '../audit/denied-attempts';
import { openApiSchema } from '../http/openapi';
import { parseInput } from '../http/parse-input';
import { Person } from '../http/principal.decorator';

const KeyId = z.string().regex(/^[a-z0-9]{12}$/, 'an API key id (12 lowercase letters and digits)');
const RevokeBody = z.object({ note: z.string().trim().max(2000).optional() }).strict();

@ApiTags('api-keys')
@ApiBearerAuth()
@ApiCookieAuth()
@Controller('v1/api-keys')
@UseGuards(AccessGuard)
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly denied: DeniedAttempts,
  ) {}

  @Get()
  @RequireRoles('viewer')
  @ApiOperation({ summary: 'Pipeline API keys (never their secrets or hashes), with last use' })
  async list() {
    return { keys: await this.keys.list() };
  }

  @Post()
  @HttpCode(201)
  @RequireRoles('admin')
  @ApiOperation({
    summary: 'Create a pipeline API key',
    description: 'The token is in this response only: it is not stored, only its SHA-256 is.',
  })
  @ApiBody({ schema: openApiSchema(CreateApiKeyBody) })
  create(@Person() person: PersonPrincipal, @Body() body: unknown) {
    return this.denied.guard(person, 'apikey.create', { type: 'api-key', id: '(new)' }, () =>
      this.keys.create(person, parseInput(CreateApiKeyBody, body)),
    );
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequireRoles('admin')
  @ApiOperation({ summary: 'Revoke a key: the gateway refuses it within seconds' })
  @ApiBody({ schema: openApiSchema(RevokeBody), required: false })
  revoke(@Person() person: PersonPrincipal, @Param('id') id: string, @Body() body: unknown) {
    return this.denied.guard(
      person,
      'apikey.revoke',
      { type: 'api-key', id: id.slice(0, 300) },
      () => {
        const { note } = parseInput(RevokeBody, body ?? {});
        return this.keys.revoke(person, parseInput(KeyId, id), note);
      },
    );
  }
}

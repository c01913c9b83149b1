import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '@hum/auth';
import { GATEWAY_OPENAPI } from './openapi';

/** The OpenAPI document, for pipeline authors holding a key (no endpoint is anonymous). */
@Controller('docs')
@UseGuards(ApiKeyGuard)
export class DocsController {
  @Get()
  openapi(): typeof GATEWAY_OPENAPI {
    return GATEWAY_OPENAPI;
  }
}

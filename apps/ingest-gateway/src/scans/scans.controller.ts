import type { IncomingMessage } from 'node:http';
import { Controller, HttpCode, Inject, Post, Query, Req, UseGuards } from '@nestjs/common';
import { type Clock } from '@hum/common';
import {
  ApiKeyGuard,
  type ApiKeyPrincipal,
  keyCoversAsset,
  RequireApiKeyPermission,
} from '@hum/auth';
import { publishReport, type PublishedScan, readScanRequest } from '@hum/ingest';
import type { TransactionalProducerPool } from '@hum/kafka';
import { ProblemException } from '@hum/runtime';
import { ReportParseError, sourceFromFile } from '@hum/scanner-formats';
import { GATEWAY_CLOCK, GATEWAY_CONFIG, SCAN_PUBLISHERS, type GatewayLimits } from '../tokens';
import { RateLimitGuard } from '../auth/rate-limit.guard';
import {
  spoolReport,
  ReportTooLargeError,
  UnsupportedEncodingError,
  CorruptBodyError,
} from './spool-report';

type ScanRequestWithPrincipal = IncomingMessage & { principal?: ApiKeyPrincipal };

function reportProblem(error: ReportParseError): ProblemException {
  const { pointer, line, column } = error.location;
  const unknown = error.format === 'unknown';
  return new ProblemException({
    status: 422,
    code: unknown ? 'unknown-format' : 'invalid-report',
    title: unknown ? 'Unrecognised report format' : 'Invalid report',
    detail: error.describe(),
    extensions: { format: error.format },
    errors: [
      {
        ...(pointer !== undefined ? { pointer } : {}),
        ...(line !== undefined ? { line } : {}),
        ...(column !== undefined ? { column } : {}),
        detail: error.message,
      },
    ],
  });
}

/** Pipelines publish a scanner's report as it is; the gateway answers with what was accepted. */
@Controller('v1/scans')
@UseGuards(ApiKeyGuard, RateLimitGuard)
export class ScansController {
  constructor(
    @Inject(SCAN_PUBLISHERS) private readonly publishers: TransactionalProducerPool,
    @Inject(GATEWAY_CONFIG) private readonly limits: GatewayLimits,
    @Inject(GATEWAY_CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireApiKeyPermission('scans:publish')
  async publish(
    @Req() request: ScanRequestWithPrincipal,
    @Query() query: Record<string, string | string[] | undefined>,
  ): Promise<PublishedScan> {
    const parsed = readScanRequest(query, request.headers);
    if (!parsed.ok) {
      throw new ProblemException({
        status: 400,
        code: 'invalid-scan-context',
        title: 'Invalid scan context',
        detail: parsed.errors.map((e) => `${e.parameter}: ${e.detail}`).join('; '),
        errors: parsed.errors,
      });
    }
    const { asset, format } = parsed.request;
    if (!keyCoversAsset(request.principal!, asset.id, asset.team)) {
      throw new ProblemException({
        status: 403,
        code: 'asset-out-of-scope',
        title: 'Asset outside the API key scope',
        detail: `this API key may not publish for asset ${asset.id}${asset.team ? ` (team ${asset.team})` : ''}`,
      });
    }
    const spooled = await this.spool(request);
    try {
      if (spooled.bytes === 0 && format === undefined) {
        throw new ProblemException({
          status: 400,
          code: 'empty-report',
          title: 'Empty report',
          detail:
            'the request body is empty; send the report, or name its format if the scanner writes nothing when clean',
        });
      }
      return await publishReport(
        this.publishers,
        {
          source: await sourceFromFile(spooled.path),
          asset,
          ...(format !== undefined ? { format } : {}),
          maxFindings: this.limits.maxFindings,
          origin: 'gateway',
        },
        this.clock,
      );
    } catch (error) {
      if (error instanceof ReportParseError) throw reportProblem(error);
      throw error;
    } finally {
      await spooled.discard();
    }
  }

  private async spool(request: IncomingMessage): ReturnType<typeof spoolReport> {
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > this.limits.maxReportBytes) {
      throw this.tooLarge();
    }
    try {
      return await spoolReport(request, request.headers['content-encoding'], {
        directory: this.limits.spoolDirectory,
        limit: this.limits.maxReportBytes,
      });
    } catch (error) {
      if (error instanceof ReportTooLargeError) throw this.tooLarge();
      if (error instanceof UnsupportedEncodingError) {
        throw new ProblemException({
          status: 415,
          code: 'unsupported-encoding',
          title: 'Unsupported content encoding',
          detail: error.message,
        });
      }
      if (error instanceof CorruptBodyError) {
        throw new ProblemException({
          status: 400,
          code: 'corrupt-body',
          title: 'Corrupt request body',
          detail: error.message,
        });
      }
      throw error;
    }
  }

  private tooLarge(): ProblemException {
    return new ProblemException({
      status: 413,
      code: 'report-too-large',
      title: 'Report too large',
      detail: `reports are limited to ${this.limits.maxReportBytes} bytes after decompression`,
    });
  }
}

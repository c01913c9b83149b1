import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Controller, HttpCode, Inject, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { type Clock } from '@hum/common';
import { INTEL_KINDS, type IntelKind, TOPICS } from '@hum/contracts';
import { EventProducer } from '@hum/kafka';
import { OpsTokenGuard } from '@hum/observability';
import { IntelParseError, parseEpssCsv, parseKevCatalog } from '@hum/risk';
import { ProblemException } from '@hum/runtime';
import type { ClassifierDatabase } from '../inventory/schema';
import { CLASSIFIER_CLOCK, INVENTORY_DB } from '../tokens';

const MAX_BYTES = 256 * 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BYTES) {
      throw new ProblemException({
        status: 413,
        code: 'intel-too-large',
        title: 'Too large',
        detail: `limit ${MAX_BYTES} bytes`,
      });
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/**
 * Operators load newer threat intelligence (the official KEV JSON, the official EPSS CSV, gzip
 * or not): validated, stored, then announced on intel.updates, whose consumer activates it and
 * re-classifies the open findings it affects. Needs the ops token.
 */
@Controller('v1/intel')
@UseGuards(OpsTokenGuard)
export class IntelController {
  constructor(
    @Inject(INVENTORY_DB) private readonly db: Kysely<ClassifierDatabase>,
    private readonly producer: EventProducer,
    @Inject(CLASSIFIER_CLOCK) private readonly clock: Clock,
  ) {}

  @Post(':kind')
  @HttpCode(202)
  async upload(
    @Param('kind') kind: string,
    @Query('source') source: unknown,
    @Req() request: IncomingMessage,
  ): Promise<Record<string, unknown>> {
    if (!(INTEL_KINDS as readonly string[]).includes(kind)) {
      throw new ProblemException({
        status: 404,
        code: 'unknown-intel-kind',
        title: 'Unknown intel kind',
        detail: `intel kinds: ${INTEL_KINDS.join(', ')}`,
      });
    }
    const body = await readBody(request);
    let asOf: string;
    let entries: number;
    try {
      if (kind === 'kev') {
        const catalog = parseKevCatalog(body);
        asOf = catalog.asOf;
        entries = catalog.size;
      } else {
        const scores = parseEpssCsv(body);
        asOf = scores.asOf;
        entries = scores.size;
      }
    } catch (error) {
      if (!(error instanceof IntelParseError)) throw error;
      throw new ProblemException({
        status: 422,
        code: 'invalid-intel',
        title: 'Invalid threat-intelligence file',
        detail: error.message,
        errors: [
          {
            ...(error.location.line !== undefined ? { line: error.location.line } : {}),
            ...(error.location.field?.startsWith('/') ? { pointer: error.location.field } : {}),
            detail: error.reason,
          },
        ],
      });
    }
    const snapshotId = createHash('sha256').update(body).digest('hex');
    const storedAt = this.clock.now();
    const origin =
      typeof source === 'string' && source.length > 0 ? source.slice(0, 2048) : 'upload';
    await this.db
      .insertInto('intel_snapshots')
      .values({
        id: snapshotId,
        kind: kind as IntelKind,
        as_of: asOf,
        entries,
        source: origin,
        content: body,
        stored_at: storedAt,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    await this.producer.publish([
      {
        topic: TOPICS.intelUpdates,
        key: kind,
        data: { kind, snapshotId, asOf, entries, source: origin, storedAt: storedAt.toISOString() },
      },
    ]);
    return { kind, snapshotId, asOf, entries };
  }
}

import { z } from 'zod';
import { SeverityCounts } from '@hum/contracts';
import type { PublishedScan } from '@hum/ingest';
import { FORMAT_IDS } from '@hum/scanner-formats';
import { CliError } from '../../cli-error';
import { EXIT, exitCodeForStatus } from '../../exit-codes';
import type { GatewayAnswer } from './gateway-upload';

const AcceptedScan = z.object({
  scanId: z.string().min(1),
  format: z.enum(FORMAT_IDS),
  findings: z.number().int().min(0),
  duplicates: z.number().int().min(0),
  severityCounts: SeverityCounts,
  scopes: z.array(
    z.object({ assetId: z.string(), tool: z.string(), findingCount: z.number().int().min(0) }),
  ),
});

const Problem = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().optional(),
  detail: z.string().optional(),
  errors: z
    .array(
      z.object({
        pointer: z.string().optional(),
        parameter: z.string().optional(),
        line: z.number().optional(),
        column: z.number().optional(),
        detail: z.string(),
      }),
    )
    .optional(),
});
export type Problem = z.infer<typeof Problem>;

/** A refused publish: the exit code, and the gateway's problem document when it sent one. */
export class GatewayRefusal extends CliError {
  override readonly name = 'GatewayRefusal';

  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    message: string,
    details: readonly string[],
  ) {
    super(exitCodeForStatus(status), message, details);
  }

  override toJson(): Record<string, unknown> {
    return {
      ...super.toJson(),
      status: this.status,
      ...(this.problem ? { problem: this.problem } : {}),
    };
  }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    // Not JSON at all (a proxy's HTML page): the caller reports the status instead.
    return undefined;
  }
}

/** `at /Results (line 3, column 9): expected an array` / `parameter asset: required` */
export function describeLocation(error: NonNullable<Problem['errors']>[number]): string {
  const where: string[] = [];
  if (error.parameter !== undefined) where.push(`parameter ${error.parameter}`);
  if (error.pointer !== undefined) where.push(`at ${error.pointer || '/'}`);
  if (error.line !== undefined) {
    where.push(
      error.column === undefined
        ? `(line ${error.line})`
        : `(line ${error.line}, column ${error.column})`,
    );
  }
  return where.length > 0 ? `${where.join(' ')}: ${error.detail}` : error.detail;
}

function retryAfter(answer: GatewayAnswer): string | undefined {
  const value = answer.headers['retry-after'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * What the gateway said, as a result or as a {@link GatewayRefusal} carrying the problem's
 * detail and its located errors, so the CI log shows what is wrong and where.
 */
export function readGatewayAnswer(answer: GatewayAnswer): PublishedScan {
  const json = parseJson(answer.body);
  if (answer.status >= 200 && answer.status < 300) {
    const accepted = AcceptedScan.safeParse(json);
    if (accepted.success) return accepted.data;
    throw new CliError(
      EXIT.protocol,
      `the gateway answered ${answer.status} but not with a hum scan receipt`,
      [answer.body.slice(0, 200)],
    );
  }
  const problem = Problem.safeParse(json);
  const known = problem.success && problem.data.detail !== undefined ? problem.data : undefined;
  const head = `gateway answered ${answer.status}${known?.title ? ` ${known.title}` : answer.statusText ? ` ${answer.statusText}` : ''}`;
  const details = (known?.errors ?? []).map(describeLocation);
  const wait = retryAfter(answer);
  if (answer.status === 429 && wait !== undefined) details.push(`retry after ${wait} s`);
  if (answer.status === 404 || answer.status === 405) {
    details.push('is --gateway the base URL of a hum ingest gateway?');
  }
  const message = known ? `${head}: ${known.detail}` : head;
  throw new GatewayRefusal(
    answer.status,
    known,
    message,
    details.filter((detail) => !message.includes(detail)),
  );
}

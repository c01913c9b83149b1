import { z } from 'zod';
import { type Clock, sleep } from '@hum/common';
import { RiskTier } from '@hum/contracts';
import { CliError } from '../../cli-error';
import { EXIT } from '../../exit-codes';
import { httpRefusal } from '../../http/http-refusal';

export const GATE_STAGES = ['test', 'prod'] as const;
export type GateStage = (typeof GATE_STAGES)[number];

const GateFinding = z.object({
  fingerprint: z.string(),
  title: z.string(),
  tier: RiskTier,
  score: z.number(),
  vulnerabilityId: z.string().optional(),
});

const GateVerdict = z.object({
  asset: z.string(),
  stage: z.enum(GATE_STAGES),
  pass: z.boolean(),
  threshold: z.union([RiskTier, z.literal('none')]),
  blocking: z.array(GateFinding),
  accepted: z.array(GateFinding),
  openByTier: z.record(z.string(), z.number()),
});
export type GateVerdict = z.infer<typeof GateVerdict>;

const ScanProgress = z.object({
  classified: z.boolean(),
  scopes: z.array(
    z.object({
      scope: z.string(),
      expected: z.number().nullable(),
      received: z.number().nullable(),
      complete: z.boolean(),
    }),
  ),
});

export interface GateCheck {
  /** Where the classifier's gate API answers (`/v1/gate`, `/v1/scans/:id`). */
  url: URL;
  stage: GateStage;
  apiKey: string;
  scanId: string;
  asset: string;
  timeoutMs: number;
  clock: Clock;
  userAgent: string;
  onWaiting?: (detail: string) => void;
}

const POLL_FIRST_MS = 500;
const POLL_MAX_MS = 5_000;

function endpoint(base: URL, pathname: string, query: Record<string, string> = {}): URL {
  const root = new URL(base);
  if (!root.pathname.endsWith('/')) root.pathname = `${root.pathname}/`;
  const url = new URL(pathname, root);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url;
}

async function getJson(url: URL, check: GateCheck): Promise<Response> {
  try {
    return await fetch(url, {
      headers: {
        authorization: `Bearer ${check.apiKey}`,
        accept: 'application/json',
        'user-agent': check.userAgent,
      },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new CliError(
      EXIT.unavailable,
      `cannot reach the gate at ${url.origin}: ${(error as Error).message}`,
      [],
      { cause: error },
    );
  }
}

/** Polls the classifier until it holds every finding of the scan, within the timeout. */
async function awaitClassified(check: GateCheck): Promise<void> {
  const deadline = check.clock.now().getTime() + check.timeoutMs;
  let delay = POLL_FIRST_MS;
  for (;;) {
    const response = await getJson(endpoint(check.url, `v1/scans/${check.scanId}`), check);
    if (response.ok) {
      const progress = ScanProgress.safeParse(await response.json());
      if (!progress.success) {
        throw new CliError(
          EXIT.protocol,
          `unexpected scan progress answer from ${check.url.origin}`,
          [progress.error.message],
        );
      }
      if (progress.data.classified) return;
      const received = progress.data.scopes.reduce((n, s) => n + (s.received ?? 0), 0);
      const expected = progress.data.scopes.reduce((n, s) => n + (s.expected ?? 0), 0);
      check.onWaiting?.(`classified ${received} of ${expected} findings`);
    } else if (response.status === 404) {
      await response.body?.cancel();
      check.onWaiting?.('the classifier has not seen the scan yet');
    } else {
      throw await httpRefusal(response, 'scan progress: the classifier answered');
    }
    if (check.clock.now().getTime() + delay > deadline) {
      throw new CliError(
        EXIT.temporary,
        `the scan was published but not classified within ${Math.round(check.timeoutMs / 1000)}s; the gate was not checked`,
        [`scan ${check.scanId}: ask again later with GET ${endpoint(check.url, 'v1/gate').href}`],
      );
    }
    await sleep(delay);
    delay = Math.min(delay * 2, POLL_MAX_MS);
  }
}

/** Waits for the scan to be classified, then asks the promotion gate for the stage. */
export async function checkPromotionGate(check: GateCheck): Promise<GateVerdict> {
  await awaitClassified(check);
  const response = await getJson(
    endpoint(check.url, 'v1/gate', { asset: check.asset, stage: check.stage }),
    check,
  );
  if (!response.ok) throw await httpRefusal(response, 'promotion gate: the classifier answered');
  const verdict = GateVerdict.safeParse(await response.json());
  if (!verdict.success) {
    throw new CliError(EXIT.protocol, `unexpected gate answer from ${check.url.origin}`, [
      verdict.error.message,
    ]);
  }
  return verdict.data;
}

const LISTED = 10;

/** The verdict for people: pass or fail, and which findings block and why. */
export function describeVerdict(verdict: GateVerdict): string[] {
  const threshold =
    verdict.threshold === 'none' ? 'no open finding allowed' : `open up to ${verdict.threshold}`;
  const head = `gate ${verdict.stage} for ${verdict.asset}: ${verdict.pass ? 'PASS' : 'FAIL'} (${threshold})`;
  const lines = [head];
  const list = (findings: readonly z.infer<typeof GateFinding>[], label: string): void => {
    if (findings.length === 0) return;
    lines.push(`  ${findings.length} ${label}:`);
    for (const f of findings.slice(0, LISTED)) {
      // Scanner titles often start with the id already; print it once.
      const id =
        f.vulnerabilityId && !f.title.startsWith(f.vulnerabilityId) ? `${f.vulnerabilityId} ` : '';
      lines.push(`    ${f.tier.padEnd(8)} ${f.score.toFixed(1).padStart(5)}  ${id}${f.title}`);
    }
    if (findings.length > LISTED) lines.push(`    … and ${findings.length - LISTED} more`);
  };
  list(verdict.blocking, 'blocking');
  list(verdict.accepted, 'above the threshold but under an approved risk acceptance');
  return lines;
}

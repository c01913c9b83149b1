import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '@hum/common';
import {
  type AssetRef,
  type FindingV1,
  type ScanCompletedV1,
  scanScopeKey,
  SEVERITIES,
  type SeverityCounts,
  type ToolRef,
  TOPICS,
} from '@hum/contracts';
import type { EventTransaction, OutgoingEvent } from '@hum/kafka';
import { type FormatId, parseReport, type ReportSource } from '@hum/scanner-formats';

export interface PublishReportInput {
  source: ReportSource;
  asset: AssetRef;
  format?: FormatId;
  maxFindings?: number;
  origin: ScanCompletedV1['source'];
  /** Called as findings are published, for progress bars. */
  onProgress?: (published: number) => void;
}

export interface ScanScopeResult {
  assetId: string;
  tool: string;
  findingCount: number;
}

export interface PublishedScan {
  scanId: string;
  format: FormatId;
  findings: number;
  duplicates: number;
  severityCounts: SeverityCounts;
  scopes: ScanScopeResult[];
}

/** Anything that runs work in a Kafka transaction: a pooled or a single transactional producer. */
export interface TransactionRunner {
  transaction<T>(work: (tx: EventTransaction) => Promise<T>): Promise<T>;
}

interface ScopeTally {
  tool: ToolRef;
  findingCount: number;
  severityCounts: SeverityCounts;
}

function emptyCounts(): SeverityCounts {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
}

/**
 * Publishes a report all-or-nothing: every finding to findings.raw, then one scans.completed
 * per tool scope carrying its distinct-fingerprint count, in one Kafka transaction. A report
 * that turns out invalid halfway aborts the transaction, so read_committed consumers see
 * nothing of it. Parsing streams, so memory stays bounded whatever the report's size.
 * Throws ReportParseError for bad reports; Kafka errors propagate as they are.
 */
export async function publishReport(
  publisher: TransactionRunner,
  input: PublishReportInput,
  clock: Clock = systemClock,
): Promise<PublishedScan> {
  const scanId = randomUUID();
  const startedAt = clock.now().toISOString();
  const report = parseReport(input.source, {
    ...(input.format !== undefined ? { format: input.format } : {}),
    ...(input.maxFindings !== undefined ? { maxFindings: input.maxFindings } : {}),
    context: { scanId, asset: input.asset, detectedAt: startedAt },
  });
  const scopes = new Map<string, ScopeTally>();
  const scopeOf = (tool: ToolRef): ScopeTally => {
    const key = scanScopeKey({ assetId: input.asset.id, tool: tool.name });
    let scope = scopes.get(key);
    if (!scope) scopes.set(key, (scope = { tool, findingCount: 0, severityCounts: emptyCounts() }));
    return scope;
  };
  await publisher.transaction(async (tx) => {
    async function* findingEvents(): AsyncGenerator<OutgoingEvent<FindingV1>> {
      // Parsers share one tool object across findings: look its scope up only when it changes.
      let tool: ToolRef | undefined;
      let scope: ScopeTally | undefined;
      for await (const finding of report.findings) {
        if (finding.tool !== tool || scope === undefined) scope = scopeOf((tool = finding.tool));
        scope.findingCount += 1;
        scope.severityCounts[finding.severity.normalized] += 1;
        yield {
          topic: TOPICS.findingsRaw,
          key: finding.fingerprint,
          data: finding,
          subject: input.asset.id,
        };
      }
    }
    // Streamed: the report is parsed while the previous request is on the wire.
    const published = await tx.publishStream(findingEvents(), input.onProgress);
    if (published === 0) input.onProgress?.(0);
    // A clean report still speaks for its tool: it resolves that tool's open findings.
    for (const tool of report.summary().tools) scopeOf(tool);
    const completedAt = clock.now().toISOString();
    await tx.publish(
      [...scopes.values()].map((scope) => {
        const event: ScanCompletedV1 = {
          scanId,
          scope: { assetId: input.asset.id, tool: scope.tool.name },
          asset: input.asset,
          tool: scope.tool,
          format: report.format,
          findingCount: scope.findingCount,
          severityCounts: scope.severityCounts,
          source: input.origin,
          startedAt,
          completedAt,
        };
        return {
          topic: TOPICS.scansCompleted,
          key: scanScopeKey(event.scope),
          data: event,
          subject: input.asset.id,
        };
      }),
    );
  });
  const summary = report.summary();
  return {
    scanId,
    format: report.format,
    findings: summary.count,
    duplicates: summary.duplicates,
    severityCounts: summary.severityCounts,
    scopes: [...scopes.values()].map((s) => ({
      assetId: input.asset.id,
      tool: s.tool.name,
      findingCount: s.findingCount,
    })),
  };
}

import { ReportParseError } from '../core/errors';
import type { ReportParser } from '../core/types';
import { REPORT_PARSERS } from './registry';

export interface Detection {
  parser: ReportParser;
  confidence: number;
}

/** Every parser's confidence for `head`, best first, zeros left out. */
export function rankFormats(
  head: string,
  parsers: readonly ReportParser[] = REPORT_PARSERS,
): Detection[] {
  const ranked: Detection[] = [];
  for (const parser of parsers) {
    const confidence = parser.detect(head);
    if (confidence > 0) ranked.push({ parser, confidence: Math.min(confidence, 1) });
  }
  return ranked.sort((a, b) => b.confidence - a.confidence);
}

export function supportedFormats(parsers: readonly ReportParser[] = REPORT_PARSERS): string {
  return parsers.map((parser) => `${parser.displayName} (${parser.format})`).join(', ');
}

/**
 * Picks the parser for a report from its first bytes. Nothing recognised, or two formats
 * equally likely, is an error that says so: a report is never parsed as a guess.
 */
export function detectFormat(
  head: string,
  parsers: readonly ReportParser[] = REPORT_PARSERS,
): ReportParser {
  const [best, second] = rankFormats(head, parsers);
  if (best === undefined) {
    throw new ReportParseError(
      'unknown',
      `not a recognised report format; supported: ${supportedFormats(parsers)}`,
    );
  }
  if (second !== undefined && second.confidence === best.confidence) {
    const tied = rankFormats(head, parsers).filter((d) => d.confidence === best.confidence);
    throw new ReportParseError(
      'unknown',
      `ambiguous report: it looks equally like ${tied
        .map((d) => `${d.parser.displayName} (${d.parser.format})`)
        .join(' and ')}; name the format explicitly`,
    );
  }
  return best.parser;
}

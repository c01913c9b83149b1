// Spec-only helpers for parser specs: in-memory sources cut at odd places, collecting findings
// or the error a parse ends with, and the checks every parser's corpus files must pass.
// Production code never imports this module.
import { readFileSync } from 'node:fs';
import { FindingV1 } from '@hum/contracts';
import { ReportParseError } from '../lib/core/errors';
import { computeFingerprint } from '../lib/core/fingerprint';
import {
  DETECTION_WINDOW_BYTES,
  type ParseOptions,
  type ParsedFinding,
  type ReportParser,
  type ReportSource,
} from '../lib/core/types';
import { corpusEntries, corpusHead, corpusOtherThan, corpusPath } from './corpus';

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * A report in memory, handed over in chunks of an odd size so that streaming parsers meet
 * element and character boundaries anywhere.
 */
export function memorySource(input: string | Buffer, chunkSize = 4093): ReportSource {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  return {
    head: withoutBom(bytes.subarray(0, DETECTION_WINDOW_BYTES).toString('utf8')),
    size: bytes.length,
    async *chunks() {
      for (let offset = 0; offset < bytes.length; offset += chunkSize) {
        yield bytes.subarray(offset, offset + chunkSize);
      }
    },
    text: () => Promise.resolve(withoutBom(bytes.toString('utf8'))),
  };
}

/** A source that refuses to hand over the whole text: a parser that reads it does not stream. */
export function streamOnlySource(input: string | Buffer, chunkSize = 4093): ReportSource {
  return {
    ...memorySource(input, chunkSize),
    text: () => Promise.reject(new Error('the parser asked for the whole report text')),
  };
}

export async function parseSource(
  parser: ReportParser,
  source: ReportSource,
  options: ParseOptions = {},
): Promise<ParsedFinding[]> {
  const findings: ParsedFinding[] = [];
  for await (const finding of parser.parse(source, options)) findings.push(finding);
  return findings;
}

export function parseText(
  parser: ReportParser,
  text: string,
  options: ParseOptions = {},
): Promise<ParsedFinding[]> {
  return parseSource(parser, memorySource(text), options);
}

/** Parses a file of testdata/corpus (path relative to it, as in MANIFEST.tsv). */
export function parseCorpusFile(parser: ReportParser, relative: string): Promise<ParsedFinding[]> {
  return parseSource(parser, memorySource(readFileSync(corpusPath(relative))));
}

/** The ReportParseError a parse ends with; fails when the parse succeeds or throws anything else. */
export async function parseFailure(
  parser: ReportParser,
  report: string | ReportSource,
  options: ParseOptions = {},
): Promise<ReportParseError> {
  const source = typeof report === 'string' ? memorySource(report) : report;
  try {
    await parseSource(parser, source, options);
  } catch (error) {
    if (error instanceof ReportParseError) return error;
    throw error;
  }
  throw new Error(`expected ${parser.format} to reject the report`);
}

/** The ReportParseError `action` throws; fails when it throws nothing or anything else. */
export function thrownReportError(action: () => unknown): ReportParseError {
  try {
    action();
  } catch (error) {
    if (error instanceof ReportParseError) return error;
    throw error;
  }
  throw new Error('expected a ReportParseError');
}

/**
 * The finding as the gateway would publish it, validated against the FindingV1 contract
 * (throws with zod's explanation when the parser produced something the contract refuses).
 */
export function publishedFinding(finding: ParsedFinding): FindingV1 {
  const { fingerprintBasis, ...rest } = finding;
  return FindingV1.parse({
    ...rest,
    fingerprint: computeFingerprint(fingerprintBasis, 'asset-1'),
    scanId: '6f1c2a4e-8b7d-4c3e-9a1f-2b3c4d5e6f70',
    asset: { id: 'asset-1', type: 'repository' },
    detectedAt: '2026-01-01T00:00:00Z',
  });
}

/** How many findings remain once the pipeline collapses those with one fingerprint. */
export function distinctFingerprints(findings: readonly ParsedFinding[]): number {
  return new Set(findings.map((f) => computeFingerprint(f.fingerprintBasis, 'asset'))).size;
}

/** What a parser does with one corpus file, and what the manifest says about it. */
export type CorpusExpectation = {
  /** The manifest's expected count, as written there. */
  manifest: string;
  /** The exact detection confidence, where it is not simply "certain enough" (>= minConfidence). */
  confidence?: number;
} & (
  | {
      /** Findings the parser yields. */
      yielded: number;
      /** Findings left after the pipeline collapses duplicates by fingerprint. */
      distinct: number;
    }
  /** The file is an error report (npm's error object): parsing it is a ReportParseError. */
  | { rejected: true }
);

/**
 * The checks every parser passes on its corpus files, as `it`s of the calling `describe`: an
 * expectation for each manifest file of its formats, the counts, valid Finding v1 findings,
 * detection, and no claim on any other format's file.
 */
export function itReadsItsCorpus(
  parser: ReportParser,
  manifestFormats: readonly string[],
  expected: Readonly<Record<string, CorpusExpectation>>,
  {
    minConfidence = 0.9,
    files = () => true,
  }: {
    minConfidence?: number;
    /** Which files of the manifest formats are this parser's (`zap` holds XML and JSON). */
    files?: (path: string) => boolean;
  } = {},
): void {
  const all = manifestFormats.flatMap((format) => corpusEntries(format));
  const entries = all.filter((entry) => files(entry.path));
  const siblings = all.filter((entry) => !files(entry.path));
  const paths = entries.map((entry) => entry.path);

  it('has an expectation for every file of its format in the manifest', () => {
    expect([...paths].sort()).toEqual(Object.keys(expected).sort());
    for (const entry of entries) expect(entry.expectedCount).toBe(expected[entry.path]!.manifest);
  });

  it.each(paths)('%s: the expected findings, each valid Finding v1', async (relative) => {
    const expectation = expected[relative]!;
    if ('rejected' in expectation) {
      await expect(parseCorpusFile(parser, relative)).rejects.toBeInstanceOf(ReportParseError);
      return;
    }
    const findings = await parseCorpusFile(parser, relative);
    expect(findings).toHaveLength(expectation.yielded);
    expect(distinctFingerprints(findings)).toBe(expectation.distinct);
    for (const finding of findings) expect(() => publishedFinding(finding)).not.toThrow();
  });

  it.each(paths)('%s: is detected', (relative) => {
    const confidence = parser.detect(corpusHead(relative));
    const exact = expected[relative]!.confidence;
    if (exact === undefined) expect(confidence).toBeGreaterThanOrEqual(minConfidence);
    else expect(confidence).toBe(exact);
  });

  const others = [...corpusOtherThan(manifestFormats), ...siblings].map((entry) => entry.path);
  it("has other formats' corpus files to stay away from", () => {
    expect(others.length).toBeGreaterThan(50);
  });

  it.each(others)('does not claim %s', (relative) => {
    expect(parser.detect(corpusHead(relative))).toBe(0);
  });
}

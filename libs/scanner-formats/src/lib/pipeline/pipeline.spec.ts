import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import { PermanentError } from '@hum/common';
import { encodeEvent, FindingV1, TOPICS } from '@hum/contracts';
import { ReportParseError } from '../core/errors';
import {
  DETECTION_WINDOW_BYTES,
  type ParsedFinding,
  type ReportParser,
  type ReportSource,
} from '../core/types';
import { corpusManifest, corpusPath, manifestCount } from '../../testing/corpus';
import { memorySource } from '../../testing/parser-spec';
import { detectFormat, rankFormats } from './detect-format';
import { parseReport } from './parse-report';
import { REPORT_PARSERS } from './registry';

/** A report in memory, in chunks the size sourceFromFile reads. */
const sourceOf = (bytes: Buffer, chunkSize = 64 * 1024): ReportSource =>
  memorySource(bytes, chunkSize);

/** A gzip-compressed report, decompressed as it streams (as the gateway receives one). */
function gzipSourceOf(compressed: Buffer): ReportSource {
  return {
    // The head is what detection needs; the stream below is what is parsed.
    head: gunzipSync(compressed).subarray(0, DETECTION_WINDOW_BYTES).toString('utf8'),
    size: undefined,
    chunks: () => Readable.from([compressed]).pipe(createGunzip()) as AsyncIterable<Buffer>,
    text: async () => gunzipSync(compressed).toString('utf8'),
  };
}

const fileSource = (relative: string): ReportSource => sourceOf(readFileSync(corpusPath(relative)));

const context = {
  scanId: '3f1b6f5e-8a53-4a5e-9f7e-0d5b8c7a1e21',
  asset: { id: 'payments-api', type: 'repository' as const, environment: 'prod' as const },
  detectedAt: '2024-05-01T10:00:00Z',
};

async function readAll(findings: AsyncIterable<FindingV1>): Promise<FindingV1[]> {
  const out: FindingV1[] = [];
  for await (const finding of findings) out.push(finding);
  return out;
}

async function failure(run: () => Promise<unknown>): Promise<ReportParseError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ReportParseError) return error;
    throw error;
  }
  throw new Error('expected a ReportParseError');
}

/** Manifest format folders → the format id hum detects. */
const MY_FORMATS: Record<string, string> = {
  sarif: 'sarif',
  trivy: 'trivy-json',
  semgrep: 'semgrep-json',
};

// The parsers of this suite; the other formats' specs check their own detectors the same way.
const MY_PARSERS = REPORT_PARSERS.filter(
  (p) => (Object.values(MY_FORMATS) as string[]).includes(p.format) || p.format === 'hum-canonical',
);

describe('detectFormat', () => {
  const manifest = corpusManifest().filter((entry) => entry.format !== 'api-spec');
  const mine = manifest.filter((entry) => entry.format in MY_FORMATS);
  const others = manifest.filter((entry) => !(entry.format in MY_FORMATS));

  it.each(mine.map((entry) => [entry.path, MY_FORMATS[entry.format]!] as const))(
    'detects %s as %s',
    (path, format) => {
      expect(detectFormat(fileSource(path).head).format).toBe(format);
    },
  );

  it("does not claim any other format's corpus file", () => {
    expect(others.length).toBeGreaterThan(40);
    for (const entry of others) {
      const claims = rankFormats(fileSource(entry.path).head, MY_PARSERS).map(
        (d) => d.parser.format,
      );
      expect({ path: entry.path, claims }).toEqual({ path: entry.path, claims: [] });
    }
  });

  it('names the supported formats when nothing matches', () => {
    const error = (() => {
      try {
        detectFormat('<html><body>hello</body></html>');
      } catch (caught) {
        return caught as ReportParseError;
      }
      throw new Error('expected an error');
    })();
    expect(error.format).toBe('unknown');
    expect(error.message).toMatch(
      /not a recognised report format; supported: SARIF 2.1.0 \(sarif\), Trivy JSON/,
    );
  });

  it('refuses to guess between two formats that are equally likely', () => {
    const twin = (format: 'grype-json' | 'snyk'): ReportParser => ({
      format,
      displayName: format,
      detect: () => 0.7,
      async *parse() {
        // never parses: detection alone is under test
      },
    });
    expect(() => detectFormat('{}', [twin('grype-json'), twin('snyk')])).toThrow(
      /ambiguous report: it looks equally like grype-json \(grype-json\) and snyk \(snyk\)/,
    );
  });
});

/** A finding any parser could produce, for parsers made up by the specs. */
const good: ParsedFinding = {
  kind: 'weakness',
  title: 'fine',
  severity: { normalized: 'low' },
  cvss: [],
  cwes: [],
  references: [],
  tags: [],
  tool: { name: 'buggy' },
  fingerprintBasis: { kind: 'code', tool: 'buggy', ruleId: 'r', path: 'a', anchor: '1' },
};

describe('parseReport', () => {
  it('completes findings with scan context and fingerprints, and summarises them', async () => {
    const report = parseReport(fileSource('trivy/misconfigurations_and_secrets.json'), { context });
    expect(report.format).toBe('trivy-json');
    const findings = await readAll(report.findings);
    expect(findings).toHaveLength(5);
    for (const finding of findings) {
      expect(finding.scanId).toBe(context.scanId);
      expect(finding.asset).toEqual(context.asset);
      expect(finding.detectedAt).toBe(context.detectedAt);
      expect(finding.fingerprint).toMatch(/^[a-f0-9]{64}$/);
      expect(finding).not.toHaveProperty('fingerprintBasis');
    }
    expect(report.summary()).toEqual({
      count: 5,
      duplicates: 0,
      severityCounts: { critical: 2, high: 2, medium: 1, low: 0, info: 0, unknown: 0 },
      tools: [{ name: 'Trivy' }],
    });
  });

  it('collapses duplicates inside one report by fingerprint, first one wins (semgrep repeated_findings: 2 → 1)', async () => {
    const report = parseReport(fileSource('semgrep/repeated_findings.json'), { context });
    const findings = await readAll(report.findings);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.location?.startLine).toBe(66);
    expect(report.summary()).toMatchObject({ count: 1, duplicates: 1 });
  });

  it('gives the same finding the same fingerprint on another scan, and another on another asset', async () => {
    const first = await readAll(
      parseReport(fileSource('sarif/checkov.sarif'), { context }).findings,
    );
    const again = await readAll(
      parseReport(fileSource('sarif/checkov.sarif'), {
        context: { ...context, scanId: '9b2f0c1e-3d4a-4b5c-8d6e-7f8091a2b3c4' },
      }).findings,
    );
    const elsewhere = await readAll(
      parseReport(fileSource('sarif/checkov.sarif'), {
        context: { ...context, asset: { id: 'other', type: 'repository' } },
      }).findings,
    );
    expect(again.map((f) => f.fingerprint)).toEqual(first.map((f) => f.fingerprint));
    expect(elsewhere.map((f) => f.fingerprint)).not.toEqual(first.map((f) => f.fingerprint));
  });

  it('reads a gzip-compressed report as it decompresses', async () => {
    const plain = readFileSync(corpusPath('sarif/mobsfscan.json'));
    const expected = await readAll(parseReport(sourceOf(plain), { context }).findings);
    const report = parseReport(gzipSourceOf(gzipSync(plain)), { context });
    expect(report.format).toBe('sarif');
    expect(await readAll(report.findings)).toEqual(expected);
    expect(expected).toHaveLength(18);
  });

  it('with --format, skips detection but still refuses content of another format', async () => {
    const forced = parseReport(fileSource('semgrep/one_finding.json'), {
      context,
      format: 'semgrep-json',
    });
    expect(await readAll(forced.findings)).toHaveLength(1);
    const wrong = await failure(async () =>
      parseReport(fileSource('semgrep/one_finding.json'), { context, format: 'sarif' }),
    );
    expect(wrong.format).toBe('sarif');
    expect(wrong.message).toBe(
      'the report is not SARIF 2.1.0; it looks like Semgrep JSON (semgrep-json)',
    );
    const unknown = await failure(async () =>
      parseReport(fileSource('semgrep/one_finding.json'), { context, format: 'nessus' as 'sarif' }),
    );
    expect(unknown.message).toMatch(/unknown format "nessus"; supported: /);
  });

  it('reports malformed input with the format and where', async () => {
    const truncated = readFileSync(corpusPath('sarif/checkov.sarif')).subarray(0, 3000);
    const error = await failure(() =>
      readAll(parseReport(sourceOf(truncated, 512), { context }).findings),
    );
    expect(error.format).toBe('sarif');
    expect(error.location.line).toBe(truncated.toString().split('\n').length);
    const wrongType = await failure(() =>
      readAll(
        parseReport(
          sourceOf(Buffer.from('{"SchemaVersion": 2, "ArtifactName": "x", "Results": 7}')),
          { context },
        ).findings,
      ),
    );
    expect(wrongType.describe()).toBe(
      'trivy-json at /Results (line 1, column 54): expected array or null, found number',
    );
    const notAReport = await failure(async () =>
      parseReport(sourceOf(Buffer.from('hello')), { context }),
    );
    expect(notAReport.format).toBe('unknown');
  });

  it('turns a parser defect into an error naming the finding and the field, not a crash downstream', async () => {
    const buggy: ReportParser = {
      format: 'checkov-json',
      displayName: 'Buggy',
      detect: () => 1,
      async *parse() {
        yield good;
        yield {
          ...good,
          title: 'x'.repeat(1001),
          fingerprintBasis: { ...good.fingerprintBasis, anchor: '2' },
        };
      },
    };
    const report = parseReport(sourceOf(Buffer.from('{}')), { context, parsers: [buggy] });
    const seen: FindingV1[] = [];
    const error = await failure(async () => {
      for await (const finding of report.findings) seen.push(finding);
    });
    expect(seen).toHaveLength(1);
    expect(error.format).toBe('checkov-json');
    expect(error.message).toMatch(
      /^finding 1 does not fit Finding v1 \(title: .*\); this is a defect in the Buggy parser$/,
    );

    const badUrl: ReportParser = {
      ...buggy,
      async *parse() {
        yield { ...good, references: ['https://ok.example/a', 'javascript:alert(1)'] };
      },
    };
    const urlError = await failure(() =>
      readAll(parseReport(sourceOf(Buffer.from('{}')), { context, parsers: [badUrl] }).findings),
    );
    expect(urlError.message).toMatch(/^finding 0 does not fit Finding v1 \(references\.1: /);
  });

  it('names a field a parser added beyond Finding v1', async () => {
    const extra: ReportParser = {
      format: 'checkov-json',
      displayName: 'Chatty',
      detect: () => 1,
      async *parse() {
        yield { ...good, internalNote: 'not for publishing' } as ParsedFinding;
      },
    };
    const error = await failure(() =>
      readAll(parseReport(sourceOf(Buffer.from('{}')), { context, parsers: [extra] }).findings),
    );
    expect(error.message).toMatch(/^finding 0 does not fit Finding v1 \(.*internalNote/);
  });

  it('accepts references to non-ASCII hosts however many findings come before', async () => {
    const results = Array.from({ length: 5000 }, (_, i) => ({
      ruleId: 'r1',
      message: { text: `finding ${i}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: `src/f${i}.js` } } }],
      properties: { references: [`https://m\u00fcnchen.example/advisories/${i}`] },
    }));
    const log = { version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results }] };
    const findings = await readAll(
      parseReport(sourceOf(Buffer.from(JSON.stringify(log))), { context }).findings,
    );
    expect(findings).toHaveLength(5000);
    expect(findings[4999]!.references).toEqual(['https://m\u00fcnchen.example/advisories/4999']);
  });

  it('stops at maxFindings', async () => {
    const error = await failure(() =>
      readAll(
        parseReport(fileSource('trivy/legacy_many_vulns.json'), { context, maxFindings: 10 })
          .findings,
      ),
    );
    expect(error.message).toMatch(/more than 10 findings/);
  });

  it('hands out findings the producer sends unchecked, as zod would have sent them (whole corpus)', async () => {
    const safeParse = jest.spyOn(FindingV1, 'safeParse');
    let findings = 0;
    try {
      for (const entry of corpusManifest()) {
        if (!(manifestCount(entry) > 0) || !existsSync(corpusPath(entry.path))) continue;
        const report = parseReport(fileSource(entry.path), { context });
        for await (const finding of report.findings) {
          safeParse.mockClear();
          const sent = encodeEvent(TOPICS.findingsRaw, {
            key: finding.fingerprint,
            data: finding,
            source: '/hum/spec',
          });
          expect(safeParse).not.toHaveBeenCalled();
          expect(JSON.parse(sent.value.toString())).toEqual(
            JSON.parse(JSON.stringify(FindingV1.parse(finding))),
          );
          findings++;
        }
      }
    } finally {
      safeParse.mockRestore();
    }
    expect(findings).toBeGreaterThan(300);
  });

  it('rejects an invalid scan context before reading anything', () => {
    expect(() =>
      parseReport(fileSource('sarif/checkov.sarif'), {
        context: { ...context, scanId: 'not-a-uuid' },
      }),
    ).toThrow(PermanentError);
  });

  it('registers a parser for every format it lists, once', () => {
    const formats = REPORT_PARSERS.map((parser) => parser.format);
    expect(new Set(formats).size).toBe(formats.length);
    expect(formats).toEqual(
      expect.arrayContaining(['sarif', 'trivy-json', 'semgrep-json', 'hum-canonical']),
    );
  });
});

describe('parseReport on a generated 100,000-finding Trivy report', () => {
  const COUNT = 100_000;

  /** Streams the report as it is generated, so the test holds no more of it than a chunk. */
  function generatedTrivySource(): ReportSource {
    const vulnerability = (i: number): string =>
      JSON.stringify({
        VulnerabilityID: `CVE-2024-${100000 + i}`,
        PkgName: `pkg-${i % 997}`,
        InstalledVersion: `1.${i % 10}.0`,
        FixedVersion: `1.${i % 10}.1`,
        Severity: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'][i % 4],
        Title: `pkg-${i % 997}: prototype pollution in merge()`,
        Description: 'A prototype pollution vulnerability allows attackers to inject properties.',
        CweIDs: ['CWE-1321'],
        CVSS: { nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', V3Score: 9.8 } },
        References: [`https://nvd.nist.gov/vuln/detail/CVE-2024-${100000 + i}`],
      });
    const prefix =
      '{"SchemaVersion": 2, "ArtifactName": "app", "ArtifactType": "filesystem", "Results": [{"Target": "package-lock.json", "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": [';
    return {
      head: prefix + vulnerability(0),
      size: undefined,
      async *chunks() {
        yield Buffer.from(prefix);
        const batch: string[] = [];
        for (let i = 0; i < COUNT; i++) {
          batch.push(vulnerability(i));
          if (batch.length === 500 || i === COUNT - 1) {
            yield Buffer.from((i < 500 ? '' : ',') + batch.join(','));
            batch.length = 0;
          }
        }
        yield Buffer.from(']}]}');
      },
      text: () => Promise.reject(new Error('a streaming format must not ask for the whole text')),
    };
  }

  it('yields every finding while the heap stays far below the report size', async () => {
    const baseline = process.memoryUsage();
    let peakHeap = baseline.heapUsed;
    let peakRss = baseline.rss;
    let count = 0;
    const report = parseReport(generatedTrivySource(), { context });
    for await (const finding of report.findings) {
      count++;
      if (count % 5000 === 0) {
        const usage = process.memoryUsage();
        peakHeap = Math.max(peakHeap, usage.heapUsed);
        peakRss = Math.max(peakRss, usage.rss);
        expect(finding.component?.purl).toBe(
          `pkg:npm/pkg-${(count - 1) % 997}@1.${(count - 1) % 10}.0`,
        );
      }
    }
    expect(count).toBe(COUNT);
    expect(report.summary()).toMatchObject({
      count: COUNT,
      duplicates: 0,
      severityCounts: { low: 25_000, medium: 25_000, high: 25_000, critical: 25_000 },
    });
    // The report is ~45 MB of JSON; held whole and parsed it would take several times that. A
    // streaming read keeps one chunk, one finding and the fingerprint set (~15 MB) live; the
    // bound leaves room for garbage the collector has not reached yet.
    const heapGrowthMb = (peakHeap - baseline.heapUsed) / 1e6;
    process.stdout.write(
      `100k Trivy findings: heap growth ${heapGrowthMb.toFixed(0)} MB, peak RSS ${(peakRss / 1e6).toFixed(0)} MB\n`,
    );
    expect(heapGrowthMb).toBeLessThan(200);
  }, 180_000);
});

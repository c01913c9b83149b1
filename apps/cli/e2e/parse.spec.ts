import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { FindingV1 } from '@hum/contracts';
import { parseReport, sourceFromFile } from '@hum/scanner-formats';
import { buildWorkspace, type WorkspaceBuild } from '@hum/testing';
import { jsonLines, runBuiltCli } from './built-cli';

const corpus = path.resolve(__dirname, '../../../testdata/corpus');

interface ManifestRow {
  format: string;
  path: string;
  expected: number;
}

/** Per format family in the corpus manifest, its report with the most findings. */
function largestReportPerFormat(): ManifestRow[] {
  const rows = readFileSync(path.join(corpus, 'MANIFEST.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'))
    .map(([format, file, , , , , expected]) => ({
      format: format!,
      path: file!,
      expected: Number(expected),
    }))
    .filter((row) => row.format !== 'api-spec' && Number.isFinite(row.expected));
  const best = new Map<string, ManifestRow>();
  for (const row of rows) {
    const current = best.get(row.format);
    if (current === undefined || row.expected > current.expected) best.set(row.format, row);
  }
  return [...best.values()];
}

async function libraryCount(file: string): Promise<number> {
  const report = parseReport(await sourceFromFile(file), {
    context: {
      scanId: randomUUID(),
      asset: { id: 'local', type: 'repository' },
      detectedAt: new Date().toISOString(),
    },
  });
  let count = 0;
  for await (const _ of report.findings) count++;
  return count;
}

describe('hum parse (the built CLI)', () => {
  let build: WorkspaceBuild;
  let work: string;
  let hum: string;

  beforeAll(() => {
    build = buildWorkspace('cli-parse');
    hum = build.entry('apps/cli/src/main.js');
    work = mkdtempSync(path.join(tmpdir(), 'hum-cli-parse-'));
  });

  afterAll(() => {
    build?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it.each(largestReportPerFormat().map((row) => [row.format, row.path]))(
    'prints every finding of a %s report (%s) as a Finding v1 JSON line',
    async (_format, relative) => {
      const file = path.join(corpus, relative);
      const run = await runBuiltCli(hum, ['parse', file, '--asset', 'shop-web']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const findings = jsonLines(run.stdout);
      expect(findings.length).toBe(await libraryCount(file));
      expect(findings.length).toBeGreaterThan(0);
      for (const finding of findings) {
        const checked = FindingV1.safeParse(finding);
        expect(checked.error?.issues).toBeUndefined();
        expect(checked.data?.asset.id).toBe('shop-web');
      }
      expect(new Set(findings.map((f) => (f as FindingV1).fingerprint)).size).toBe(findings.length);
    },
  );

  it('reads a gzipped report and prints a summary on stderr with --verbose', async () => {
    const file = path.join(work, 'trivy.json.gz');
    writeFileSync(
      file,
      gzipSync(readFileSync(path.join(corpus, 'trivy/scheme_2_many_vulns.json'))),
    );
    const run = await runBuiltCli(hum, ['parse', file, '--verbose']);
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout)).toHaveLength(5);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('trivy-json: 5 findings');
  });

  it('rejects an invalid report with a non-zero exit and one line that says what and where', async () => {
    const file = path.join(work, 'bad-trivy.json');
    writeFileSync(file, JSON.stringify({ SchemaVersion: 2, ArtifactName: 'x', Results: 'none' }));
    const run = await runBuiltCli(hum, ['parse', file]);
    expect(run.code).toBe(65);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hum parse: trivy-json at \/Results .*: /);
  });

  it('names the format it could not recognise, and honours --format', async () => {
    const unknown = path.join(work, 'unknown.json');
    writeFileSync(unknown, '{"hello":"world"}');
    const run = await runBuiltCli(hum, ['parse', unknown]);
    expect(run.code).toBe(65);
    expect(run.stderr).toContain('not a recognised report format');

    const sarif = path.join(corpus, 'sarif/gitleaks_7.5.0.sarif');
    const forced = await runBuiltCli(hum, ['parse', sarif, '--format', 'trivy-json']);
    expect(forced.code).toBe(65);
    expect(forced.stderr).toContain('looks like SARIF');
  });

  it('exits 66 for a missing report and 2 for a bad command line, naming the flag', async () => {
    const missing = await runBuiltCli(hum, ['parse', path.join(work, 'nope.json')]);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toContain('no such file');

    const badFormat = await runBuiltCli(hum, ['parse', 'x.json', '--format', 'trivy']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr.trim().split('\n')).toHaveLength(1);
    expect(badFormat.stderr).toContain('--format');

    const unknownFlag = await runBuiltCli(hum, ['parse', 'x.json', '--asset-id', 'a']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain('unknown flag --asset-id');

    const help = await runBuiltCli(hum, ['parse', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: hum parse REPORT');
  });
});

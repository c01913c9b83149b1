#!/usr/bin/env node
// Parse throughput and peak memory of the report pipeline (parseReport: detection, streaming
// parse, fingerprints, Finding v1 checks, de-duplication) on generated reports the size of a
// large real scan. Reads the built code in dist/ (`npm run build` first). No broker is needed.
//
//   node bench/parse-throughput.bench.mjs [--findings=100000] [--cases=trivy,sarif,...] [--dist=dist]
//
// Cases: trivy, sarif, trivy-gzip (the throughput targets) and grype, cyclonedx, snyk (formats
// whose tool writes context after the findings or beside them, read in more than one pass).
// Each case runs in its own Node process, so its peak RSS is its own. Targets (issue 3):
// parse alone >= 50,000 findings/s for Trivy and SARIF; peak RSS <= 300 MB for every case.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { writeBenchResult } from './lib/bench-support.mjs';

const NAME = 'parse-throughput';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distEntry = (dist) => path.resolve(ROOT, dist, 'libs', 'scanner-formats', 'src', 'index.js');
const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

function options() {
  const { values } = parseArgs({
    options: {
      findings: { type: 'string', default: '100000' },
      cases: { type: 'string', default: 'trivy,sarif,trivy-gzip,grype,cyclonedx,snyk' },
      dist: { type: 'string', default: 'dist' },
      child: { type: 'string' },
      file: { type: 'string' },
    },
  });
  const findings = Number(values.findings);
  if (!Number.isInteger(findings) || findings < 1)
    throw new Error('--findings must be a positive integer');
  return { ...values, findings, cases: values.cases.split(',').filter(Boolean) };
}

/** A Trivy vulnerability as `trivy image --format json` writes it (indented, ~1.8 KB). */
function trivyVulnerability(i) {
  const pkg = `pkg-${i % 4999}`;
  const cve = `CVE-${2015 + (i % 10)}-${10000 + i}`;
  return {
    VulnerabilityID: cve,
    PkgID: `${pkg}@1.${i % 10}.0`,
    PkgName: pkg,
    PkgIdentifier: {
      PURL: `pkg:npm/${pkg}@1.${i % 10}.0`,
      UID: ((i * 2654435761) >>> 0).toString(16),
    },
    InstalledVersion: `1.${i % 10}.0`,
    FixedVersion: `1.${i % 10}.1, 2.0.0`,
    Status: 'fixed',
    Layer: {},
    SeveritySource: 'ghsa',
    PrimaryURL: `https://avd.aquasec.com/nvd/${cve.toLowerCase()}`,
    DataSource: {
      ID: 'ghsa',
      Name: 'GitHub Security Advisory npm',
      URL: 'https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm',
    },
    Title: `${pkg}: prototype pollution in merge() allows property injection`,
    Description: `A prototype pollution vulnerability in ${pkg} before 1.${i % 10}.1 allows attackers to inject properties on Object.prototype via crafted JSON input passed to the merge function. This can lead to denial of service or, in some configurations, remote code execution.`,
    Severity: SEVERITIES[i % 4],
    CweIDs: ['CWE-1321'],
    VendorSeverity: { ghsa: 3, nvd: 3 },
    CVSS: {
      ghsa: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', V3Score: 9.8 },
      nvd: {
        V2Vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P',
        V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        V2Score: 7.5,
        V3Score: 9.8,
      },
    },
    References: [
      `https://github.com/advisories/GHSA-${'abcd'}-${'efgh'}-${String(i % 10000).padStart(4, '0')}`,
      `https://nvd.nist.gov/vuln/detail/${cve}`,
      `https://www.npmjs.com/package/${pkg}`,
      'https://security.snyk.io/vuln/npm',
    ],
    PublishedDate: '2023-03-01T12:00:00Z',
    LastModifiedDate: '2023-04-01T12:00:00Z',
  };
}

/** A CodeQL-style SARIF result with a partial fingerprint, region and snippet. */
function sarifResult(i) {
  return {
    ruleId: `js/rule-${i % 200}`,
    ruleIndex: i % 200,
    level: ['error', 'warning', 'note'][i % 3],
    message: { text: `Call to a dangerous function with user input at ${i}` },
    partialFingerprints: { primaryLocationLineHash: `${((i * 2654435761) >>> 0).toString(16)}:1` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: `src/module-${i % 500}/file-${i}.js`, uriBaseId: '%SRCROOT%' },
          region: {
            startLine: 10 + (i % 300),
            startColumn: 5,
            endColumn: 40,
            snippet: { text: `  dangerous(input${i})` },
          },
        },
      },
    ],
  };
}

function sarifRules() {
  return Array.from({ length: 200 }, (_, r) => ({
    id: `js/rule-${r}`,
    name: `Rule${r}`,
    shortDescription: { text: `Dangerous call pattern ${r}` },
    fullDescription: { text: `Calling a dangerous function with untrusted input (pattern ${r}).` },
    defaultConfiguration: { level: 'warning' },
    helpUri: `https://example.com/rules/${r}`,
    properties: {
      tags: ['security', `external/cwe/cwe-${78 + (r % 20)}`],
      'security-severity': String((r % 100) / 10),
    },
  }));
}

/** A Grype match as `grype -o json` writes it (~2 KB): vulnerability, match details, artifact. */
function grypeMatch(i) {
  const pkg = `pkg-${i % 4999}`;
  const version = `1.${i % 10}.0`;
  const cve = `CVE-${2015 + (i % 10)}-${10000 + i}`;
  return {
    vulnerability: {
      id: cve,
      dataSource: `https://nvd.nist.gov/vuln/detail/${cve}`,
      namespace: 'nvd:cpe',
      severity: ['Low', 'Medium', 'High', 'Critical'][i % 4],
      urls: [`https://github.com/advisories/GHSA-abcd-efgh-${String(i % 10000).padStart(4, '0')}`],
      description: `A prototype pollution vulnerability in ${pkg} before ${version} allows attackers to inject properties on Object.prototype.`,
      cvss: [
        {
          version: '3.1',
          vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
          metrics: { baseScore: 9.8, exploitabilityScore: 3.9, impactScore: 5.9 },
          vendorMetadata: {},
        },
      ],
      fix: { versions: [`1.${i % 10}.1`], state: 'fixed' },
      advisories: [],
    },
    relatedVulnerabilities: [],
    matchDetails: [
      {
        type: 'exact-direct-match',
        matcher: 'javascript-matcher',
        searchedBy: { language: 'javascript', namespace: 'github:language:javascript' },
        found: {
          vulnerabilityID: cve,
          versionConstraint: `<${version.replace(/0$/, '1')} (unknown)`,
        },
      },
    ],
    artifact: {
      id: ((i * 2654435761) >>> 0).toString(16),
      name: pkg,
      version,
      type: 'npm',
      locations: [{ path: '/app/package-lock.json', layerID: 'sha256:3f1b6f5e8a53' }],
      language: 'javascript',
      licenses: ['MIT'],
      cpes: [`cpe:2.3:a:${pkg}:${pkg}:${version}:*:*:*:*:*:*:*`],
      purl: `pkg:npm/${pkg}@${version}`,
      upstreams: [],
    },
  };
}

/** A Snyk issue as `snyk test --json` writes it (~2 KB): one vulnerability on one path. */
function snykIssue(i) {
  const pkg = `pkg-${i % 4999}`;
  const version = `1.${i % 10}.0`;
  const cve = `CVE-${2015 + (i % 10)}-${10000 + i}`;
  return {
    id: `SNYK-JS-${pkg.toUpperCase().replace(/-/g, '')}-${100000 + i}`,
    title: 'Prototype Pollution',
    CVSSv3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    credit: ['Unknown'],
    semver: { vulnerable: [`<1.${i % 10}.1`] },
    exploit: 'Proof of Concept',
    fixedIn: [`1.${i % 10}.1`],
    patches: [],
    insights: { triageAdvice: null },
    language: 'js',
    severity: ['low', 'medium', 'high', 'critical'][i % 4],
    cvssScore: 9.8,
    functions: [],
    malicious: false,
    isDisputed: false,
    moduleName: pkg,
    references: [{ url: `https://github.com/advisories/${cve}`, title: 'GitHub Advisory' }],
    cvssDetails: [],
    description: `## Overview\n\n[${pkg}](https://www.npmjs.com/package/${pkg}) is a utility library.\n\nAffected versions of this package are vulnerable to Prototype Pollution via the merge function.`,
    identifiers: { CVE: [cve], CWE: ['CWE-1321'], GHSA: [] },
    packageName: pkg,
    proprietary: false,
    creationTime: '2023-03-01T12:00:00.000Z',
    functions_new: [],
    alternativeIds: [],
    disclosureTime: '2023-03-01T12:00:00.000Z',
    packageManager: 'npm',
    publicationTime: '2023-03-01T12:00:00.000Z',
    severityBasedOn: 'CVSS',
    modificationTime: '2023-04-01T12:00:00.000Z',
    socialTrendAlert: false,
    severityWithCritical: ['low', 'medium', 'high', 'critical'][i % 4],
    from: ['web@1.0.0', `parent-${i % 97}@2.0.0`, `${pkg}@${version}`],
    upgradePath: [false, `parent-${i % 97}@2.1.0`, `${pkg}@1.${i % 10}.1`],
    isUpgradable: true,
    isPatchable: false,
    name: pkg,
    version,
  };
}

/** A CycloneDX 1.5 vulnerability affecting one of the BOM's components (~1 KB). */
function cyclonedxVulnerability(i) {
  const cve = `CVE-${2015 + (i % 10)}-${10000 + i}`;
  return {
    'bom-ref': `vuln-${i}`,
    id: cve,
    source: { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${cve}` },
    ratings: [
      {
        source: { name: 'NVD' },
        score: 9.8,
        severity: ['low', 'medium', 'high', 'critical'][i % 4],
        method: 'CVSSv31',
        vector: 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      },
    ],
    cwes: [1321],
    description: `Prototype pollution in pkg-${i % 4999} allows property injection.`,
    advisories: [
      { url: `https://github.com/advisories/GHSA-abcd-efgh-${String(i % 10000).padStart(4, '0')}` },
    ],
    affects: [
      {
        ref: `component-${i % 4999}`,
        versions: [{ range: `vers:npm/<1.${i % 10}.1`, status: 'affected' }],
      },
    ],
  };
}

function cyclonedxComponents() {
  return Array.from({ length: 4999 }, (_, c) => ({
    type: 'library',
    'bom-ref': `component-${c}`,
    name: `pkg-${c}`,
    version: `1.${c % 10}.0`,
    purl: `pkg:npm/pkg-${c}@1.${c % 10}.0`,
    properties: [{ name: 'syft:location:0:path', value: '/app/package-lock.json' }],
  }));
}

/** Writes a report of `count` elements through a stream: the generator holds one batch. */
async function writeReport(file, prefix, element, count, suffix, gzip) {
  async function* text() {
    yield prefix;
    let batch = [];
    for (let i = 0; i < count; i++) {
      batch.push(JSON.stringify(element(i), null, 2));
      if (batch.length === 1000 || i === count - 1) {
        yield (i < 1000 ? '' : ',\n') + batch.join(',\n');
        batch = [];
      }
    }
    yield suffix;
  }
  const out = createWriteStream(file);
  if (gzip) await pipeline(text, createGzip({ level: 6 }), out);
  else await pipeline(text, out);
}

/** Writes a generated report of `count` findings of `kind` into `dir`; returns its path. */
export async function generate(kind, count, dir) {
  if (kind === 'sarif') {
    const file = path.join(dir, 'report.sarif');
    const tool = JSON.stringify({
      driver: { name: 'CodeQL', semanticVersion: '2.17.0', rules: sarifRules() },
    });
    await writeReport(
      file,
      `{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{"tool": ${tool}, "results": [\n`,
      sarifResult,
      count,
      '\n]}]}\n',
      false,
    );
    return file;
  }
  if (kind === 'grype') {
    // Grype writes the matches first and the distro and descriptor (tool version) last.
    const file = path.join(dir, 'grype.json');
    const tail = {
      source: { type: 'image', target: { userInput: 'registry.example.com/app:1.0' } },
      distro: { name: 'debian', version: '12', idLike: [] },
      descriptor: { name: 'grype', version: '0.74.0', db: { built: '2024-01-01T00:00:00Z' } },
    };
    await writeReport(
      file,
      '{\n "matches": [\n',
      grypeMatch,
      count,
      `\n ],\n${JSON.stringify(tail, null, 1).slice(2)}\n`,
      false,
    );
    return file;
  }
  if (kind === 'snyk') {
    // Snyk writes the project's fields after its issues.
    const file = path.join(dir, 'snyk.json');
    const tail = {
      ok: false,
      dependencyCount: 4999,
      packageManager: 'npm',
      projectName: 'web',
      displayTargetFile: 'package-lock.json',
      path: '/src/web',
    };
    await writeReport(
      file,
      '{\n "vulnerabilities": [\n',
      snykIssue,
      count,
      `\n ],\n${JSON.stringify(tail, null, 1).slice(2)}\n`,
      false,
    );
    return file;
  }
  if (kind === 'cyclonedx') {
    const file = path.join(dir, 'bom.json');
    const head = {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      metadata: {
        tools: { components: [{ type: 'application', name: 'grype', version: '0.74.0' }] },
      },
      components: cyclonedxComponents(),
    };
    await writeReport(
      file,
      `${JSON.stringify(head, null, 1).slice(0, -2)},\n "vulnerabilities": [\n`,
      cyclonedxVulnerability,
      count,
      '\n ]\n}\n',
      false,
    );
    return file;
  }
  const gzip = kind === 'trivy-gzip';
  const file = path.join(dir, gzip ? 'trivy.json.gz' : 'trivy.json');
  await writeReport(
    file,
    '{\n  "SchemaVersion": 2,\n  "ArtifactName": "registry.example.com/app:1.0",\n  "ArtifactType": "container_image",\n  "Results": [\n    {\n      "Target": "app/package-lock.json",\n      "Class": "lang-pkgs",\n      "Type": "npm",\n      "Vulnerabilities": [\n',
    trivyVulnerability,
    count,
    '\n      ]\n    }\n  ]\n}\n',
    gzip,
  );
  return file;
}

/** Child process: parse one file through the built pipeline and print the measurements. */
async function child(file, entry) {
  const require = createRequire(import.meta.url);
  const { parseReport, sourceFromFile } = require(entry);
  const context = {
    scanId: '3f1b6f5e-8a53-4a5e-9f7e-0d5b8c7a1e21',
    asset: { id: 'bench-app', type: 'container-image' },
    detectedAt: new Date().toISOString(),
  };
  let peakRss = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const source = await sourceFromFile(file);
  const report = parseReport(source, { context });
  let count = 0;
  for await (const finding of report.findings) {
    count++;
    if ((count & 4095) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (finding.fingerprint.length !== 64) throw new Error('bad fingerprint');
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const summary = report.summary();
  process.stdout.write(
    `${JSON.stringify({
      format: report.format,
      findings: count,
      duplicates: summary.duplicates,
      seconds: Number((ms / 1000).toFixed(3)),
      findingsPerSecond: Math.round(count / (ms / 1000)),
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
      peakRssMb: Math.round(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1e6),
    })}\n`,
  );
}

async function main() {
  const config = options();
  const entry = distEntry(config.dist);
  if (config.child) return child(config.file, entry);
  if (!existsSync(entry)) {
    throw new Error(
      `${path.relative(process.cwd(), entry)} is missing: run \`npm run build\` first.`,
    );
  }
  const dir = path.join(os.tmpdir(), `hum-${NAME}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const loadBefore = os.loadavg()[0];
  const cases = [];
  try {
    for (const kind of config.cases) {
      const file = await generate(kind, config.findings, dir);
      const args = [
        fileURLToPath(import.meta.url),
        `--child=${kind}`,
        `--file=${file}`,
        `--dist=${config.dist}`,
      ];
      const run = spawnSync(process.execPath, args, {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      if (run.status !== 0) throw new Error(`${kind} failed:\n${run.stderr}`);
      cases.push({
        case: kind,
        reportMb: Number((statSync(file).size / 1e6).toFixed(1)),
        ...JSON.parse(run.stdout),
      });
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const result = {
    bench: NAME,
    date: new Date().toISOString(),
    config: { findings: config.findings, unit: 'MB = 10^6 bytes' },
    environment: {
      node: process.versions.node,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      loadAverage1m: { before: loadBefore, after: os.loadavg()[0] },
    },
    targets: { findingsPerSecond: 50_000, peakRssMb: 300 },
    cases,
  };
  report(result);
  const out = writeBenchResult(NAME, result);
  process.stdout.write(`result: ${path.relative(process.cwd(), out)}\n`);
}

function report(result) {
  const number = (n) => n.toLocaleString('en-US');
  const rows = [
    ['case', 'report MB', 'findings', 'seconds', 'findings/s', 'CPU s', 'peak RSS MB'],
    ...result.cases.map((c) => [
      c.case,
      c.reportMb.toFixed(1),
      number(c.findings),
      c.seconds.toFixed(2),
      number(c.findingsPerSecond),
      c.cpuSeconds.toFixed(2),
      String(c.peakRssMb),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const { environment } = result;
  process.stdout.write(
    `${NAME}: parseReport on generated reports (Node ${environment.node}, ${environment.cpus} CPUs, ` +
      `load ${environment.loadAverage1m.before.toFixed(1)}); targets >= 50,000 findings/s, <= 300 MB RSS\n`,
  );
  for (const row of rows) {
    process.stdout.write(
      `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')}\n`,
    );
  }
}

// bench/ingest-publish.bench.mjs imports the report generator: run only when invoked.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exitCode = 1;
  });
}

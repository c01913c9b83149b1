import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXAMPLE_FINDING, type FindingV1 } from '@hum/contracts';
import { readBundledIntel } from '../../../test-support/read-bundled-intel';
import { parseAssetCatalogue } from '../assets/asset-catalogue';
import { resolveAsset } from '../assets/resolve-asset';
import { loadIntelSnapshot } from '../intel/snapshot';
import { classifyFinding, type Classification } from './classify-finding';
import { bundledPolicy, NOW } from './testing/fixtures';

// The worked examples of docs/risk.md ("Worked examples"), classified with the bundled policy,
// the bundled intel snapshots and the catalogue below. Each example's factor table in the doc
// is read back and compared with what the engine computes, so the doc cannot drift.

const CATALOGUE = parseAssetCatalogue(`
assets:
  - id: payments-api
    criticality: critical
    dataSensitivity: restricted
  - id: "payments-*"
    team: payments
  - id: "*-dev"
    environment: dev
    exposure: internal
  - id: online-banking-web
    environment: prod
    exposure: internet
    criticality: high
    dataSensitivity: confidential
`);

const intel = loadIntelSnapshot(readBundledIntel());
const policy = bundledPolicy();

const base: FindingV1 = {
  ...EXAMPLE_FINDING,
  tool: { name: 'trivy', version: '0.50.1' },
  references: [],
  cwes: [],
  tags: [],
};

const EXAMPLES: Record<string, FindingV1> = {
  'Log4Shell on the internet-facing payments API': EXAMPLE_FINDING,

  'A low-severity glibc finding in a developer image': {
    ...base,
    title: 'CVE-2019-19126 in libc-bin 2.28-10',
    rule: { id: 'CVE-2019-19126' },
    severity: { reported: 'LOW', normalized: 'low' },
    vulnerability: { id: 'CVE-2019-19126', aliases: [] },
    cvss: [
      { version: '3.1', vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N', source: 'nvd' },
      { version: '3.0', vector: 'CVSS:3.0/AV:L/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N', source: 'redhat' },
      { version: '2.0', vector: 'AV:L/AC:L/Au:N/C:P/I:N/A:N', source: 'nvd' },
    ],
    component: { name: 'libc-bin', version: '2.28-10', ecosystem: 'debian', fixedVersions: [] },
    asset: { id: 'ledger-batch-dev', type: 'container-image', team: 'ledger' },
  },

  'jQuery XSS in CISA KEV, in a developer build': {
    ...base,
    title: 'Cross-site Scripting (XSS) in org.webjars:jquery 1.11.1',
    rule: { id: 'SNYK-JAVA-ORGWEBJARS-565171' },
    severity: { reported: 'medium', normalized: 'medium' },
    vulnerability: { id: 'SNYK-JAVA-ORGWEBJARS-565171', aliases: ['CVE-2020-11023'] },
    cvss: [
      {
        version: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:L/E:P/RL:O/RC:C',
        reportedScore: 6.3,
        source: 'snyk',
      },
    ],
    component: {
      name: 'org.webjars:jquery',
      version: '1.11.1',
      ecosystem: 'maven',
      fixedVersions: ['3.5.0'],
    },
    tool: { name: 'snyk' },
    asset: { id: 'online-banking-web-dev', type: 'web-application', team: 'digital' },
  },

  'The same jQuery in the internet-facing online bank': {
    ...base,
    title: 'Cross-site Scripting (XSS) in org.webjars:jquery 1.11.1',
    rule: { id: 'SNYK-JAVA-ORGWEBJARS-565171' },
    severity: { reported: 'medium', normalized: 'medium' },
    vulnerability: { id: 'SNYK-JAVA-ORGWEBJARS-565171', aliases: ['CVE-2020-11023'] },
    cvss: [
      {
        version: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:L/E:P/RL:O/RC:C',
        reportedScore: 6.3,
        source: 'snyk',
      },
    ],
    component: {
      name: 'org.webjars:jquery',
      version: '1.11.1',
      ecosystem: 'maven',
      fixedVersions: ['3.5.0'],
    },
    tool: { name: 'snyk' },
    asset: { id: 'online-banking-web', type: 'web-application', team: 'digital' },
  },

  'A leaked AWS key in a staging repository': {
    ...base,
    kind: 'secret',
    title: 'AWS access key in config/deploy.env',
    rule: { id: 'aws-access-token', name: 'AWS Access Token' },
    severity: { normalized: 'unknown' },
    vulnerability: undefined,
    cvss: [],
    component: undefined,
    location: { path: 'config/deploy.env', startLine: 3 },
    tool: { name: 'gitleaks', version: '8.18.0' },
    asset: {
      id: 'payments-reconciler',
      type: 'repository',
      environment: 'staging',
      exposure: 'internal',
    },
  },

  'A vector that does not parse': {
    ...base,
    title: 'CVE-2099-1000 in example-parser 2.0.0',
    rule: { id: 'CVE-2099-1000' },
    severity: { reported: 'HIGH', normalized: 'high' },
    vulnerability: { id: 'CVE-2099-1000', aliases: [] },
    cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', source: 'ghsa' }],
    component: { name: 'example-parser', version: '2.0.0', fixedVersions: ['2.0.1'] },
    asset: { id: 'statements-api', type: 'container-image', environment: 'staging' },
  },
};

function classifyExample(title: string): Classification {
  const finding = EXAMPLES[title]!;
  return classifyFinding(finding, {
    policy,
    intel,
    asset: resolveAsset(finding.asset, CATALOGUE),
    now: NOW,
  });
}

const docText = readFileSync(path.resolve(__dirname, '../../../../../docs/risk.md'), 'utf8');

/** factor, input and points of the first table after `#### <title>` (the why column is prose). */
function documentedTable(title: string): string[][] {
  const lines = docText.split('\n');
  const start = lines.indexOf(`#### ${title}`);
  if (start === -1) throw new Error(`docs/risk.md has no example "${title}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|')) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(
      line
        .split('|')
        .slice(1, 4)
        .map((cell) => cell.trim()),
    );
  }
  // Drop the header row and the |---| row under it.
  return rows.slice(2);
}

/** A factor as the doc tables write it: `factor | input | points`. */
function asRow({ name, input, contribution }: Classification['factors'][number]): string[] {
  const shownInput =
    input === null ? '–' : typeof input === 'string' ? `\`${input}\`` : String(input);
  const points = contribution > 0 ? `+${contribution}` : String(contribution);
  return [`\`${name}\``, shownInput, points];
}

/** The line under each table: `**critical, 100**`. */
function documentedResult(title: string): string {
  const section = docText.slice(docText.indexOf(`#### ${title}`));
  const match = /\nResult: \*\*(\w+), ([0-9.]+)\*\*/.exec(section);
  if (match === null) throw new Error(`no result line for "${title}"`);
  return `${match[1]}, ${match[2]}`;
}

describe('worked examples of docs/risk.md', () => {
  it.each(Object.keys(EXAMPLES))('%s', (title) => {
    const result = classifyExample(title);
    expect(documentedTable(title)).toEqual(result.factors.map(asRow));
    expect(documentedResult(title)).toBe(`${result.tier}, ${result.score}`);
  });

  // The tiers the brief asks the defaults to produce, stated independently of the tables.
  it('gives the tiers a bank would expect', () => {
    expect(classifyExample('Log4Shell on the internet-facing payments API').tier).toBe('critical');
    expect(classifyExample('A low-severity glibc finding in a developer image').tier).toBe('info');
    expect(classifyExample('jQuery XSS in CISA KEV, in a developer build').tier).toBe('high');
    expect(classifyExample('The same jQuery in the internet-facing online bank').tier).toBe(
      'critical',
    );
    expect(classifyExample('A leaked AWS key in a staging repository').tier).toBe('high');
    expect(classifyExample('A vector that does not parse').tier).toBe('high');
  });
});

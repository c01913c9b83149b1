import {
  itReadsItsCorpus,
  parseCorpusFile,
  parseFailure,
  parseText,
  publishedFinding,
} from '../../../testing/parser-spec';
import { checkovJsonParser } from './checkov-json.parser';

const S3_CHECK = {
  check_id: 'CKV_AWS_18',
  bc_check_id: 'BC_AWS_S3_13',
  check_name: 'Ensure the S3 bucket has access logging enabled',
  check_result: { result: 'FAILED', evaluated_keys: ['logging'] },
  code_block: [
    [12, 'resource "aws_s3_bucket" "data" {\n'],
    [13, '  bucket = "shop-data"\n'],
    [14, '}\n'],
  ],
  file_path: '/modules/storage/main.tf',
  file_abs_path: '/src/infra/modules/storage/main.tf',
  repo_file_path: '/modules/storage/main.tf',
  file_line_range: [12, 14],
  resource: 'aws_s3_bucket.data',
  check_class: 'checkov.terraform.checks.resource.aws.S3AccessLogs',
  guideline:
    'https://docs.prismacloud.io/en/enterprise-edition/policy-reference/aws-policies/s3-policies/s3-13-enable-logging',
  severity: 'MEDIUM',
  bc_category: 'LOGGING',
  details: [],
};

const SECRET_CHECK = {
  check_id: 'CKV_SECRET_2',
  check_name: 'AWS Access Key',
  check_result: { result: 'FAILED' },
  code_block: [[3, 'aws_access_key_id = AKIAIOSFO**********\n']],
  file_path: '/config/aws.env',
  file_line_range: [3, 4],
  resource: '25910f981e85ca04baf359199dd0bd4a3ae738b6',
  guideline:
    'https://docs.prismacloud.io/en/enterprise-edition/policy-reference/secrets-policies/secrets-policy-index/git-secrets-2',
  severity: 'HIGH',
};

const SCA_CHECK = {
  check_id: 'CKV_CVE_2022_24785',
  check_name: 'SCA package scan',
  check_result: { result: 'FAILED' },
  code_block: [[0, 'moment: 2.29.1']],
  file_path: '/web/package-lock.json',
  file_line_range: [0, 0],
  resource: 'web/package-lock.json.moment',
  severity: 'HIGH',
  short_description: 'CVE-2022-24785 - moment: 2.29.1',
  description: 'Path traversal in moment.locale.',
  vulnerability_details: {
    id: 'CVE-2022-24785',
    severity: 'high',
    package_name: 'moment',
    package_version: '2.29.1',
    package_type: 'npm',
    link: 'https://nvd.nist.gov/vuln/detail/CVE-2022-24785',
    cvss: 7.5,
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N',
    description: 'Path traversal in moment.locale.',
    status: 'fixed in 2.29.2',
    lowest_fixed_version: '2.29.2',
    fixed_versions: ['2.29.2'],
  },
};

function result(checkType: string, failed: unknown[]): Record<string, unknown> {
  return {
    check_type: checkType,
    results: { passed_checks: [], failed_checks: failed, skipped_checks: [], parsing_errors: [] },
    summary: {
      passed: 0,
      failed: failed.length,
      skipped: 0,
      parsing_errors: 0,
      resource_count: 1,
      checkov_version: '3.2.100',
    },
  };
}

describe('checkovJsonParser on the real corpus', () => {
  itReadsItsCorpus(checkovJsonParser, ['checkov'], {
    'checkov/checkov-report-0-vuln.json': { yielded: 0, distinct: 0, manifest: '0' },
    'checkov/checkov2-report-0-vuln.json': { yielded: 0, distinct: 0, manifest: '0' },
    'checkov/checkov-report-1-vuln.json': { yielded: 1, distinct: 1, manifest: '1' },
    // summary.failed says 2, failed_checks lists 3: hum counts the list.
    'checkov/checkov-report-many-vuln.json': {
      yielded: 3,
      distinct: 3,
      manifest: '3 (raw failed_checks; DD only asserts > 2)',
    },
  });

  it('maps the one-failed-check report; a null severity stays unknown', async () => {
    const [finding] = await parseCorpusFile(
      checkovJsonParser,
      'checkov/checkov-report-1-vuln.json',
    );
    expect(finding).toEqual({
      kind: 'misconfiguration',
      title: 'Ensure the key vault is recoverable',
      rule: {
        id: 'CKV_AZURE_42',
        name: 'Ensure the key vault is recoverable',
        helpUri: 'https://docs.bridgecrew.io/docs/ensure-the-key-vault-is-recoverable',
      },
      // DefectDojo turns a missing severity into Medium; hum does not invent one.
      severity: { normalized: 'unknown' },
      cvss: [],
      cwes: [],
      location: { path: 'file_path', startLine: 1, endLine: 16, logical: 'azurerm_key_vault.main' },
      references: ['https://docs.bridgecrew.io/docs/ensure-the-key-vault-is-recoverable'],
      tags: ['check-type:terraform'],
      tool: { name: 'Checkov', version: '1.0.467' },
      fingerprintBasis: {
        kind: 'resource',
        tool: 'Checkov',
        ruleId: 'CKV_AZURE_42',
        resource: 'file_path:azurerm_key_vault.main',
      },
    });
  });

  it('gives the three checks of the many-vuln report three bases', async () => {
    const findings = await parseCorpusFile(
      checkovJsonParser,
      'checkov/checkov-report-many-vuln.json',
    );
    expect(findings.map((f) => f.rule?.id)).toEqual([
      'CKV_AZURE_41',
      'CKV_AZURE_42',
      'CKV_AZURE_43',
    ]);
    expect(new Set(findings.map((f) => JSON.stringify(f.fingerprintBasis))).size).toBe(3);
  });
});

describe('checkovJsonParser mapping', () => {
  it('maps a Terraform misconfiguration with its code', async () => {
    const [finding] = await parseText(
      checkovJsonParser,
      JSON.stringify(result('terraform', [S3_CHECK])),
    );
    expect(finding).toMatchObject({
      kind: 'misconfiguration',
      severity: { reported: 'MEDIUM', normalized: 'medium' },
      location: {
        path: '/modules/storage/main.tf',
        startLine: 12,
        endLine: 14,
        snippet: 'resource "aws_s3_bucket" "data" {\n  bucket = "shop-data"\n}\n',
        logical: 'aws_s3_bucket.data',
      },
      tags: ['check-type:terraform', 'category:LOGGING'],
      tool: { name: 'Checkov', version: '3.2.100' },
      fingerprintBasis: {
        kind: 'resource',
        tool: 'Checkov',
        ruleId: 'CKV_AWS_18',
        resource: 'modules/storage/main.tf:aws_s3_bucket.data',
      },
    });
  });

  it('keeps the basis when the resource moves down the file', async () => {
    const moved = {
      ...S3_CHECK,
      file_line_range: [40, 42],
      code_block: S3_CHECK.code_block.map(([line, text]) => [Number(line) + 28, text]),
    };
    const [before] = await parseText(
      checkovJsonParser,
      JSON.stringify(result('terraform', [S3_CHECK])),
    );
    const [after] = await parseText(
      checkovJsonParser,
      JSON.stringify(result('terraform', [moved])),
    );
    expect(after!.location?.startLine).toBe(40);
    expect(after!.fingerprintBasis).toEqual(before!.fingerprintBasis);
  });

  it('reads every framework of an array report', async () => {
    const text = JSON.stringify([
      result('terraform', [S3_CHECK]),
      result('secrets', [SECRET_CHECK]),
    ]);
    const findings = await parseText(checkovJsonParser, text);
    expect(findings.map((f) => f.kind)).toEqual(['misconfiguration', 'secret']);
  });

  it('never copies the code of a secret', async () => {
    const [finding] = await parseText(
      checkovJsonParser,
      JSON.stringify(result('secrets', [SECRET_CHECK])),
    );
    expect(finding!.kind).toBe('secret');
    expect(JSON.stringify(finding)).not.toContain('AKIA');
    expect(finding!.location).toEqual({ path: '/config/aws.env', startLine: 3, endLine: 4 });
    expect(finding!.fingerprintBasis).toEqual({
      kind: 'code',
      tool: 'Checkov',
      ruleId: 'CKV_SECRET_2',
      path: '/config/aws.env',
      anchor: '25910f981e85ca04baf359199dd0bd4a3ae738b6',
    });
  });

  it('maps an SCA record as a vulnerable package', async () => {
    const [finding] = await parseText(
      checkovJsonParser,
      JSON.stringify(result('sca_package', [SCA_CHECK])),
    );
    expect(finding).toMatchObject({
      kind: 'vulnerability',
      title: 'CVE-2022-24785 - moment: 2.29.1',
      severity: { reported: 'high', normalized: 'high' },
      vulnerability: { id: 'CVE-2022-24785', aliases: [] },
      cvss: [
        {
          version: '3.1',
          vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N',
          reportedScore: 7.5,
        },
      ],
      component: {
        name: 'moment',
        version: '2.29.1',
        ecosystem: 'npm',
        fixedVersions: ['2.29.2'],
        path: '/web/package-lock.json',
      },
      fingerprintBasis: {
        kind: 'dependency',
        vulnerabilityId: 'CVE-2022-24785',
        packageId: 'npm/moment',
      },
    });
    expect(() => publishedFinding(finding!)).not.toThrow();
  });

  it('yields nothing for the counters-only report Checkov prints when it scans nothing', async () => {
    const text = JSON.stringify({
      passed: 0,
      failed: 0,
      skipped: 0,
      parsing_errors: 0,
      resource_count: 0,
      checkov_version: '3.2.100',
    });
    expect(await parseText(checkovJsonParser, text)).toEqual([]);
  });
});

describe('checkovJsonParser on malformed input', () => {
  it('reports where truncated JSON ends', async () => {
    const text = JSON.stringify(result('terraform', [S3_CHECK]), null, 2);
    const cut = text.slice(0, text.indexOf('"resource"'));
    const error = await parseFailure(checkovJsonParser, cut);
    expect(error.message).toMatch(/malformed JSON/);
    expect(error.location.line).toBe(cut.split('\n').length);
  });

  it('points at failed_checks when it is not a list', async () => {
    const bad = { check_type: 'terraform', results: { failed_checks: 'CKV_AWS_18' } };
    const error = await parseFailure(
      checkovJsonParser,
      JSON.stringify([result('kubernetes', []), bad]),
    );
    expect(error.location.pointer).toBe('/1/results/failed_checks');
  });

  it('points at a wrong-typed line range', async () => {
    const bad = { ...S3_CHECK, file_line_range: ['12', '14'] };
    const error = await parseFailure(checkovJsonParser, JSON.stringify(result('terraform', [bad])));
    expect(error.location.pointer).toBe('/results/failed_checks/0/file_line_range/0');
  });

  it('refuses an object that is neither a result nor a summary', async () => {
    const error = await parseFailure(checkovJsonParser, JSON.stringify({ findings: [] }));
    expect(error.message).toBe('neither a Checkov check_type result nor a Checkov summary');
    expect(error.location.pointer).toBe('');
  });
});

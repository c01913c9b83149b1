import {
  itReadsItsCorpus,
  parseCorpusFile,
  parseFailure,
  parseText,
} from '../../../testing/parser-spec';
import { zapHtmlToText } from './zap-alert';
import { zapJsonParser } from './zap-json.parser';

const EXAMPLE = 'zap/example.com.json';

const XSS_ALERT = {
  pluginid: '40012',
  alertRef: '40012',
  alert: 'Cross Site Scripting (Reflected)',
  name: 'Cross Site Scripting (Reflected)',
  riskcode: '3',
  confidence: '2',
  riskdesc: 'High (Medium)',
  desc: '<p>Cross-site Scripting (XSS) is an attack technique.</p>',
  instances: [
    {
      uri: 'https://shop.example.com/search?q=%3Cscript%3E',
      method: 'GET',
      param: 'q',
      attack: '<script>alert(1)</script>',
      evidence: '<script>alert(1)</script>',
    },
    {
      uri: 'https://shop.example.com/login',
      method: 'POST',
      param: 'user',
      attack: '"><script>alert(1)</script>',
      evidence: '',
    },
  ],
  count: '2',
  solution: '<p>Validate all input.</p><p>Encode all output.</p>',
  reference:
    '<p>https://owasp.org/www-community/attacks/xss/</p><p>https://cwe.mitre.org/data/definitions/79.html</p>',
  cweid: '79',
  wascid: '8',
  sourceid: '1',
};

function report(alerts: unknown[], siteName = 'https://shop.example.com'): string {
  return JSON.stringify({
    '@programName': 'ZAP',
    '@version': '2.14.0',
    '@generated': 'Mon, 1 Jan 2024 10:00:00',
    site: [
      { '@name': siteName, '@host': 'shop.example.com', '@port': '443', '@ssl': 'true', alerts },
    ],
  });
}

describe('zapJsonParser on the real corpus', () => {
  itReadsItsCorpus(
    zapJsonParser,
    ['zap'],
    {
      'zap/example.com.json': { yielded: 7, distinct: 7, manifest: '7' },
    },
    { files: (path) => path.endsWith('.json') },
  );

  it('keeps the severities and titles of example.com.json in report order', async () => {
    const findings = await parseCorpusFile(zapJsonParser, EXAMPLE);
    expect(findings.map((f) => [f.severity.normalized, f.title])).toEqual([
      ['info', 'Timestamp Disclosure - Unix'],
      ['low', 'X-Content-Type-Options Header Missing'],
      ['low', 'Server Leaks Version Information via "Server" HTTP Response Header Field'],
      ['info', 'Modern Web Application'],
      ['low', 'Incomplete or No Cache-control and Pragma HTTP Header Set'],
      ['info', 'Information Disclosure - Suspicious Comments'],
      ['medium', 'CSP Scanner: style-src unsafe-inline'],
    ]);
    expect(findings[0]!.severity.reported).toBe('Informational (Low)');
    expect(findings[0]!.tool).toEqual({ name: 'ZAP', version: '2.9.0' });
  });

  it('says how many instances ZAP saw when it lists fewer (88 seen, 20 listed)', async () => {
    const [first] = await parseCorpusFile(zapJsonParser, EXAMPLE);
    expect(first!.description).toContain('Instances (20 of 88):');
    expect(first!.cwes).toEqual(['CWE-200']);
    expect(first!.tags).toEqual(['confidence:low', 'wasc:13']);
    expect(first!.location).toEqual({
      url: 'https://www.example.com/ui/assets/vendor-0237c49b8601dcbec2f0f06a8078e405.js',
      method: 'GET',
    });
    expect(first!.fingerprintBasis).toEqual({
      kind: 'resource',
      tool: 'ZAP',
      ruleId: '10096/Timestamp Disclosure - Unix',
      resource: 'https://www.example.com',
    });
  });
});

describe('zapJsonParser mapping', () => {
  it('maps an alert completely', async () => {
    const [finding] = await parseText(zapJsonParser, report([XSS_ALERT]));
    expect(finding).toEqual({
      kind: 'weakness',
      title: 'Cross Site Scripting (Reflected)',
      description: [
        'Cross-site Scripting (XSS) is an attack technique.',
        'Solution: Validate all input.\nEncode all output.',
        'Instances (2 of 2):\nGET https://shop.example.com/search?q=%3Cscript%3E (parameter: q) evidence: <script>alert(1)</script>\nPOST https://shop.example.com/login (parameter: user)',
      ].join('\n\n'),
      rule: { id: '40012', name: 'Cross Site Scripting (Reflected)' },
      severity: { reported: 'High (Medium)', normalized: 'high' },
      cvss: [],
      cwes: ['CWE-79'],
      location: {
        url: 'https://shop.example.com/search?q=%3Cscript%3E',
        method: 'GET',
        parameter: 'q',
      },
      references: [
        'https://owasp.org/www-community/attacks/xss/',
        'https://cwe.mitre.org/data/definitions/79.html',
      ],
      tags: ['confidence:medium', 'wasc:8'],
      tool: { name: 'ZAP', version: '2.14.0' },
      fingerprintBasis: {
        kind: 'resource',
        tool: 'ZAP',
        ruleId: '40012',
        resource: 'https://shop.example.com',
      },
    });
  });

  it('keeps the basis when the instances found change between runs', async () => {
    const rerun = {
      ...XSS_ALERT,
      instances: [{ uri: 'https://shop.example.com/cart', method: 'GET', param: 'item' }],
      count: '1',
    };
    const [before] = await parseText(zapJsonParser, report([XSS_ALERT]));
    const [after] = await parseText(zapJsonParser, report([rerun]));
    expect(after!.location?.url).toBe('https://shop.example.com/cart');
    expect(after!.fingerprintBasis).toEqual(before!.fingerprintBasis);
  });

  it('tells the same alert on two sites apart', async () => {
    const [one] = await parseText(zapJsonParser, report([XSS_ALERT]));
    const [other] = await parseText(
      zapJsonParser,
      report([XSS_ALERT], 'https://admin.example.com'),
    );
    expect(other!.fingerprintBasis).not.toEqual(one!.fingerprintBasis);
  });

  it('accepts numbers where ZAP 2.9 wrote strings, and a single site object', async () => {
    const numeric = {
      ...XSS_ALERT,
      pluginid: 40012,
      riskcode: 3,
      confidence: 2,
      cweid: 79,
      count: 2,
    };
    const text = JSON.stringify({
      '@version': '2.11.0',
      site: { '@name': 'https://shop.example.com', alerts: [numeric] },
    });
    const [finding] = await parseText(zapJsonParser, text);
    expect(finding!.severity.normalized).toBe('high');
    expect(finding!.cwes).toEqual(['CWE-79']);
  });

  it('turns ZAP HTML into plain text', () => {
    expect(zapHtmlToText('<p>One &amp; two</p><p>Three &lt;b&gt;</p>')).toBe(
      'One & two\nThree <b>',
    );
    expect(zapHtmlToText('<p></p>')).toBeUndefined();
  });

  it('yields nothing for a site without alerts', async () => {
    expect(await parseText(zapJsonParser, report([]))).toEqual([]);
  });
});

describe('zapJsonParser on malformed input', () => {
  it('reports where truncated JSON ends', async () => {
    const text = JSON.stringify(JSON.parse(report([XSS_ALERT])), null, 2);
    const cut = text.slice(0, text.indexOf('"solution"'));
    const error = await parseFailure(zapJsonParser, cut);
    expect(error.message).toMatch(/malformed JSON/);
    expect(error.location.line).toBe(cut.split('\n').length);
  });

  it('points at a riskcode outside 0..3', async () => {
    const error = await parseFailure(
      zapJsonParser,
      report([XSS_ALERT, { ...XSS_ALERT, riskcode: '7' }]),
    );
    expect(error.message).toBe('riskcode must be 0, 1, 2 or 3, not "7"');
    expect(error.location.pointer).toBe('/site/0/alerts/1/riskcode');
  });

  it('points at instances when they are not a list', async () => {
    const error = await parseFailure(zapJsonParser, report([{ ...XSS_ALERT, instances: 'many' }]));
    expect(error.location.pointer).toBe('/site/0/alerts/0/instances');
  });

  it('refuses a document without sites, such as another JSON report forced to zap-json', async () => {
    const error = await parseFailure(
      zapJsonParser,
      JSON.stringify({ SchemaVersion: 2, Results: [] }),
    );
    expect(error.location.pointer).toBe('/site');
  });

  it('points at a site without a name', async () => {
    const error = await parseFailure(
      zapJsonParser,
      JSON.stringify({ '@version': '2.9.0', site: [{ alerts: [] }] }),
    );
    expect(error.location.pointer).toBe('/site/0/@name');
  });
});

import { zapJsonParser } from '../zap-json/zap-json.parser';
import {
  itReadsItsCorpus,
  parseCorpusFile,
  parseFailure,
  parseText,
} from '../../../testing/parser-spec';
import { zapXmlParser } from './zap-xml.parser';

const ALERT = `
      <alertitem>
        <pluginid>10202</pluginid>
        <alertRef>10202</alertRef>
        <alert>Absence of Anti-CSRF Tokens</alert>
        <name>Absence of Anti-CSRF Tokens</name>
        <riskcode>2</riskcode>
        <confidence>1</confidence>
        <riskdesc>Medium (Low)</riskdesc>
        <desc>&lt;p&gt;No Anti-CSRF tokens were found.&lt;/p&gt;</desc>
        <instances>
          <instance><uri>https://shop.example.com/cart</uri><method>POST</method><param></param><evidence>&lt;form action="/cart"&gt;</evidence></instance>
        </instances>
        <count>1</count>
        <solution>&lt;p&gt;Use a vetted library.&lt;/p&gt;</solution>
        <reference>&lt;p&gt;https://cwe.mitre.org/data/definitions/352.html&lt;/p&gt;</reference>
        <cweid>352</cweid>
        <wascid>9</wascid>
        <sourceid>3</sourceid>
      </alertitem>`;

function report(alerts: string, siteName = 'https://shop.example.com'): string {
  return `<?xml version="1.0"?>
<OWASPZAPReport programName="ZAP" version="2.14.0" generated="Mon, 1 Jan 2024 10:00:00">
  <site name="${siteName}" host="shop.example.com" port="443" ssl="true">
    <alerts>${alerts}
    </alerts>
  </site>
</OWASPZAPReport>`;
}

describe('zapXmlParser on the real corpus', () => {
  itReadsItsCorpus(
    zapXmlParser,
    ['zap'],
    {
      'zap/empty_2.9.0.xml': { yielded: 0, distinct: 0, manifest: '0' },
      'zap/some_2.9.0.xml': { yielded: 7, distinct: 7, manifest: '7' },
      // Two alertitems of plugin 10011 with one name on one site: one finding after collapsing.
      'zap/5_zap_sample_one.xml': { yielded: 2, distinct: 1, manifest: '2' },
      'zap/zap-xml-plus-format.xml': { yielded: 1, distinct: 1, manifest: '1' },
    },
    { files: (path) => path.endsWith('.xml') },
  );

  it('keeps the informational alert of some_2.9.0.xml', async () => {
    const findings = await parseCorpusFile(zapXmlParser, 'zap/some_2.9.0.xml');
    expect(findings.filter((f) => f.severity.normalized === 'info')).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      title: 'Cookie Without Secure Flag',
      severity: { reported: 'Low (Medium)', normalized: 'low' },
      cwes: ['CWE-614'],
      location: { url: 'https://mainsite.com', method: 'GET', parameter: 'opvc' },
      references: ['http://www.owasp.org/index.php/Testing_for_cookies_attributes_(OWASP-SM-002)'],
      tool: { name: 'ZAP', version: '2.9.0' },
    });
    expect(findings[0]!.description).toMatch(/^A cookie has been set without the secure flag/);
  });

  it('yields both alertitems of 5_zap_sample_one.xml, which share one basis', async () => {
    const findings = await parseCorpusFile(zapXmlParser, 'zap/5_zap_sample_one.xml');
    // Two alertitems of plugin 10011 on the same site: two findings here, as the manifest
    // counts; the pipeline then collapses them into one, since they are one alert on one site.
    expect(findings.map((f) => f.title)).toEqual([
      'Cookie Without Secure Flag',
      'Cookie Without Secure Flag',
    ]);
    expect(findings[0]!.fingerprintBasis).toEqual(findings[1]!.fingerprintBasis);
  });

  it('maps the XML plus alert without copying captured requests or responses', async () => {
    const [finding] = await parseCorpusFile(zapXmlParser, 'zap/zap-xml-plus-format.xml');
    expect(finding).toMatchObject({
      title: 'Insecure HTTP Method - PUT',
      rule: { id: '90028' },
      severity: { reported: 'Medium (Medium)', normalized: 'medium' },
      location: { url: 'http://localhost:8080/bodgeit/js/qndto7n63d', method: 'PUT' },
      fingerprintBasis: {
        kind: 'resource',
        tool: 'ZAP',
        ruleId: '90028',
        resource: 'http://localhost:8080',
      },
      tool: { name: 'ZAP', version: '2.11.1' },
    });
    const text = JSON.stringify(finding);
    expect(text).not.toContain('JSESSIONID');
    expect(text).not.toContain('Apache-Coyote');
  });
});

describe('zapXmlParser mapping', () => {
  it('maps an alert the way the JSON parser maps the same alert', async () => {
    const [fromXml] = await parseText(zapXmlParser, report(ALERT));
    const json = JSON.stringify({
      '@version': '2.14.0',
      site: [
        {
          '@name': 'https://shop.example.com',
          alerts: [
            {
              pluginid: '10202',
              alertRef: '10202',
              alert: 'Absence of Anti-CSRF Tokens',
              name: 'Absence of Anti-CSRF Tokens',
              riskcode: '2',
              confidence: '1',
              riskdesc: 'Medium (Low)',
              desc: '<p>No Anti-CSRF tokens were found.</p>',
              instances: [
                {
                  uri: 'https://shop.example.com/cart',
                  method: 'POST',
                  param: '',
                  evidence: '<form action="/cart">',
                },
              ],
              count: '1',
              solution: '<p>Use a vetted library.</p>',
              reference: '<p>https://cwe.mitre.org/data/definitions/352.html</p>',
              cweid: '352',
              wascid: '9',
            },
          ],
        },
      ],
    });
    const [fromJson] = await parseText(zapJsonParser, json);
    expect(fromXml).toEqual(fromJson);
    expect(fromXml).toMatchObject({
      severity: { reported: 'Medium (Low)', normalized: 'medium' },
      cwes: ['CWE-352'],
      location: { url: 'https://shop.example.com/cart', method: 'POST' },
      tags: ['confidence:low', 'wasc:9'],
    });
  });

  it('keeps the basis when the alert is found on other pages', async () => {
    const [before] = await parseText(zapXmlParser, report(ALERT));
    const [after] = await parseText(zapXmlParser, report(ALERT.replace(/\/cart/g, '/checkout')));
    expect(after!.location?.url).toBe('https://shop.example.com/checkout');
    expect(after!.fingerprintBasis).toEqual(before!.fingerprintBasis);
  });

  it('yields nothing for a site without alerts', async () => {
    expect(await parseText(zapXmlParser, report(''))).toEqual([]);
  });
});

describe('zapXmlParser on malformed input', () => {
  it('reports the line of truncated XML', async () => {
    const text = report(ALERT);
    const cut = text.slice(0, text.indexOf('<solution>'));
    const error = await parseFailure(zapXmlParser, cut);
    expect(error.format).toBe('zap-xml');
    expect(error.message).toMatch(/malformed XML/);
    expect(error.location.line).toBe(cut.split('\n').length);
  });

  it('reports the line of a riskcode outside 0..3', async () => {
    const text = report(ALERT.replace('<riskcode>2</riskcode>', '<riskcode>High</riskcode>'));
    const error = await parseFailure(zapXmlParser, text);
    expect(error.message).toBe('<riskcode> must be 0, 1, 2 or 3, not "High"');
    expect(error.location.line).toBe(
      text.split('\n').findIndex((line) => line.includes('<riskcode>High')) + 1,
    );
  });

  it('never expands an XXE payload', async () => {
    const xxe = report(ALERT.replace('No Anti-CSRF tokens were found.', '&xxe;')).replace(
      '<OWASPZAPReport',
      '<!DOCTYPE OWASPZAPReport [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<OWASPZAPReport',
    );
    const error = await parseFailure(zapXmlParser, xxe);
    expect(error.message).toMatch(/DOCTYPE declarations are not accepted/);
    expect(error.location.line).toBe(2);
  });

  it('never expands an entity-expansion (billion laughs) payload', async () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<OWASPZAPReport version="2.9.0"><site name="https://x"><alerts><alertitem><pluginid>1</pluginid><riskcode>1</riskcode><name>&lol2;</name></alertitem></alerts></site></OWASPZAPReport>`;
    const error = await parseFailure(zapXmlParser, lol);
    expect(error.message).toMatch(/DOCTYPE/);
  });
});

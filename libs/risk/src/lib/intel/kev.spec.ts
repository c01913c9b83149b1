import { readBundledIntel } from '../../../test-support/read-bundled-intel';
import { IntelParseError } from './errors';
import { parseKevCatalog } from './kev';

/** A catalog in the official layout: 4-space indentation and `\/`-escaped slashes, as CISA writes it. */
function officialLayout(document: unknown): string {
  return JSON.stringify(document, null, 4).replaceAll('/', '\\/');
}

// The first entry of cisagov/kev-data known_exploited_vulnerabilities.json, catalog 2025.02.25,
// copied field for field.
const ZIMBRA_ENTRY = {
  cveID: 'CVE-2023-34192',
  vendorProject: 'Synacor',
  product: 'Zimbra Collaboration Suite (ZCS)',
  vulnerabilityName:
    'Synacor Zimbra Collaboration Suite (ZCS) Cross-Site Scripting (XSS) Vulnerability',
  dateAdded: '2025-02-25',
  shortDescription:
    'Synacor Zimbra Collaboration Suite (ZCS) contains a cross-site scripting (XSS) vulnerability that allows a remote authenticated attacker to execute arbitrary code via a crafted script to the /h/autoSaveDraft function.',
  requiredAction:
    'Apply mitigations per vendor instructions, follow applicable BOD 22-01 guidance for cloud services, or discontinue use of the product if mitigations are unavailable.',
  dueDate: '2025-03-18',
  knownRansomwareCampaignUse: 'Unknown',
  notes:
    'https://wiki.zimbra.com/wiki/Zimbra_Security_Advisories ; https://nvd.nist.gov/vuln/detail/CVE-2023-34192',
  cwes: ['CWE-79'],
};

const catalog = (vulnerabilities: unknown[], extra: Record<string, unknown> = {}): string =>
  officialLayout({
    title: 'CISA Catalog of Known Exploited Vulnerabilities',
    catalogVersion: '2025.02.25',
    dateReleased: '2025-02-25T20:33:53.3676Z',
    count: vulnerabilities.length,
    vulnerabilities,
    ...extra,
  });

function refusal(text: string): IntelParseError {
  try {
    parseKevCatalog(text);
  } catch (error) {
    if (error instanceof IntelParseError) return error;
    throw error;
  }
  throw new Error('the catalog was accepted');
}

describe('parseKevCatalog', () => {
  it('reads the catalog in the layout CISA publishes', () => {
    const kev = parseKevCatalog(catalog([ZIMBRA_ENTRY]));
    expect(kev).toMatchObject({
      catalogVersion: '2025.02.25',
      dateReleased: '2025-02-25T20:33:53.3676Z',
      asOf: '2025-02-25',
      size: 1,
    });
    expect(kev.get('CVE-2023-34192')).toEqual({
      cveId: 'CVE-2023-34192',
      vendorProject: 'Synacor',
      product: 'Zimbra Collaboration Suite (ZCS)',
      vulnerabilityName: ZIMBRA_ENTRY.vulnerabilityName,
      dateAdded: '2025-02-25',
      shortDescription: ZIMBRA_ENTRY.shortDescription,
      requiredAction: ZIMBRA_ENTRY.requiredAction,
      dueDate: '2025-03-18',
      knownRansomwareCampaignUse: 'Unknown',
      notes: ZIMBRA_ENTRY.notes,
      cwes: ['CWE-79'],
    });
  });

  it('reads the bundled snapshot: Log4Shell is in it, with known ransomware use', () => {
    const kev = parseKevCatalog(readBundledIntel().kevJson);
    expect(kev).toMatchObject({ catalogVersion: '2025.02.05', asOf: '2025-02-05', size: 15 });
    expect(kev.has('CVE-2021-44228')).toBe(true);
    expect(kev.get('CVE-2021-44228')).toMatchObject({
      dateAdded: '2021-12-10',
      dueDate: '2021-12-24',
      knownRansomwareCampaignUse: 'Known',
      cwes: ['CWE-20', 'CWE-400', 'CWE-502'],
    });
    expect(kev.get('CVE-2020-11023')?.dateAdded).toBe('2025-01-23');
    expect(kev.has('CVE-2019-11358')).toBe(false);
  });

  it('looks CVEs up whatever their case and surrounding spaces', () => {
    const kev = parseKevCatalog(catalog([ZIMBRA_ENTRY]));
    expect(kev.has(' cve-2023-34192 ')).toBe(true);
    expect(kev.get('cve-2023-34192')?.cveId).toBe('CVE-2023-34192');
  });

  it('accepts a Buffer and the optional fields left out, as in the first catalogs', () => {
    const { knownRansomwareCampaignUse: _r, notes: _n, cwes: _c, ...minimal } = ZIMBRA_ENTRY;
    const kev = parseKevCatalog(Buffer.from(catalog([minimal]), 'utf8'));
    expect(kev.get('CVE-2023-34192')).toMatchObject({
      knownRansomwareCampaignUse: 'Unknown',
      notes: '',
      cwes: [],
    });
  });

  it('names the line of a JSON syntax error', () => {
    const error = refusal('{\n  "catalogVersion": "x",\n  "count": 1,,\n}');
    expect(error.source).toBe('kev');
    expect(error.location.line).toBe(3);
    expect(error.message).toContain('line 3');
  });

  it.each([
    ['a count that disagrees with the entries', catalog([ZIMBRA_ENTRY], { count: 2 }), '/count'],
    ['no catalogVersion', catalog([ZIMBRA_ENTRY], { catalogVersion: '' }), '/catalogVersion'],
    [
      'a dateReleased that is no date-time',
      catalog([ZIMBRA_ENTRY], { dateReleased: 'Feb 25' }),
      '/dateReleased',
    ],
    [
      'vulnerabilities that are not a list',
      officialLayout({
        catalogVersion: 'v',
        dateReleased: '2025-02-25T00:00:00Z',
        vulnerabilities: {},
      }),
      '/vulnerabilities',
    ],
  ])('refuses %s, naming the field', (_case, text, field) => {
    expect(refusal(text).location.field).toBe(field);
  });

  it.each([
    ['cveID', { cveID: 'CVE-23-1' }, 'is not a CVE identifier'],
    ['dateAdded', { dateAdded: '2025-02-30' }, 'is not a YYYY-MM-DD date'],
    ['dueDate', { dueDate: undefined }, 'must be a non-empty string'],
    ['vendorProject', { vendorProject: 7 }, 'must be a non-empty string'],
    [
      'knownRansomwareCampaignUse',
      { knownRansomwareCampaignUse: 'Yes' },
      'must be "Known" or "Unknown"',
    ],
    ['cwes', { cwes: 'CWE-79' }, 'must be an array of strings'],
  ])('refuses a bad %s in the second entry, naming its field and line', (field, change, reason) => {
    const second = { ...ZIMBRA_ENTRY, cveID: 'CVE-2024-49035', ...change };
    const error = refusal(catalog([ZIMBRA_ENTRY, second]));
    expect(error.location.field).toBe(`/vulnerabilities/1/${field}`);
    expect(error.reason).toContain(reason);
    // Two-entry catalog in the official layout: the second entry's cveID is on line 23.
    expect(error.location.line).toBe(23);
  });

  it('refuses a CVE listed twice', () => {
    const error = refusal(catalog([ZIMBRA_ENTRY, ZIMBRA_ENTRY]));
    expect(error.location.field).toBe('/vulnerabilities/1/cveID');
    expect(error.reason).toContain('listed twice');
  });
});

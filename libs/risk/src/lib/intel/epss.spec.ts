import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readBundledIntel } from '../../../test-support/read-bundled-intel';
import { parseEpssCsv } from './epss';
import { IntelParseError } from './errors';

const HEADER = '#model_version:v2025.03.14,score_date:2025-08-15T00:00:00Z\ncve,epss,percentile\n';

function refusal(text: string): IntelParseError {
  try {
    parseEpssCsv(text);
  } catch (error) {
    if (error instanceof IntelParseError) return error;
    throw error;
  }
  throw new Error('the file was accepted');
}

function corpusCves(): Set<string> {
  const cves = new Set<string>();
  const walk = (directory: string): void => {
    for (const name of readdirSync(directory)) {
      const file = path.join(directory, name);
      if (statSync(file).isDirectory()) walk(file);
      else
        for (const match of readFileSync(file, 'utf8').matchAll(/CVE-\d{4}-\d{4,7}/g))
          cves.add(match[0]);
    }
  };
  walk(path.resolve(__dirname, '../../../../../testdata/corpus'));
  return cves;
}

describe('parseEpssCsv', () => {
  it('reads the bundled snapshot of 2025-08-15 with the real scores', () => {
    const epss = parseEpssCsv(readBundledIntel().epssCsv);
    expect(epss).toMatchObject({ modelVersion: 'v2025.03.14', asOf: '2025-08-15', size: 173 });
    // Values as FIRST published them for 2025-08-15 (see libs/risk/data/README.md).
    expect(epss.get('CVE-2021-44228')).toEqual({ probability: 0.94358, percentile: 0.99955 });
    expect(epss.get('cve-2019-11358')).toEqual({ probability: 0.01294, percentile: 0.78851 });
    expect(epss.get('CVE-2099-0001')).toBeUndefined();
  });

  it('covers every CVE of the report corpus except the five README.md lists', () => {
    const epss = parseEpssCsv(readBundledIntel().epssCsv);
    const missing = [...corpusCves()].filter((cve) => epss.get(cve) === undefined).sort();
    expect(missing).toEqual([
      'CVE-0000-0001', // placeholder id in a test report, not a real CVE
      'CVE-2017-16012',
      'CVE-2019-5428',
      'CVE-2019-9997',
      'CVE-2021-23334',
      'CVE-2023-0044',
      'CVE-9999-0000', // placeholder id in a test report, not a real CVE
    ]);
  });

  it('reads the gzipped file as FIRST publishes it, and Windows line ends', () => {
    const text = `${HEADER}CVE-2021-44228,0.94358,0.99955\nCVE-2020-14040,8e-05,0.00404\n`;
    const epss = parseEpssCsv(gzipSync(Buffer.from(text.replaceAll('\n', '\r\n'))));
    expect(epss.size).toBe(2);
    expect(epss.get('CVE-2020-14040')).toEqual({ probability: 0.00008, percentile: 0.00404 });
  });

  it.each([
    ['2025-08-15T00:00:00+0000', '2025-08-15'],
    ['2025-09-06T12:55:00Z', '2025-09-06'],
    ['2025-08-15', '2025-08-15'],
  ])('dates the scores by score_date %s', (scoreDate, asOf) => {
    const epss = parseEpssCsv(
      `#model_version:v2025.03.14,score_date:${scoreDate}\ncve,epss,percentile\n`,
    );
    expect(epss).toMatchObject({ scoreDate, asOf, size: 0 });
  });

  it.each([
    ['no dating line', 'cve,epss,percentile\nCVE-2021-44228,0.9,0.9\n', 1, undefined],
    ['no score_date', '#model_version:v2025.03.14\ncve,epss,percentile\n', 1, 'score_date'],
    [
      'an impossible score_date',
      '#model_version:v1,score_date:2025-02-30\ncve,epss,percentile\n',
      1,
      'score_date',
    ],
    ['no model_version', '#score_date:2025-08-15\ncve,epss,percentile\n', 1, 'model_version'],
    ['another column header', '#model_version:v1,score_date:2025-08-15\ncve,score\n', 2, undefined],
    ['a bad CVE id', `${HEADER}CVE-2021-44228,0.9,0.9\nlog4shell,0.9,0.9\n`, 4, 'cve'],
    ['a probability above 1', `${HEADER}CVE-2021-44228,1.5,0.9\n`, 3, 'epss'],
    ['a percentile that is no number', `${HEADER}CVE-2021-44228,0.9,high\n`, 3, 'percentile'],
    ['a negative probability', `${HEADER}CVE-2021-44228,-0.1,0.9\n`, 3, 'epss'],
    ['a missing column', `${HEADER}CVE-2021-44228,0.9\n`, 3, undefined],
    [
      'a blank line inside',
      `${HEADER}CVE-2021-44228,0.9,0.9\n\nCVE-2021-45046,0.9,0.9\n`,
      4,
      undefined,
    ],
  ])('refuses %s, naming line %s and field %s', (_case, text, line, field) => {
    const error = refusal(text);
    expect(error.source).toBe('epss');
    expect(error.location).toEqual(field === undefined ? { line } : { line, field });
    expect(error.message).toContain(`line ${line}`);
  });

  it('refuses a CVE scored twice and says where it was first', () => {
    const error = refusal(`${HEADER}CVE-2021-44228,0.9,0.9\nCVE-2021-44228,0.8,0.9\n`);
    expect(error.location).toEqual({ line: 4, field: 'cve' });
    expect(error.reason).toContain('line 3');
  });
});

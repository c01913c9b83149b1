import { isHttpUrl } from './http-url';
import { HttpUrl } from './primitives';

/** What the Finding v1 contract accepts: its own rule, asked directly. */
function contractAccepts(text: string): boolean {
  return HttpUrl.safeParse(text).success;
}

/** A deterministic mix of well-formed and broken URLs around the shapes reports contain. */
function urlLikeStrings(count: number): string[] {
  const pieces = [
    'a',
    'Z',
    '0',
    '9',
    '-',
    '.',
    'xn--',
    'xn--abc',
    '..',
    ':',
    ':80',
    ':99999',
    '/',
    '?',
    '#',
    '@',
    '%',
    '%zz',
    '[',
    ']',
    '\\',
    ' ',
    'é',
    '😀',
    '0x1f',
    '1.2.3.4',
    '999',
    '_',
    '|',
  ];
  let seed = 42;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let text = next(2) === 0 ? 'https://' : 'HTTP://';
    const length = 1 + next(8);
    for (let j = 0; j < length; j++) text += pieces[next(pieces.length)];
    if (next(3) === 0) text += `.${['com', 'io', 'c0m', '1', 'x-y'][next(5)]}`;
    if (next(2) === 0) text += ['/path?q=1#f', '/a b', '/%41', ':8080/x', '/\u0001'][next(5)];
    out.push(text);
  }
  return out;
}

describe('isHttpUrl', () => {
  it('agrees with the URL parser the contract uses, on thousands of odd strings', () => {
    for (const text of urlLikeStrings(20_000)) {
      expect({ text, accepted: isHttpUrl(text) }).toEqual({
        text,
        accepted: contractAccepts(text),
      });
    }
  });

  it('accepts links with Latin-1 and other non-ASCII text after thousands of checks', () => {
    for (let i = 0; i < 20_000; i++) isHttpUrl(`https://example.org/${i}?\u00e9=${i}`);
    expect(isHttpUrl('https://de.wikipedia.org/wiki/Natt\u014d')).toBe(true);
    expect(isHttpUrl('https://fr.example/caf\u00e9')).toBe(true);
    expect(isHttpUrl('https://\u00e9.example/')).toBe(true);
  });

  it.each([
    ['https://nvd.nist.gov/vuln/detail/CVE-2021-44228', true],
    ['http://example.com:8080/a?b=c#d', true],
    ['https://localhost/x', true],
    ['https://1.2.3.999/', false],
    ['https://xn--a.com/', false],
    ['https://exa mple.com/', false],
    ['ftp://example.com/', false],
    ['https:example.com', false],
    ['GHSA-jfh8-c2jp-5v3q', false],
  ])('%s → %s', (text, accepted) => {
    expect(isHttpUrl(text)).toBe(accepted);
    expect(contractAccepts(text)).toBe(accepted);
  });
});

import { firstLine, httpUrls, lookup, severityFromWord } from './normalize';

describe('httpUrls', () => {
  it('keeps trimmed http(s) links once, in order, and drops the rest', () => {
    expect(
      httpUrls([
        ' https://a.example/x ',
        'CVE-2020-1',
        null,
        'https://a.example/x',
        'http://b.example',
      ]),
    ).toEqual(['https://a.example/x', 'http://b.example']);
  });

  it('drops tabs and line breaks inside a link, as the contract does', () => {
    expect(httpUrls(['https://a.example/long\n  -path\t?q=1\r'])).toEqual([
      'https://a.example/long  -path?q=1',
    ]);
  });

  it('keeps at most 50 and nothing longer than 2048 characters', () => {
    const many = Array.from({ length: 60 }, (_, i) => `https://example.com/${i}`);
    expect(httpUrls(many)).toHaveLength(50);
    expect(httpUrls([`https://example.com/${'a'.repeat(2048)}`])).toEqual([]);
  });
});

describe('small helpers', () => {
  it('firstLine takes the first non-empty line, cut with an ellipsis', () => {
    expect(firstLine('\n  Title here  \nmore', 100)).toBe('Title here');
    expect(firstLine('abcdef', 4)).toBe('abc…');
    expect(firstLine('   ', 10)).toBeUndefined();
  });

  it('lookup and severityFromWord never answer from Object.prototype', () => {
    expect(lookup({ a: 1 }, 'constructor')).toBeUndefined();
    expect(lookup({ a: 1 }, 'a')).toBe(1);
    expect(severityFromWord('__proto__')).toBe('unknown');
    expect(severityFromWord(' Moderate ')).toBe('medium');
  });
});

import { z } from 'zod';
import { thrownReportError } from '../../testing/parser-spec';
import { jsonPointer, pointerTo } from './json-pointer';
import { readWithSchema } from './read-with-schema';

describe('readWithSchema', () => {
  const schema = z.object({ items: z.array(z.object({ 'a/b': z.number() })) });

  it('returns the data when it fits', () => {
    expect(readWithSchema(schema, { items: [{ 'a/b': 1 }] }, 'zap-json', '')).toEqual({
      items: [{ 'a/b': 1 }],
    });
  });

  it('points at the first offending field, escaping as RFC 6901 says', () => {
    const error = thrownReportError(() =>
      readWithSchema(schema, { items: [{ 'a/b': 1 }, { 'a/b': 'x' }] }, 'zap-json', '/site/0'),
    );
    expect(error.format).toBe('zap-json');
    expect(error.location.pointer).toBe('/site/0/items/1/a~1b');
  });
});

describe('JSON pointers', () => {
  it('escape ~ and / in keys and write indices as numbers', () => {
    expect(jsonPointer(['a~b', 0, 'c/d'])).toBe('/a~0b/0/c~1d');
    expect(jsonPointer([])).toBe('');
    expect(pointerTo('/runs/0', 'x/y')).toBe('/runs/0/x~1y');
    expect(pointerTo('', 3)).toBe('/3');
  });
});

import { RequestJournal } from './request-journal';

const SECRET = 'tok/en+with=chars';

function record(
  journal: RequestJournal,
  overrides: Partial<Parameters<RequestJournal['record']>[0]> = {},
) {
  return journal.record({
    at: new Date('2026-01-01T00:00:00Z'),
    method: 'POST',
    rawUrl: '/rest/api/3/issue',
    path: '/rest/api/3/issue',
    query: new URLSearchParams(),
    headers: {
      authorization: `Basic ${Buffer.from(`me:${SECRET}`).toString('base64')}`,
      'x-debug': SECRET,
    },
    body: { fields: { summary: `contains ${SECRET}` }, list: [SECRET] },
    authScheme: 'basic',
    authUser: 'me@example.test',
    status: 201,
    outcome: 'handled',
    ...overrides,
  });
}

describe('RequestJournal', () => {
  it('keeps no secret: drops Authorization, redacts known secrets in headers and bodies', () => {
    const journal = new RequestJournal(() => [SECRET]);
    const entry = record(journal);
    expect(entry.headers['authorization']).toBeUndefined();
    expect(entry.headers['x-debug']).toBe('[REDACTED]');
    expect(entry.body).toEqual({
      fields: { summary: 'contains [REDACTED]' },
      list: ['[REDACTED]'],
    });
    expect(JSON.stringify(journal.list())).not.toContain(SECRET);
  });

  it('flags a secret in the URL in any encoding', () => {
    const journal = new RequestJournal(() => [SECRET]);
    for (const rawUrl of [
      `/x?t=${SECRET}`,
      `/x?t=${encodeURIComponent(SECRET)}`,
      `/x?${new URLSearchParams({ t: SECRET }).toString()}`,
    ]) {
      const url = new URL(rawUrl, 'http://h');
      const entry = record(journal, { rawUrl, query: url.searchParams });
      expect(entry.secretInUrl).toBe(true);
      expect(entry.query['t']).toBe('[REDACTED]');
    }
    expect(record(journal, { rawUrl: '/x?t=harmless' }).secretInUrl).toBe(false);
  });

  it('keeps the newest entries up to its limit', () => {
    const journal = new RequestJournal(() => [], 2);
    for (let index = 0; index < 5; index += 1) record(journal);
    expect(journal.list().map((entry) => entry.seq)).toEqual([4, 5]);
  });

  it('filters by method, path prefix and sequence', () => {
    const journal = new RequestJournal(() => []);
    record(journal);
    record(journal, { method: 'GET', path: '/rest/api/3/issue/SEC-1' });
    record(journal, { method: 'GET', path: '/rest/api/3/myself' });
    expect(journal.list({ method: 'get' }).map((entry) => entry.seq)).toEqual([2, 3]);
    expect(journal.list({ path: '/rest/api/3/issue*' }).map((entry) => entry.seq)).toEqual([1, 2]);
    expect(journal.list({ since: 2 }).map((entry) => entry.seq)).toEqual([3]);
    journal.clear();
    expect(journal.list()).toEqual([]);
  });
});

import { Secret } from '@hum/config';
import { startFakeServiceNow, type FakeServiceNow } from '@hum/testing';
import { documentOf, paragraph, text, type TicketDocument } from '../content/document';
import { TicketRequestRejectedError } from '../http/errors';
import { idempotencyKey } from '../idempotency';
import type { TicketDraft } from '../ticket-provider';
import { serviceNowFor } from '../../testing/fixtures';
import type { ServiceNowProvider } from './servicenow.provider';

const note = (value: string): TicketDocument => documentOf(paragraph(text(value)));

function draft(groupKey: string, overrides: Partial<TicketDraft> = {}): TicketDraft {
  return {
    idempotencyKey: idempotencyKey('servicenow', groupKey),
    target: { assignmentGroup: 'Security Operations', labels: [], components: [] },
    summary: `CVE-2024-0003 in log4j on billing (${groupKey}) `.repeat(8),
    body: documentOf(paragraph(text('log4j 2.14.1 is affected.'))),
    tier: 'critical',
    dueDate: '2026-01-17',
    facts: { groupKey, tier: 'critical', findingCount: 1 },
    ...overrides,
  };
}

describe('ServiceNow provider (against the fake ServiceNow)', () => {
  let sn: FakeServiceNow;
  let provider: ServiceNowProvider;

  beforeEach(async () => {
    sn = await startFakeServiceNow();
    provider = serviceNowFor(sn);
  });

  afterEach(async () => {
    expect(sn.internalErrors).toEqual([]);
    await sn.close();
  });

  it('creates an incident with correlation_id, urgency/impact from the tier, group and due date', async () => {
    const created = await provider.create(draft('s1'));
    expect(created.key).toMatch(/^INC\d+$/);
    const record = sn.record(created.id)!;
    expect(record.fields).toMatchObject({
      correlation_id: idempotencyKey('servicenow', 's1'),
      urgency: '1',
      impact: '1',
      priority: '1',
      due_date: '2026-01-17 00:00:00',
      assignment_group: sn.assignmentGroups[0]!.sysId,
    });
    // The fake refuses over-long values (the platform would cut them silently): we cut first.
    expect(record.fields['short_description']!.length).toBeLessThanOrEqual(160);
  });

  it('finds by correlation_id, resolves with close code and notes, reopens, and cannot reopen a closed one', async () => {
    const created = await provider.create(draft('s2'));
    await provider.create(draft('s3'));
    expect((await provider.find(idempotencyKey('servicenow', 's2'))).map((t) => t.id)).toEqual([
      created.id,
    ]);
    await provider.resolve(created, note('All fixed.'), 'fixed');
    expect(sn.record(created.id)!.fields).toMatchObject({
      state: '6',
      close_code: 'Solution provided',
      close_notes: 'All fixed.',
    });
    expect(await provider.reopen(created, note('Back again.'))).toBe('reopened');
    expect(sn.record(created.id)!.fields['state']).toBe('2');
    await provider.resolve(created, note('fixed again'), 'fixed');
    sn.humanUpdate(created.id, { state: '7' });
    expect(await provider.reopen(created, note('x'))).toBe('closed-for-good');
  });

  it('finds the incidents of many correlation ids in one query, each under its own key', async () => {
    const first = await provider.create(draft('sm1'));
    const extra = await provider.create(draft('sm1'));
    const second = await provider.create(draft('sm2'));
    await provider.create(draft('sm-other'));
    const keys = ['sm1', 'sm2', 'sm3'].map((g) => idempotencyKey('servicenow', g));
    const found = await provider.findEach(keys);
    // Created within the same second: their order is the tracker's to break.
    expect(
      found
        .get(keys[0]!)!
        .map((t) => t.id)
        .sort(),
    ).toEqual([first.id, extra.id].sort());
    expect(found.get(keys[1]!)!.map((t) => t.id)).toEqual([second.id]);
    expect(found.get(keys[2]!)).toEqual([]);
    await expect(provider.findEach(['a,b'])).rejects.toThrow(/not a hum idempotency key/);
  });

  it('keeps description and work notes within the column limits', async () => {
    const items = Array.from({ length: 500 }, (_, i) => [text(`finding ${i} `.padEnd(50, '.'))]);
    const created = await provider.create(
      draft('s4', { body: { blocks: [{ kind: 'list', items, truncatable: true }] } }),
    );
    const description = sn.record(created.id)!.fields['description']!;
    expect(description.length).toBeLessThanOrEqual(4_000);
    expect(description).toMatch(/and \d+ more not shown here/);
    await provider.comment(created, note(`${'w'.repeat(6_000)} marker-7`));
    const notes = sn.record(created.id)!.journal;
    expect(notes[0]!.value.length).toBeLessThanOrEqual(4_000);
    await provider.comment(created, note('hum ref marker-9'));
    expect(await provider.hasComment(created, 'marker-9')).toBe(true);
    expect(await provider.hasComment(created, 'marker-10')).toBe(false);
  });

  it('authenticates with OAuth and fetches a new token when the old one stops working', async () => {
    const oauth = serviceNowFor(sn, {
      auth: {
        kind: 'oauth',
        clientId: sn.oauthClients[0]!.clientId,
        clientSecret: new Secret(sn.oauthClients[0]!.clientSecret),
        username: sn.botUser.userName,
        password: new Secret(sn.botUser.password),
      },
    });
    const created = await oauth.create(draft('s5'));
    sn.expireTokens();
    await oauth.update(created, draft('s5', { tier: 'low' }));
    expect(sn.record(created.id)!.fields).toMatchObject({ urgency: '3', impact: '2' });
    const tokenCalls = sn.requests({ path: '/oauth_token.do' });
    expect(tokenCalls.length).toBeGreaterThanOrEqual(2);
    expect(sn.requests().every((r) => !r.secretInUrl)).toBe(true);
  });

  it('lists changes made by people, not by hum', async () => {
    const created = await provider.create(draft('s6'));
    await provider.create(draft('s7'));
    sn.humanUpdate(created.id, { state: '6', close_code: 'Known error', close_notes: 'accepted' });
    const changes = await provider.changedSince('1970-01-01 00:00:00');
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      updatedBy: sn.humanUser.userName,
      state: '6',
      ticket: { id: created.id, status: 'done', resolution: 'Known error' },
    });
  });

  it('reports a data-policy refusal with the instance message', async () => {
    const bad = serviceNowFor(sn, { closeCodes: { fixed: '', duplicate: '' } });
    const created = await bad.create(draft('s8'));
    const error = await bad.resolve(created, note('x'), 'fixed').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicketRequestRejectedError);
    expect((error as Error).message).toMatch(/mandatory: Resolution code/);
  });
});

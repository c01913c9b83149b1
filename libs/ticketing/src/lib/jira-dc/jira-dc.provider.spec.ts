import { startFakeJiraDataCenter, type FakeJiraDataCenter } from '@hum/testing';
import { documentOf, heading, paragraph, text, type TicketDocument } from '../content/document';
import { TicketRequestRejectedError } from '../http/errors';
import { idempotencyKey } from '../idempotency';
import type { TicketDraft } from '../ticket-provider';
import { jiraDataCenterFor } from '../../testing/fixtures';
import type { JiraProvider } from '../jira/jira-provider';

const note = (value: string): TicketDocument => documentOf(paragraph(text(value)));

function draft(groupKey: string, overrides: Partial<TicketDraft> = {}): TicketDraft {
  return {
    idempotencyKey: idempotencyKey('jira-dc', groupKey),
    target: { project: 'SEC', issueType: 'Task', labels: [], components: [], assignee: 'riley' },
    summary: `CVE-2024-0002 in [libxml] (${groupKey})`,
    body: documentOf(heading('Findings'), paragraph(text('libxml2 *2.9* {affected}'))),
    tier: 'high',
    dueDate: '2026-02-09',
    facts: { groupKey, tier: 'high', findingCount: 1 },
    ...overrides,
  };
}

describe('Jira Data Center provider (against the fake Jira DC)', () => {
  let jira: FakeJiraDataCenter;
  let provider: JiraProvider;

  beforeEach(async () => {
    jira = await startFakeJiraDataCenter();
    provider = jiraDataCenterFor(jira);
  });

  afterEach(async () => {
    expect(jira.internalErrors).toEqual([]);
    await jira.close();
  });

  it('creates with wiki markup and a personal access token, assigns by user name', async () => {
    const created = await provider.create(draft('d1'));
    const issue = jira.issue(created.key)!;
    expect(typeof issue.description).toBe('string');
    expect(issue.description).toContain('h3. Findings');
    expect(issue.description).toContain('libxml2 \\*2.9\\* \\{affected\\}');
    expect(issue).toMatchObject({ assignee: 'riley', priority: 'High', duedate: '2026-02-09' });
    expect(jira.requests()[0]).toMatchObject({ authScheme: 'bearer', authUser: 'hum-bot' });
  });

  it('finds by label with offset paging, resolves with the configured resolution, reopens', async () => {
    const created = await provider.create(draft('d2'));
    for (let i = 0; i < 3; i += 1) await provider.create(draft(`other-${i}`));
    expect((await provider.find(idempotencyKey('jira-dc', 'd2'))).map((t) => t.key)).toEqual([
      created.key,
    ]);
    let listed = 0;
    for await (const page of provider.listManaged()) listed += page.length;
    expect(listed).toBe(4);
    await provider.resolve(created, note('done'), 'fixed');
    expect(jira.issue(created.key)).toMatchObject({ statusCategory: 'done', resolution: 'Fixed' });
    expect(await provider.reopen(created, note('back'))).toBe('reopened');
    await provider.comment(created, note('marker-42'));
    expect(await provider.hasComment(created, 'marker-42')).toBe(true);
    expect(await provider.account()).toBe('hum-bot');
  });

  it('keeps a wiki description within 32,767 characters', async () => {
    const items = Array.from({ length: 2_000 }, (_, i) => [text(`finding ${i} `.padEnd(60, '-'))]);
    const created = await provider.create(
      draft('d3', { body: { blocks: [{ kind: 'list', items, truncatable: true }] } }),
    );
    const description = jira.issue(created.key)!.description as string;
    expect(description.length).toBeLessThanOrEqual(32_767);
    expect(description).toMatch(/and \d+ more not shown here/);
  });

  it("refuses a bad field at once with Jira's own message, and finds nothing by an unused key", async () => {
    const refused = await provider
      .create(draft('d4', { target: { ...draft('d4').target, issueType: 'NoSuchType' } }))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(TicketRequestRejectedError);
    expect(String(refused)).toMatch(/issuetype: /);
    expect(jira.issues()).toHaveLength(0);
    expect(await provider.find(idempotencyKey('jira-dc', 'never-made'))).toEqual([]);
  });
});

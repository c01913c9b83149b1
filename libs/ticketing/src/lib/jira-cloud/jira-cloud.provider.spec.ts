// The Jira Cloud provider against the fake Jira Cloud (real HTTP), and every request it
// sends checked against Atlassian's OpenAPI description of REST v3.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { adfProblem, startFakeJiraCloud, type FakeJiraCloud } from '@hum/testing';
import { documentOf, paragraph, text, type TicketDocument } from '../content/document';
import { AmbiguousWriteError, TicketRequestRejectedError } from '../http/errors';
import { idempotencyKey } from '../idempotency';
import type { TicketDraft } from '../ticket-provider';
import { jiraCloudFor } from '../../testing/fixtures';
import type { JiraProvider } from '../jira/jira-provider';

const DOCUMENT_PATH = path.resolve(
  __dirname,
  '../../../../../testdata/corpus/apis/swagger-v3.v3.json',
);

function draft(groupKey: string, overrides: Partial<TicketDraft> = {}): TicketDraft {
  return {
    idempotencyKey: idempotencyKey('jira-cloud', groupKey),
    target: { project: 'SEC', issueType: 'Bug', labels: ['payments'], components: ['api'] },
    summary: `CVE-2024-3094 in xz-utils (${groupKey})`,
    body: documentOf(paragraph(text('xz 5.6.0 is backdoored.'))),
    tier: 'critical',
    dueDate: '2026-01-08',
    facts: { groupKey, tier: 'critical', score: 97.5, assetId: 'build-agent', findingCount: 1 },
    ...overrides,
  };
}

const note = (value: string): TicketDocument => documentOf(paragraph(text(value)));

describe('Jira Cloud provider (against the fake Jira Cloud)', () => {
  let jira: FakeJiraCloud;
  let provider: JiraProvider;

  beforeEach(async () => {
    jira = await startFakeJiraCloud();
    provider = jiraCloudFor(jira);
  });

  afterEach(async () => {
    expect(jira.internalErrors).toEqual([]);
    await jira.close();
  });

  it('creates an issue with ADF, labels, priority, due date, components and custom fields', async () => {
    const created = await provider.create(draft('g1'));
    expect(created).toMatchObject({
      key: 'SEC-1',
      status: 'open',
      url: `${jira.url}/browse/SEC-1`,
    });
    const issue = jira.issue('SEC-1')!;
    expect(adfProblem(issue.description)).toBeUndefined();
    expect(issue).toMatchObject({
      issueType: 'Bug',
      priority: 'Highest',
      duedate: '2026-01-08',
      components: ['api'],
      customFields: {
        customfield_10100: 'g1',
        customfield_10101: 97.5,
        customfield_10102: 'critical',
      },
    });
    expect([...issue.labels].sort()).toEqual(
      ['hum', idempotencyKey('jira-cloud', 'g1'), 'payments'].sort(),
    );
    expect(issue.descriptionText).toContain('backdoored');
  });

  it('finds a ticket by its idempotency label, and reads through search-index lag for known ids', async () => {
    const created = await provider.create(draft('g2'));
    await provider.create(draft('other'));
    expect((await provider.find(idempotencyKey('jira-cloud', 'g2'))).map((t) => t.key)).toEqual([
      created.key,
    ]);
    jira.setSearchIndexLag(60_000);
    const third = await provider.create(draft('g3'));
    expect(await provider.find(idempotencyKey('jira-cloud', 'g3'))).toEqual([]);
    const seen = await provider.find(idempotencyKey('jira-cloud', 'g3'), [third.id]);
    expect(seen.map((t) => t.key)).toEqual([third.key]);
  });

  it('finds the tickets of many keys in one search, each under its own key', async () => {
    const first = await provider.create(draft('m1'));
    const extra = await provider.create(draft('m1'));
    const second = await provider.create(draft('m2'));
    await provider.create(draft('m-other'));
    jira.clearRequests();
    const keys = ['m1', 'm2', 'm3'].map((g) => idempotencyKey('jira-cloud', g));
    const found = await provider.findEach(keys);
    expect([...found.keys()]).toEqual(keys);
    expect(found.get(keys[0]!)!.map((t) => t.key)).toEqual([first.key, extra.key]);
    expect(found.get(keys[1]!)!.map((t) => t.key)).toEqual([second.key]);
    expect(found.get(keys[2]!)).toEqual([]);
    expect(jira.requests({ method: 'POST', path: '/rest/api/3/search/jql' })).toHaveLength(1);
    jira.setSearchIndexLag(60_000);
    const lagging = await provider.create(draft('m4'));
    const key = idempotencyKey('jira-cloud', 'm4');
    expect((await provider.findEach([key])).get(key)).toEqual([]);
    expect((await provider.findEach([key], [lagging.id])).get(key)!.map((t) => t.key)).toEqual([
      lagging.key,
    ]);
  });

  it('updates content and keeps labels a person added', async () => {
    const created = await provider.create(draft('g4'));
    await jira.humanComment(created.key, 'looking at it');
    await provider.update(
      created,
      draft('g4', { tier: 'low', summary: 'renamed', dueDate: '2026-06-30' }),
    );
    const issue = jira.issue(created.key)!;
    expect(issue).toMatchObject({ summary: 'renamed', priority: 'Low', duedate: '2026-06-30' });
    expect(issue.labels).toContain(idempotencyKey('jira-cloud', 'g4'));
  });

  it('adds and removes the risk-accepted label, leaving other labels alone', async () => {
    const accepted = { project: 'SEC', labels: ['payments', 'hum-risk-accepted'], components: [] };
    const created = await provider.create(draft('g4b', { target: accepted }));
    expect(jira.issue(created.key)!.labels).toContain('hum-risk-accepted');
    await provider.update(created, draft('g4b', { removeLabels: ['hum-risk-accepted'] }));
    const labels = jira.issue(created.key)!.labels;
    expect(labels).not.toContain('hum-risk-accepted');
    expect(labels).toEqual(expect.arrayContaining(['hum', 'payments']));
  });

  it('comments, and finds its own comment again by marker', async () => {
    const created = await provider.create(draft('g5'));
    expect(await provider.hasComment(created, 'ref-123')).toBe(false);
    await provider.comment(created, note('Seen again. hum ref ref-123'));
    expect(await provider.hasComment(created, 'ref-123')).toBe(true);
    expect(jira.issue(created.key)!.comments.map((c) => c.text)).toEqual([
      'Seen again. hum ref ref-123',
    ]);
  });

  it('resolves through the workflow with a resolution and a comment, and reopens', async () => {
    const created = await provider.create(draft('g6'));
    await provider.resolve(created, note('All findings fixed.'), 'fixed');
    expect(jira.issue(created.key)).toMatchObject({ statusCategory: 'done', resolution: 'Done' });
    await provider.resolve(created, note('again'), 'fixed'); // already done: nothing sent
    expect(jira.issue(created.key)!.comments).toHaveLength(1);
    expect(await provider.reopen(created, note('It came back.'))).toBe('reopened');
    expect(jira.issue(created.key)).toMatchObject({ status: 'Reopened', resolution: null });
    expect(await provider.reopen(created, note('x'))).toBe('already-open');
    await provider.resolve(created, note('Duplicate of SEC-1'), 'duplicate');
    expect(jira.issue(created.key)!.resolution).toBe('Duplicate');
  });

  it('answers get() of a deleted issue with undefined and lists every managed ticket', async () => {
    const a = await provider.create(draft('g7'));
    const b = await provider.create(draft('g8'));
    const c = await provider.create(draft('g7b'));
    await jira.humanTransition(a.key, 'Done', { resolution: "Won't Do" });
    const deleted = await fetch(`${jira.url}/rest/api/3/issue/${c.key}`, {
      method: 'DELETE',
      headers: {
        authorization: `Basic ${Buffer.from(`${jira.botUser.emailAddress}:${jira.botUser.apiToken!}`).toString('base64')}`,
      },
    });
    expect(deleted.status).toBe(204);
    expect(await provider.get(c)).toBeUndefined();
    expect(await provider.get(b)).toMatchObject({
      key: b.key,
      status: 'open',
      idempotencyKey: idempotencyKey('jira-cloud', 'g8'),
    });
    const listed: string[] = [];
    for await (const page of provider.listManaged()) {
      listed.push(...page.map((t) => `${t.key}:${t.status}:${t.resolution ?? ''}`));
    }
    expect(listed).toEqual([`${a.key}:done:Won't Do`, `${b.key}:open:`]);
    expect(await provider.account()).toBe(jira.botUser.accountId);
  });

  it('never fails a ticket for length: the finding list is cut with a link to the rest', async () => {
    const items = Array.from({ length: 3_000 }, (_, i) => [
      text(`finding number ${i} with a long enough title`),
    ]);
    const body: TicketDocument = {
      blocks: [paragraph(text('intro')), { kind: 'list', items, truncatable: true }],
    };
    const created = await provider.create(
      draft('g9', { body, moreLink: 'https://hum.example/groups/g9' }),
    );
    const issue = jira.issue(created.key)!;
    expect(JSON.stringify(issue.description).length).toBeLessThanOrEqual(32_767);
    expect(issue.descriptionText).toContain('finding number 0 ');
    expect(issue.descriptionText).toMatch(/and \d+ more not shown here/);
    expect(issue.descriptionText).toContain('https://hum.example/groups/g9');
    expect(issue.summary.length).toBeLessThanOrEqual(255);
  });

  it("keeps Jira's field messages in a permanent error", async () => {
    const error = await provider
      .create(
        draft('g10', {
          target: {
            project: 'SEC',
            issueType: 'Epic-that-does-not-exist',
            labels: [],
            components: [],
          },
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicketRequestRejectedError);
    expect((error as TicketRequestRejectedError).fieldErrors).toEqual({
      issuetype: 'The issue type selected is invalid.',
    });
    expect((error as Error).message).toContain('issuetype: The issue type selected is invalid.');
  });

  it('reports a create whose answer was lost as ambiguous, never resends it', async () => {
    jira.inject({
      kind: 'drop',
      phase: 'after',
      match: { method: 'POST', path: '/rest/api/3/issue' },
    });
    await expect(provider.create(draft('g11'))).rejects.toBeInstanceOf(AmbiguousWriteError);
    expect(jira.issues()).toHaveLength(1);
    expect(jira.requests({ method: 'POST', path: '/rest/api/3/issue' })).toHaveLength(1);
  });

  it('sends only requests the REST v3 OpenAPI document accepts', async () => {
    const created = await provider.create(draft('g12'));
    await provider.find(idempotencyKey('jira-cloud', 'g12'), [created.id]);
    await provider.update(created, draft('g12', { tier: 'medium' }));
    await provider.comment(created, note('comment'));
    await provider.hasComment(created, 'x');
    await provider.resolve(created, note('fixed'), 'fixed');
    await provider.reopen(created, note('back'));
    for await (const page of provider.listManaged()) expect(page.length).toBeGreaterThan(0);
    await provider.account();

    const document = JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8')) as {
      paths: Record<
        string,
        Record<string, { requestBody?: unknown; parameters?: Array<{ name: string; in: string }> }>
      >;
    };
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    for (const format of ['int32', 'int64', 'double', 'float']) ajv.addFormat(format, true);
    ajv.addSchema(document, 'jira');
    const templates = Object.keys(document.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      literals: template.split('/').filter((s) => !s.startsWith('{')).length,
    }));
    const escape = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
    const sent = jira.requests();
    expect(sent.length).toBeGreaterThanOrEqual(12);
    for (const request of sent) {
      const method = request.method.toLowerCase();
      const match = templates
        .filter(
          (t) => t.pattern.test(request.path) && document.paths[t.template]![method] !== undefined,
        )
        .sort((a, b) => b.literals - a.literals)[0];
      if (!match)
        throw new Error(`${request.method} ${request.path} is not an operation of REST v3`);
      const operation = document.paths[match.template]![method]!;
      const declared = new Set(
        (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      );
      for (const name of Object.keys(request.query)) {
        expect(`${request.method} ${match.template} ?${name}`).toBe(
          declared.has(name)
            ? `${request.method} ${match.template} ?${name}`
            : 'a declared query parameter',
        );
      }
      if (request.body === undefined) continue;
      const validator: ValidateFunction = ajv.compile({
        $ref: `jira#/paths/${escape(match.template)}/${method}/requestBody/content/application~1json/schema`,
      });
      if (!validator(request.body)) {
        throw new Error(
          `${request.method} ${request.path}: ${ajv.errorsText(validator.errors)}\n${JSON.stringify(request.body).slice(0, 500)}`,
        );
      }
    }
  });
});

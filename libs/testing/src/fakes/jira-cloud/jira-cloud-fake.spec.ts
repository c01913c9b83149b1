import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios, { AxiosError, type AxiosInstance } from 'axios';
import { ManualClock } from '@hum/common';
import { startFakeJiraCloud, type FakeJiraCloud } from './jira-cloud-fake';
import { plainTextToAdf } from './adf';

const adf = (text: string) => plainTextToAdf(text);

function client(
  jira: FakeJiraCloud,
  auth = { username: jira.botUser.emailAddress, password: jira.botUser.apiToken! },
): AxiosInstance {
  return axios.create({ baseURL: jira.url, auth, validateStatus: () => true });
}

function issueBody(overrides: Record<string, unknown> = {}) {
  return {
    fields: {
      project: { key: 'SEC' },
      issuetype: { name: 'Bug' },
      summary: 'CVE-2024-0001 in openssl on api',
      description: adf('openssl 3.0.1 is affected.'),
      labels: ['hum', 'hum-group-abc123'],
      priority: { name: 'High' },
      duedate: '2026-02-01',
      ...overrides,
    },
  };
}

describe('fake Jira Cloud', () => {
  let jira: FakeJiraCloud;
  let api: AxiosInstance;

  beforeEach(async () => {
    jira = await startFakeJiraCloud();
    api = client(jira);
  });

  afterEach(async () => {
    await jira.close();
  });

  afterEach(() => {
    expect(jira.internalErrors).toEqual([]);
  });

  describe('authentication', () => {
    it('refuses a request without credentials with Jira Cloud 401', async () => {
      const response = await axios.get(`${jira.url}/rest/api/3/myself`, {
        validateStatus: () => true,
      });
      expect(response.status).toBe(401);
      expect(response.data).toBe('Client must be authenticated to access this resource.');
      expect(response.headers['www-authenticate']).toMatch(/^OAuth realm=/);
      expect(jira.requests()[0]).toMatchObject({
        outcome: 'unauthorized',
        authUser: undefined,
        authScheme: 'none',
      });
    });

    it('refuses a wrong API token and says the login failed', async () => {
      const response = await client(jira, {
        username: jira.botUser.emailAddress,
        password: 'not-the-token',
      }).post('/rest/api/3/issue', issueBody());
      expect(response.status).toBe(401);
      expect(response.headers['x-seraph-loginreason']).toBe('AUTHENTICATED_FAILED');
      expect(jira.issues()).toHaveLength(0);
    });

    it('refuses a Bearer token where Cloud wants email and API token', async () => {
      const response = await axios.get(`${jira.url}/rest/api/3/myself`, {
        headers: { authorization: `Bearer ${jira.botUser.apiToken!}` },
        validateStatus: () => true,
      });
      expect(response.status).toBe(401);
    });

    it('answers /myself for the authenticated account', async () => {
      const response = await api.get('/rest/api/3/myself');
      expect(response.status).toBe(200);
      expect(response.data).toMatchObject({
        accountId: jira.botUser.accountId,
        emailAddress: 'hum-bot@example.test',
        accountType: 'atlassian',
        active: true,
      });
    });
  });

  describe('creating issues', () => {
    it('creates SEC-1, SEC-2 and returns id, key and self', async () => {
      const first = await api.post('/rest/api/3/issue', issueBody());
      const second = await api.post('/rest/api/3/issue', issueBody({ summary: 'second' }));
      expect(first.status).toBe(201);
      expect(first.data).toEqual({
        id: expect.any(String),
        key: 'SEC-1',
        self: `${jira.url}/rest/api/3/issue/${first.data.id}`,
      });
      expect(second.data.key).toBe('SEC-2');
      const other = await api.post(
        '/rest/api/3/issue',
        issueBody({ project: { key: 'OPS' }, components: [] }),
      );
      expect(other.data.key).toBe('OPS-1');
      expect(jira.issue('SEC-1')).toMatchObject({
        summary: 'CVE-2024-0001 in openssl on api',
        status: 'To Do',
        labels: ['hum', 'hum-group-abc123'],
        priority: 'High',
        duedate: '2026-02-01',
        reporter: jira.botUser.accountId,
        descriptionText: 'openssl 3.0.1 is affected.',
      });
    });

    it('stores assignee, components and custom fields, and returns them on GET', async () => {
      const created = await api.post(
        '/rest/api/3/issue',
        issueBody({
          assignee: { accountId: jira.humanUser.accountId },
          components: [{ name: 'api' }],
          customfield_10100: 'group-abc123',
          customfield_10101: 8.1,
          customfield_10102: { value: 'high' },
        }),
      );
      expect(created.status).toBe(201);
      const fetched = await api.get(`/rest/api/3/issue/${created.data.key as string}`);
      expect(fetched.status).toBe(200);
      expect(fetched.data.fields).toMatchObject({
        summary: 'CVE-2024-0001 in openssl on api',
        assignee: { accountId: jira.humanUser.accountId, displayName: 'Riley Human' },
        components: [{ name: 'api' }],
        customfield_10100: 'group-abc123',
        customfield_10101: 8.1,
        customfield_10102: { value: 'high' },
        status: { name: 'To Do', statusCategory: { key: 'new' } },
        issuetype: { name: 'Bug' },
        project: { key: 'SEC' },
        resolution: null,
      });
    });

    it('answers missing fields with Jira errors by field, and creates nothing', async () => {
      const response = await api.post('/rest/api/3/issue', { fields: { project: { key: 'SEC' } } });
      expect(response.status).toBe(400);
      expect(response.data).toEqual({
        errorMessages: [],
        errors: {
          issuetype: 'Specify an issue type',
          summary: 'You must specify a summary of the issue.',
        },
      });
      expect(jira.issues()).toHaveLength(0);
    });

    it.each([
      [
        'an unknown project',
        { project: { key: 'NOPE' } },
        'project',
        'Specify a valid project ID or key',
      ],
      [
        'an unknown issue type',
        { issuetype: { name: 'Epic' } },
        'issuetype',
        'The issue type selected is invalid.',
      ],
      [
        'a summary over 255 characters',
        { summary: 'x'.repeat(256) },
        'summary',
        'Summary must be less than 255 characters.',
      ],
      [
        'a summary with a newline',
        { summary: 'a\nb' },
        'summary',
        'The summary is invalid because it contains newline characters.',
      ],
      [
        'a plain-string description',
        { description: 'not ADF' },
        'description',
        'Operation value must be an Atlassian Document (see the Atlassian Document Format)',
      ],
      [
        'a malformed ADF description',
        { description: { type: 'doc', version: 1, content: [{ type: 'text', text: 'bare' }] } },
        'description',
        'Operation value must be an Atlassian Document (see the Atlassian Document Format)',
      ],
      [
        'a label with a space',
        { labels: ['two words'] },
        'labels',
        "The label 'two words' contains spaces which is invalid.",
      ],
      [
        'an unknown priority',
        { priority: { name: 'Urgent' } },
        'priority',
        'The priority selected is invalid.',
      ],
      [
        'a malformed due date',
        { duedate: '01/02/2026' },
        'duedate',
        'Error parsing date string: 01/02/2026',
      ],
      [
        'an unknown assignee',
        { assignee: { accountId: 'nobody' } },
        'assignee',
        'Specify a valid value for assignee',
      ],
      [
        'an unknown component',
        { components: [{ name: 'mainframe' }] },
        'components',
        "Component name 'mainframe' is not valid",
      ],
      [
        'an unknown custom field',
        { customfield_99999: 'x' },
        'customfield_99999',
        "Field 'customfield_99999' cannot be set. It is not on the appropriate screen, or unknown.",
      ],
      [
        'a status',
        { status: { name: 'Done' } },
        'status',
        "Field 'status' cannot be set. It is not on the appropriate screen, or unknown.",
      ],
      [
        'a wrong custom option',
        { customfield_10102: { value: 'urgent' } },
        'customfield_10102',
        "Option value 'urgent' is not valid",
      ],
    ])('refuses %s with a 400 naming the field', async (_case, fields, field, message) => {
      const response = await api.post('/rest/api/3/issue', issueBody(fields));
      expect(response.status).toBe(400);
      expect(response.data.errors[field]).toBe(message);
      expect(response.data.errorMessages).toEqual([]);
      expect(jira.issues()).toHaveLength(0);
    });

    it('enforces the 32,767-character limit on the description document', async () => {
      const fits = await api.post(
        '/rest/api/3/issue',
        issueBody({ description: adf('y'.repeat(32_600)) }),
      );
      expect(fits.status).toBe(201);
      const tooLong = await api.post(
        '/rest/api/3/issue',
        issueBody({ description: adf('y'.repeat(32_767)) }),
      );
      expect(tooLong.status).toBe(400);
      expect(tooLong.data.errors.description).toBe(
        'The entered text is too long. It exceeds the allowed limit of 32,767 characters.',
      );
    });

    it('answers malformed JSON with 400', async () => {
      const response = await api.post('/rest/api/3/issue', '{"fields":', {
        headers: { 'content-type': 'application/json' },
        transformRequest: [(data: unknown) => data],
      });
      expect(response.status).toBe(400);
      expect(response.data.errorMessages[0]).toMatch(/JSON/);
    });
  });

  describe('reading, editing and deleting', () => {
    it('edits fields and labels through update operations, recording the changelog', async () => {
      const { data } = await api.post('/rest/api/3/issue', issueBody());
      const edit = await api.put(`/rest/api/3/issue/${data.key as string}`, {
        fields: { priority: { name: 'Highest' }, duedate: '2026-01-15' },
        update: { labels: [{ add: 'recurring' }, { remove: 'hum' }] },
      });
      expect(edit.status).toBe(204);
      expect(jira.issue(data.key)).toMatchObject({
        priority: 'Highest',
        duedate: '2026-01-15',
        labels: ['hum-group-abc123', 'recurring'],
      });
      const withChangelog = await api.get(
        `/rest/api/3/issue/${data.key as string}?expand=changelog`,
      );
      const fields = withChangelog.data.changelog.histories[0].items.map(
        (item: { field: string }) => item.field,
      );
      expect(fields).toEqual(expect.arrayContaining(['priority', 'duedate', 'labels']));
    });

    it('returns only the requested fields', async () => {
      const { data } = await api.post('/rest/api/3/issue', issueBody());
      const response = await api.get(`/rest/api/3/issue/${data.key as string}`, {
        params: { fields: 'summary,labels' },
      });
      expect(Object.keys(response.data.fields).sort()).toEqual(['labels', 'summary']);
    });

    it('refuses to edit the resolution outside a transition', async () => {
      const { data } = await api.post('/rest/api/3/issue', issueBody());
      const response = await api.put(`/rest/api/3/issue/${data.key as string}`, {
        fields: { resolution: { name: 'Done' } },
      });
      expect(response.status).toBe(400);
      expect(response.data.errors.resolution).toMatch(/cannot be set/);
    });

    it('answers an unknown issue with 404 and deletes an issue for drift tests', async () => {
      const missing = await api.get('/rest/api/3/issue/SEC-404');
      expect(missing.status).toBe(404);
      expect(missing.data).toEqual({
        errorMessages: ['Issue does not exist or you do not have permission to see it.'],
        errors: {},
      });
      const { data } = await api.post('/rest/api/3/issue', issueBody());
      expect((await api.delete(`/rest/api/3/issue/${data.key as string}`)).status).toBe(204);
      expect((await api.get(`/rest/api/3/issue/${data.key as string}`)).status).toBe(404);
      // Keys are never reused after a delete.
      expect((await api.post('/rest/api/3/issue', issueBody())).data.key).toBe('SEC-2');
    });

    it('serves projects and answers an unknown one with 404', async () => {
      const project = await api.get('/rest/api/3/project/SEC');
      expect(project.status).toBe(200);
      expect(project.data).toMatchObject({
        key: 'SEC',
        components: [{ name: 'api' }, { name: 'web' }, { name: 'platform' }],
      });
      const missing = await api.get('/rest/api/3/project/NOPE');
      expect(missing.status).toBe(404);
      expect(missing.data.errorMessages).toEqual(["No project could be found with key 'NOPE'."]);
    });

    it('adds ADF comments and refuses a plain-string comment', async () => {
      const { data } = await api.post('/rest/api/3/issue', issueBody());
      const added = await api.post(`/rest/api/3/issue/${data.key as string}/comment`, {
        body: adf('Seen again in build 42.'),
      });
      expect(added.status).toBe(201);
      expect(added.data).toMatchObject({
        id: expect.any(String),
        author: { accountId: jira.botUser.accountId },
        body: adf('Seen again in build 42.'),
      });
      const refused = await api.post(`/rest/api/3/issue/${data.key as string}/comment`, {
        body: 'plain',
      });
      expect(refused.status).toBe(400);
      const listed = await api.get(`/rest/api/3/issue/${data.key as string}/comment`);
      expect(listed.data.total).toBe(1);
    });
  });

  describe('JQL search (POST /rest/api/3/search/jql)', () => {
    async function seed(count: number, labels: string[] = ['hum']): Promise<string[]> {
      const keys: string[] = [];
      for (let index = 0; index < count; index += 1) {
        const response = await api.post(
          '/rest/api/3/issue',
          issueBody({ summary: `finding ${index}`, labels }),
        );
        keys.push(response.data.key as string);
      }
      return keys;
    }

    it('finds an issue by its group label and returns only ids by default', async () => {
      await seed(2);
      const [target] = await seed(1, ['hum', 'hum-group-xyz']);
      const response = await api.post('/rest/api/3/search/jql', {
        jql: 'project = SEC AND labels = "hum-group-xyz"',
      });
      expect(response.status).toBe(200);
      expect(response.data).toEqual({ issues: [{ id: jira.issue(target!)!.id }], isLast: true });
      const withFields = await api.post('/rest/api/3/search/jql', {
        jql: 'project = SEC AND labels in ("hum-group-xyz", "other") AND statusCategory != Done',
        fields: ['summary', 'labels', 'status'],
      });
      expect(withFields.data.issues).toEqual([
        expect.objectContaining({
          key: target,
          fields: expect.objectContaining({
            summary: 'finding 0',
            labels: ['hum', 'hum-group-xyz'],
          }),
        }),
      ]);
    });

    it('pages with nextPageToken until isLast', async () => {
      const keys = await seed(7);
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const response = await api.post('/rest/api/3/search/jql', {
          jql: 'project = SEC ORDER BY created ASC',
          fields: ['key'],
          maxResults: 3,
          ...(token === undefined ? {} : { nextPageToken: token }),
        });
        expect(response.status).toBe(200);
        seen.push(...response.data.issues.map((issue: { key: string }) => issue.key));
        token = response.data.nextPageToken as string | undefined;
        expect(response.data.isLast).toBe(token === undefined);
        pages += 1;
      } while (token !== undefined);
      expect(pages).toBe(3);
      expect(seen).toEqual(keys);
    });

    it('keeps label search in step with label edits and deletes', async () => {
      const [first, second] = await seed(2, ['hum', 'hum-group-moving']);
      const find = async (label: string): Promise<string[]> =>
        (
          await api.post('/rest/api/3/search/jql', {
            jql: `labels = "${label}" ORDER BY key ASC`,
            fields: ['key'],
          })
        ).data.issues.map((issue: { key: string }) => issue.key);
      expect(await find('HUM-GROUP-MOVING')).toEqual([first, second]);
      await api.put(`/rest/api/3/issue/${first!}`, {
        update: { labels: [{ remove: 'hum-group-moving' }, { add: 'hum-group-moved' }] },
      });
      await api.delete(`/rest/api/3/issue/${second!}`);
      expect(await find('hum-group-moving')).toEqual([]);
      expect(await find('hum-group-moved')).toEqual([first]);
    });

    it('refuses a page token from another query', async () => {
      await seed(3);
      const first = await api.post('/rest/api/3/search/jql', {
        jql: 'project = SEC',
        maxResults: 1,
      });
      const reused = await api.post('/rest/api/3/search/jql', {
        jql: 'project = OPS',
        nextPageToken: first.data.nextPageToken,
      });
      expect(reused.status).toBe(400);
    });

    it('supports status, key, OR and parentheses', async () => {
      const [a, b, c] = await seed(3);
      await api.post(`/rest/api/3/issue/${b!}/transitions`, { transition: { id: '31' } });
      const done = await api.post('/rest/api/3/search/jql', {
        jql: `status = Done OR key = ${c!}`,
        fields: ['key'],
      });
      expect(done.data.issues.map((issue: { key: string }) => issue.key).sort()).toEqual(
        [b, c].sort(),
      );
      const open = await api.post('/rest/api/3/search/jql', {
        jql: `project = SEC AND (statusCategory != Done) AND key in (${a!}, ${b!})`,
        fields: ['key'],
      });
      expect(open.data.issues.map((issue: { key: string }) => issue.key)).toEqual([a]);
    });

    it('answers bad JQL with Jira 400s', async () => {
      const cases: Array<[string, RegExp]> = [
        ['order by key desc', /Unbounded JQL queries are not allowed/],
        ['project = NOPE', /The value 'NOPE' does not exist for the field 'project'/],
        ['bogus = 1', /Field 'bogus' does not exist/],
        ['project = SEC AND', /Error in the JQL Query/],
        ['"Finding group" = "x"', /The operator '=' is not supported by the 'Finding group' field/],
      ];
      for (const [jql, message] of cases) {
        const response = await api.post('/rest/api/3/search/jql', { jql });
        expect(response.status).toBe(400);
        expect(response.data.errorMessages[0]).toMatch(message);
      }
    });

    it('rejects properties the enhanced search does not declare, such as startAt', async () => {
      const response = await api.post('/rest/api/3/search/jql', {
        jql: 'project = SEC',
        startAt: 0,
      });
      expect(response.status).toBe(400);
      expect(response.data.errorMessages[0]).toMatch(/Unrecognized field "startAt"/);
    });

    it('has removed the old /rest/api/3/search', async () => {
      const response = await api.post('/rest/api/3/search', { jql: 'project = SEC' });
      expect(response.status).toBe(410);
    });

    it('can lag behind writes like the real index, and reconcileIssues reads through it', async () => {
      const clock = new ManualClock();
      const lagging = await startFakeJiraCloud({ clock, searchIndexLagMs: 5_000 });
      try {
        const lagApi = client(lagging);
        const created = await lagApi.post('/rest/api/3/issue', issueBody());
        const search = { jql: 'labels = "hum-group-abc123"', fields: ['key'] };
        expect((await lagApi.post('/rest/api/3/search/jql', search)).data.issues).toEqual([]);
        const reconciled = await lagApi.post('/rest/api/3/search/jql', {
          ...search,
          reconcileIssues: [Number(created.data.id)],
        });
        expect(reconciled.data.issues).toHaveLength(1);
        clock.advance(5_000);
        expect((await lagApi.post('/rest/api/3/search/jql', search)).data.issues).toHaveLength(1);
      } finally {
        await lagging.close();
      }
    });
  });

  describe('workflow', () => {
    it('lists the transitions of the current status', async () => {
      const { data } = await api.post('/rest/api/3/issue', issueBody());
      const response = await api.get(`/rest/api/3/issue/${data.key as string}/transitions`);
      expect(
        response.data.transitions.map((t: { id: string; to: { name: string } }) => [
          t.id,
          t.to.name,
        ]),
      ).toEqual([
        ['21', 'In Progress'],
        ['31', 'Done'],
      ]);
    });

    it('moves To Do -> In Progress -> Done with a resolution, and reopening clears it', async () => {
      const { data } = await api.post('/rest/api/3/issue', issueBody());
      const key = data.key as string;
      expect(
        (await api.post(`/rest/api/3/issue/${key}/transitions`, { transition: { id: '21' } }))
          .status,
      ).toBe(204);
      expect(jira.issue(key)).toMatchObject({ status: 'In Progress', resolution: null });
      await api.post(`/rest/api/3/issue/${key}/transitions`, { transition: { id: '31' } });
      expect(jira.issue(key)).toMatchObject({
        status: 'Done',
        statusCategory: 'done',
        resolution: 'Done',
      });
      const resolved = await api.get(`/rest/api/3/issue/${key}`);
      expect(resolved.data.fields.resolutiondate).toMatch(
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/,
      );
      await api.post(`/rest/api/3/issue/${key}/transitions`, { transition: { id: '41' } });
      expect(jira.issue(key)).toMatchObject({
        status: 'Reopened',
        statusCategory: 'new',
        resolution: null,
      });
    });

    it('sets the resolution a transition names, and refuses one on a non-done transition', async () => {
      const { data } = await api.post('/rest/api/3/issue', issueBody());
      const key = data.key as string;
      const refused = await api.post(`/rest/api/3/issue/${key}/transitions`, {
        transition: { id: '21' },
        fields: { resolution: { name: "Won't Do" } },
      });
      expect(refused.status).toBe(400);
      expect(refused.data.errors.resolution).toMatch(/cannot be set/);
      await api.post(`/rest/api/3/issue/${key}/transitions`, {
        transition: { id: '31' },
        fields: { resolution: { name: 'Duplicate' } },
        update: { comment: [{ add: { body: adf('Duplicate of SEC-9') } }] },
      });
      expect(jira.issue(key)).toMatchObject({
        resolution: 'Duplicate',
        comments: [expect.objectContaining({ text: 'Duplicate of SEC-9' })],
      });
    });

    it('answers an unknown transition id with a 400', async () => {
      const { data } = await api.post('/rest/api/3/issue', issueBody());
      const response = await api.post(`/rest/api/3/issue/${data.key as string}/transitions`, {
        transition: { id: '41' },
      });
      expect(response.status).toBe(400);
      expect(response.data).toEqual({
        errorMessages: ["Transition id '41' is not valid for this issue."],
        errors: {},
      });
    });
  });

  describe('webhooks', () => {
    let receiver: Server;
    let received: Array<{ headers: IncomingHttpHeaders; body: string }>;
    let receiverUrl: string;

    beforeEach(async () => {
      received = [];
      receiver = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
          response.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/jira`;
    });

    afterEach(async () => {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    });

    it("posts a signed jira:issue_updated with the changelog when a human closes an issue as Won't Do", async () => {
      jira.setWebhook({
        url: receiverUrl,
        secret: 'shared-secret',
        events: ['jira:issue_updated'],
      });
      const { data } = await api.post('/rest/api/3/issue', issueBody());
      const result = await jira.humanTransition(data.key as string, 'Done', {
        resolution: "Won't Do",
        comment: 'Accepted risk',
      });
      expect(result.issue).toMatchObject({ status: 'Done', resolution: "Won't Do" });
      expect(result.deliveries).toHaveLength(1);
      expect(received).toHaveLength(1);
      const delivery = received[0]!;
      const expected = `sha256=${createHmac('sha256', 'shared-secret').update(delivery.body).digest('hex')}`;
      expect(delivery.headers['x-hub-signature']).toBe(expected);
      const payload = JSON.parse(delivery.body) as Record<string, unknown>;
      expect(payload).toMatchObject({
        webhookEvent: 'jira:issue_updated',
        issue_event_type_name: 'issue_resolved',
        user: { accountId: jira.humanUser.accountId },
        issue: {
          key: data.key,
          fields: { status: { name: 'Done' }, resolution: { name: "Won't Do" } },
        },
        changelog: {
          items: expect.arrayContaining([
            expect.objectContaining({ field: 'resolution', toString: "Won't Do" }),
            expect.objectContaining({ field: 'status', fromString: 'To Do', toString: 'Done' }),
          ]),
        },
      });
    });

    it('also reports the integration’s own changes, which receivers must recognise by user', async () => {
      jira.setWebhook({ url: receiverUrl });
      await api.post('/rest/api/3/issue', issueBody());
      await jira.humanComment('SEC-1', 'looking');
      expect(
        received.map((item) => (JSON.parse(item.body) as { webhookEvent: string }).webhookEvent),
      ).toEqual(['jira:issue_created', 'jira:issue_updated']);
      expect(
        (JSON.parse(received[0]!.body) as { user: { accountId: string } }).user.accountId,
      ).toBe(jira.botUser.accountId);
      expect(received[1]!.headers['x-hub-signature']).toBeUndefined();
    });

    it('records a delivery that failed', async () => {
      jira.setWebhook({ url: 'http://127.0.0.1:9/unreachable' });
      await api.post('/rest/api/3/issue', issueBody());
      const result = await jira.humanTransition('SEC-1', 'In Progress');
      expect(result.deliveries[0]).toMatchObject({ status: undefined, error: expect.any(String) });
    });
  });

  describe('faults', () => {
    it('answers 429 with Retry-After for the next N requests, then recovers', async () => {
      jira.inject({ kind: 'status', status: 429, retryAfterSeconds: 3, times: 2 });
      const first = await api.get('/rest/api/3/myself');
      const second = await api.get('/rest/api/3/myself');
      const third = await api.get('/rest/api/3/myself');
      expect([first.status, second.status, third.status]).toEqual([429, 429, 200]);
      expect(first.headers['retry-after']).toBe('3');
      expect(jira.requests().map((request) => request.outcome)).toEqual([
        'injected-status',
        'injected-status',
        'handled',
      ]);
    });

    it('answers 503 for a time window on the fake clock', async () => {
      const clock = new ManualClock();
      const windowed = await startFakeJiraCloud({ clock });
      try {
        windowed.inject({ kind: 'status', status: 503, forMs: 10_000 });
        const windowApi = client(windowed);
        expect((await windowApi.get('/rest/api/3/myself')).status).toBe(503);
        expect((await windowApi.get('/rest/api/3/myself')).status).toBe(503);
        clock.advance(10_000);
        expect((await windowApi.get('/rest/api/3/myself')).status).toBe(200);
      } finally {
        await windowed.close();
      }
    });

    it('drops the connection so axios sees ECONNRESET / socket hang up', async () => {
      jira.inject({ kind: 'drop', match: { method: 'POST', path: '/rest/api/3/issue' } });
      const error = await api
        .post('/rest/api/3/issue', issueBody())
        .catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(AxiosError);
      expect((error as AxiosError).code).toBe('ECONNRESET');
      expect((error as AxiosError).message).toMatch(/socket hang up/);
      expect(jira.issues()).toHaveLength(0);
    });

    it('can cut a response half-way, after the status line', async () => {
      jira.inject({ kind: 'drop', midResponse: true });
      const error = await api.get('/rest/api/3/myself').catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(AxiosError);
      expect((error as AxiosError).code).toBe('ERR_BAD_RESPONSE');
      expect((error as AxiosError).message).toMatch(/aborted/);
      expect(jira.requests()[0]).toMatchObject({ outcome: 'dropped', status: undefined });
    });

    it('can fail the response after the create happened (crash between remote create and ledger write)', async () => {
      jira.inject({
        kind: 'drop',
        phase: 'after',
        match: { method: 'POST', path: '/rest/api/3/issue' },
      });
      await expect(api.post('/rest/api/3/issue', issueBody())).rejects.toThrow();
      expect(jira.issues().map((issue) => issue.key)).toEqual(['SEC-1']);
      const search = await api.post('/rest/api/3/search/jql', {
        jql: 'labels = "hum-group-abc123"',
        fields: ['key'],
      });
      expect(search.data.issues).toEqual([expect.objectContaining({ key: 'SEC-1' })]);
    });

    it('enforces a token-bucket rate limit with 429 and Retry-After', async () => {
      const clock = new ManualClock();
      const limited = await startFakeJiraCloud({
        clock,
        faults: [{ kind: 'rateLimit', requestsPerSecond: 2 }],
      });
      try {
        const limitedApi = client(limited);
        const statuses = [];
        for (let index = 0; index < 3; index += 1)
          statuses.push((await limitedApi.get('/rest/api/3/myself')).status);
        expect(statuses).toEqual([200, 200, 429]);
        const refused = await limitedApi.get('/rest/api/3/myself');
        expect(refused.headers['retry-after']).toBe('1');
        expect(refused.headers['x-ratelimit-limit']).toBe('2');
        expect(refused.headers['ratelimit-reason']).toBe('jira-burst-based');
        clock.advance(500);
        expect((await limitedApi.get('/rest/api/3/myself')).status).toBe(200);
        expect((await limitedApi.get('/rest/api/3/myself')).status).toBe(429);
      } finally {
        await limited.close();
      }
    });

    it('adds latency to matching requests only', async () => {
      jira.inject({ kind: 'latency', ms: 30, match: { path: '/rest/api/3/project/*' } });
      expect((await api.get('/rest/api/3/project/SEC')).status).toBe(200);
      expect((await api.get('/rest/api/3/myself')).status).toBe(200);
      const active = await axios.get(`${jira.url}/__fake/faults`, {
        headers: { authorization: `Bearer ${jira.controlToken}` },
      });
      expect(active.data.faults).toEqual([
        { kind: 'latency', ms: 30, match: { path: '/rest/api/3/project/*' } },
      ]);
    });
  });

  describe('request journal', () => {
    it('records method, path, body and user, never the token', async () => {
      await api.post('/rest/api/3/issue', issueBody());
      const creates = jira.requests({ method: 'POST', path: '/rest/api/3/issue' });
      expect(creates).toHaveLength(1);
      expect(creates[0]).toMatchObject({
        authUser: 'hum-bot@example.test',
        authScheme: 'basic',
        status: 201,
        secretInUrl: false,
      });
      expect(JSON.stringify(jira.requests())).not.toContain(jira.botUser.apiToken!);
    });

    it('flags and redacts a token sent in the URL', async () => {
      await api.get('/rest/api/3/myself', { params: { token: jira.botUser.apiToken } });
      const [request] = jira.requests();
      expect(request!.secretInUrl).toBe(true);
      expect(request!.query['token']).toBe('[REDACTED]');
    });
  });

  describe('control API and page', () => {
    it('needs the control token', async () => {
      const refused = await axios.get(`${jira.url}/__fake/requests`, {
        validateStatus: () => true,
      });
      expect(refused.status).toBe(401);
      const wrong = await axios.get(`${jira.url}/__fake/requests`, {
        headers: { authorization: `Bearer ${jira.botUser.apiToken!}` },
        validateStatus: () => true,
      });
      expect(wrong.status).toBe(401);
    });

    it('injects faults, reads requests and issues, transitions as a human, and resets over HTTP', async () => {
      const control = axios.create({
        baseURL: `${jira.url}/__fake`,
        headers: { authorization: `Bearer ${jira.controlToken}` },
        validateStatus: () => true,
      });
      await api.post('/rest/api/3/issue', issueBody());
      expect(
        (await control.get('/issues')).data.issues.map((issue: { key: string }) => issue.key),
      ).toEqual(['SEC-1']);
      const closed = await control.post('/issues/SEC-1/transition', {
        to: 'Done',
        resolution: "Won't Do",
      });
      expect(closed.status).toBe(200);
      expect(closed.data.issue).toMatchObject({ status: 'Done', resolution: "Won't Do" });
      const impossible = await control.post('/issues/SEC-1/transition', { to: 'In Progress' });
      expect(impossible.status).toBe(409);
      const invalid = await control.post('/faults', { kind: 'status', status: 200 });
      expect(invalid.status).toBe(400);
      expect(
        (await control.post('/faults', { kind: 'status', status: 502, times: 1 })).status,
      ).toBe(204);
      expect((await api.get('/rest/api/3/myself')).status).toBe(502);
      const requests = await control.get('/requests', { params: { method: 'POST' } });
      expect(requests.data.requests).toHaveLength(1);
      expect((await control.post('/reset')).status).toBe(204);
      expect(jira.issues()).toEqual([]);
      expect(jira.requests()).toEqual([]);
      expect((await api.post('/rest/api/3/issue', issueBody())).data.key).toBe('SEC-1');
    });

    it('shows a read-only HTML list of tickets behind basic auth', async () => {
      await api.post('/rest/api/3/issue', issueBody({ summary: '<script>alert(1)</script>' }));
      const anonymous = await axios.get(`${jira.url}/`, { validateStatus: () => true });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm=/);
      const page = await api.get('/');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.data).toContain('SEC-1');
      expect(page.data).toContain('&lt;script&gt;');
      expect(page.data).not.toContain('<script>');
      expect(page.data).toContain('hum-group-abc123');
      expect(page.data).toContain('2026-02-01');
    });
  });
});

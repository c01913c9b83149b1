import axios, { type AxiosError, type AxiosInstance } from 'axios';
import { startFakeJiraDataCenter, type FakeJiraDataCenter } from './jira-dc-fake';

function issueBody(overrides: Record<string, unknown> = {}) {
  return {
    fields: {
      project: { key: 'SEC' },
      issuetype: { name: 'Task' },
      summary: 'CVE-2024-0002 in log4j on billing',
      description: 'h2. Finding\n* log4j-core 2.14.1\n* fixed in {{2.17.1}}',
      labels: ['hum', 'hum-group-def456'],
      priority: { name: 'High' },
      ...overrides,
    },
  };
}

describe('fake Jira Data Center', () => {
  let jira: FakeJiraDataCenter;
  let api: AxiosInstance;

  beforeEach(async () => {
    jira = await startFakeJiraDataCenter();
    api = axios.create({
      baseURL: jira.url,
      headers: { authorization: `Bearer ${jira.botUser.personalAccessToken!}` },
      validateStatus: () => true,
    });
  });

  afterEach(async () => {
    await jira.close();
    expect(jira.internalErrors).toEqual([]);
  });

  it('authenticates a personal access token as Bearer and refuses a wrong one with JSON 401', async () => {
    const myself = await api.get('/rest/api/2/myself');
    expect(myself.status).toBe(200);
    expect(myself.data).toMatchObject({
      name: 'hum-bot',
      key: jira.botUser.key,
      displayName: 'hum integration',
    });
    expect(myself.data.accountId).toBeUndefined();
    const refused = await axios.get(`${jira.url}/rest/api/2/myself`, {
      headers: { authorization: 'Bearer wrong' },
      validateStatus: () => true,
    });
    expect(refused.status).toBe(401);
    expect(refused.data).toEqual({
      errorMessages: [
        'You are not authenticated. Authentication required to perform this operation.',
      ],
      errors: {},
    });
    expect(refused.headers['x-seraph-loginreason']).toBe('AUTHENTICATED_FAILED');
    expect(jira.requests().map((request) => [request.authScheme, request.authUser])).toEqual([
      ['bearer', 'hum-bot'],
      ['bearer', undefined],
    ]);
  });

  it('serves REST v2 only: v3 paths do not exist here', async () => {
    const response = await api.post('/rest/api/3/issue', issueBody());
    expect(response.status).toBe(404);
  });

  it('takes wiki markup descriptions and refuses ADF documents', async () => {
    const created = await api.post('/rest/api/2/issue', issueBody());
    expect(created.status).toBe(201);
    expect(created.data.key).toBe('SEC-1');
    const fetched = await api.get('/rest/api/2/issue/SEC-1');
    expect(fetched.data.fields.description).toBe(
      'h2. Finding\n* log4j-core 2.14.1\n* fixed in {{2.17.1}}',
    );
    const adf = await api.post(
      '/rest/api/2/issue',
      issueBody({ description: { type: 'doc', version: 1, content: [] } }),
    );
    expect(adf.status).toBe(400);
    expect(adf.data.errors.description).toBe('Operation value must be a string');
    const tooLong = await api.post(
      '/rest/api/2/issue',
      issueBody({ description: 'z'.repeat(32_768) }),
    );
    expect(tooLong.data.errors.description).toBe(
      'The entered text is too long. It exceeds the allowed limit of 32,767 characters.',
    );
  });

  it('names people by user name', async () => {
    const assigned = await api.post(
      '/rest/api/2/issue',
      issueBody({ assignee: { name: 'riley' } }),
    );
    expect(assigned.status).toBe(201);
    expect(jira.issue('SEC-1')!.assignee).toBe('riley');
    const unknown = await api.post('/rest/api/2/issue', issueBody({ assignee: { name: 'ghost' } }));
    expect(unknown.status).toBe(400);
    expect(unknown.data.errors.assignee).toBe("User 'ghost' does not exist.");
  });

  it('searches with POST /rest/api/2/search, paging by startAt with a total', async () => {
    for (let index = 0; index < 5; index += 1) {
      await api.post('/rest/api/2/issue', issueBody({ summary: `finding ${index}` }));
    }
    await api.post('/rest/api/2/issue', issueBody({ labels: ['other'] }));
    const first = await api.post('/rest/api/2/search', {
      jql: 'labels = hum-group-def456 ORDER BY key ASC',
      startAt: 0,
      maxResults: 2,
      fields: ['summary', 'labels'],
    });
    expect(first.status).toBe(200);
    expect(first.data).toMatchObject({ startAt: 0, maxResults: 2, total: 5 });
    expect(first.data.issues.map((issue: { key: string }) => issue.key)).toEqual([
      'SEC-1',
      'SEC-2',
    ]);
    const last = await api.post('/rest/api/2/search', {
      jql: 'labels = hum-group-def456 ORDER BY key ASC',
      startAt: 4,
      maxResults: 2,
    });
    expect(last.data.issues.map((issue: { key: string }) => issue.key)).toEqual(['SEC-5']);
    // The default field set is *navigable: no comments.
    expect(Object.keys(last.data.issues[0].fields)).toContain('status');
    expect(Object.keys(last.data.issues[0].fields)).not.toContain('comment');
    const viaGet = await api.get('/rest/api/2/search', { params: { jql: 'labels = other' } });
    expect(viaGet.data.total).toBe(1);
  });

  it("uses the Data Center resolutions: a human closes as Won't Fix", async () => {
    await api.post('/rest/api/2/issue', issueBody());
    const result = await jira.humanTransition('SEC-1', 'Done', {
      resolution: "Won't Fix",
      comment: 'Not exploitable here',
    });
    expect(result.issue).toMatchObject({ status: 'Done', resolution: "Won't Fix" });
    expect(result.issue.comments).toEqual([
      { author: 'riley', body: 'Not exploitable here', text: 'Not exploitable here' },
    ]);
    const open = await api.post('/rest/api/2/search', { jql: 'resolution = Unresolved' });
    expect(open.data.total).toBe(0);
    const transitions = await api.get('/rest/api/2/issue/SEC-1/transitions');
    expect(
      transitions.data.transitions.map((transition: { name: string }) => transition.name),
    ).toEqual(['To Do', 'Reopen']);
  });

  it('takes wiki-markup comments', async () => {
    await api.post('/rest/api/2/issue', issueBody());
    const comment = await api.post('/rest/api/2/issue/SEC-1/comment', {
      body: 'Seen again in *build 42*.',
    });
    expect(comment.status).toBe(201);
    expect(comment.data.body).toBe('Seen again in *build 42*.');
  });

  it('shares the fault injection of the other fakes', async () => {
    jira.inject({ kind: 'status', status: 429, retryAfterSeconds: 7, times: 1 });
    const limited = await api.get('/rest/api/2/myself');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');
    jira.inject({ kind: 'drop' });
    const error = await api.get('/rest/api/2/myself').catch((failure: unknown) => failure);
    expect((error as AxiosError).code).toBe('ECONNRESET');
  });

  it('lets a browser sign in with name and password for the ticket page', async () => {
    await api.post('/rest/api/2/issue', issueBody());
    const page = await axios.get(`${jira.url}/`, {
      auth: { username: 'hum-bot', password: jira.botUser.password! },
      validateStatus: () => true,
    });
    expect(page.status).toBe(200);
    expect(page.data).toContain('Fake Jira Data Center');
    expect(page.data).toContain('SEC-1');
  });
});

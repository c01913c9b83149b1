import axios, { type AxiosInstance } from 'axios';
import { type FakeGitHub, startFakeGitHub } from './github-fake';

describe('fake GitHub', () => {
  let github: FakeGitHub;
  let api: AxiosInstance;

  beforeEach(async () => {
    github = await startFakeGitHub({
      repositories: [
        {
          owner: 'bank',
          name: 'payments-api',
          files: {
            'package.json': '{\n  "dependencies": {\n    "lodash": "^4.17.15"\n  }\n}\n',
            'src/app/index.js': 'x\n',
          },
          requiredChecks: ['ci/test'],
          ci: { checks: ['ci/test'], result: 'success' },
        },
      ],
    });
    api = axios.create({
      baseURL: github.url,
      headers: { authorization: `Bearer ${github.botToken}` },
      validateStatus: () => true,
    });
  });

  afterEach(async () => {
    expect(github.internalErrors).toEqual([]);
    await github.close();
  });

  it('answers without or with bad credentials in GitHub’s shape, and never journals the token', async () => {
    const anonymous = await axios.get(`${github.url}/repos/bank/payments-api`, {
      validateStatus: () => true,
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.data).toEqual({
      message: 'Requires authentication',
      documentation_url: expect.any(String),
    });
    const bad = await axios.get(`${github.url}/repos/bank/payments-api`, {
      headers: { authorization: 'token ghp_wrong' },
      validateStatus: () => true,
    });
    expect(bad.data.message).toBe('Bad credentials');
    const ok = await axios.get(`${github.url}/repos/bank/payments-api`, {
      headers: { authorization: `token ${github.botToken}` },
    });
    expect(ok.data).toMatchObject({ full_name: 'bank/payments-api', default_branch: 'main' });
    expect(JSON.stringify(github.requests())).not.toContain(github.botToken);
    expect((await api.get('/repos/bank/absent')).data).toMatchObject({ message: 'Not Found' });
  });

  it('builds a branch with the git data API and refuses a second ref of the same name', async () => {
    const main = (await api.get('/repos/bank/payments-api/git/ref/heads/main')).data.object
      .sha as string;
    const commit = (await api.get(`/repos/bank/payments-api/git/commits/${main}`)).data;
    const tree = await api.post('/repos/bank/payments-api/git/trees', {
      base_tree: commit.tree.sha,
      tree: [
        {
          path: 'package.json',
          mode: '100644',
          type: 'blob',
          content: '{"dependencies":{"lodash":"^4.17.21"}}\n',
        },
      ],
    });
    expect(tree.status).toBe(201);
    const created = await api.post('/repos/bank/payments-api/git/commits', {
      message: 'Bump lodash',
      tree: tree.data.sha,
      parents: [main],
    });
    const ref = await api.post('/repos/bank/payments-api/git/refs', {
      ref: 'refs/heads/hum/fix-1',
      sha: created.data.sha,
    });
    expect(ref.status).toBe(201);
    expect(
      (
        await api.post('/repos/bank/payments-api/git/refs', {
          ref: 'refs/heads/hum/fix-1',
          sha: main,
        })
      ).data,
    ).toMatchObject({
      message: 'Reference already exists',
    });
    // Slashes in branch names and file paths are path segments, encoded or not.
    expect(
      (await api.get('/repos/bank/payments-api/git/ref/heads/hum/fix-1')).data.object.sha,
    ).toBe(created.data.sha);
    expect((await api.get('/repos/bank/payments-api/git/ref/heads%2Fhum%2Ffix-1')).status).toBe(
      200,
    );
    const file = await api.get('/repos/bank/payments-api/contents/package.json', {
      params: { ref: 'hum/fix-1' },
    });
    expect(Buffer.from(file.data.content, 'base64').toString()).toContain('^4.17.21');
    expect((await api.get('/repos/bank/payments-api/contents/src/app/index.js')).data.type).toBe(
      'file',
    );
    expect((await api.get('/repos/bank/payments-api/contents/src')).data).toEqual([
      { type: 'dir', name: 'app', path: 'src/app' },
    ]);
    // A non-fast-forward update needs force.
    expect(
      (await api.patch('/repos/bank/payments-api/git/refs/heads/hum/fix-1', { sha: main })).data
        .message,
    ).toBe('Update is not a fast forward');
  });

  it('updates a file through the contents API only with its current blob sha', async () => {
    const current = (await api.get('/repos/bank/payments-api/contents/package.json')).data;
    const content = Buffer.from('{}\n').toString('base64');
    expect(
      (await api.put('/repos/bank/payments-api/contents/package.json', { message: 'x', content }))
        .status,
    ).toBe(422);
    expect(
      (
        await api.put('/repos/bank/payments-api/contents/package.json', {
          message: 'x',
          content,
          sha: 'f'.repeat(40),
        })
      ).status,
    ).toBe(409);
    const ok = await api.put('/repos/bank/payments-api/contents/package.json', {
      message: 'x',
      content,
      sha: current.sha,
    });
    expect(ok.status).toBe(200);
    expect(github.file('bank', 'payments-api', 'main', 'package.json')).toBe('{}\n');
  });

  it('opens pull requests once per head, labels them, and merges only when required checks pass', async () => {
    github.setCi('bank', 'payments-api', { checks: ['ci/test'], result: 'pending' });
    github.pushCommit('bank', 'payments-api', {}, { branch: 'main' });
    const main = github.branches('bank', 'payments-api')['main']!;
    await api.post('/repos/bank/payments-api/git/refs', { ref: 'refs/heads/fix', sha: main });
    // No commits between: refused.
    expect(
      (await api.post('/repos/bank/payments-api/pulls', { title: 't', head: 'fix', base: 'main' }))
        .status,
    ).toBe(422);
    github.pushCommit('bank', 'payments-api', { 'package.json': 'changed\n' }, { branch: 'fix' });
    const pull = await api.post('/repos/bank/payments-api/pulls', {
      title: 'Bump',
      head: 'bank:fix',
      base: 'main',
      body: 'why',
    });
    expect(pull.status).toBe(201);
    expect(pull.data).toMatchObject({
      number: 1,
      state: 'open',
      mergeable: true,
      mergeable_state: 'blocked',
    });
    const again = await api.post('/repos/bank/payments-api/pulls', {
      title: 'Bump',
      head: 'fix',
      base: 'main',
    });
    expect(again.data.errors[0].message).toBe('A pull request already exists for bank:fix.');
    await api.post('/repos/bank/payments-api/issues/1/labels', {
      labels: ['security', 'hum-autopatch'],
    });
    expect(
      (
        await api.get('/repos/bank/payments-api/pulls', {
          params: { head: 'bank:fix', state: 'all' },
        })
      ).data[0].labels,
    ).toEqual([{ name: 'security' }, { name: 'hum-autopatch' }]);
    const blocked = await api.put('/repos/bank/payments-api/pulls/1/merge', {
      merge_method: 'squash',
    });
    expect(blocked.status).toBe(405);
    expect(blocked.data.message).toBe('Required status check "ci/test" is expected.');
    github.completeCheck('bank', 'payments-api', 'fix', 'ci/test', 'success');
    const runs = await api.get('/repos/bank/payments-api/commits/fix/check-runs');
    expect(runs.data.check_runs).toEqual([
      expect.objectContaining({ name: 'ci/test', status: 'completed', conclusion: 'success' }),
    ]);
    const stale = await api.put('/repos/bank/payments-api/pulls/1/merge', { sha: main });
    expect(stale.status).toBe(409);
    const merged = await api.put('/repos/bank/payments-api/pulls/1/merge', {
      merge_method: 'squash',
    });
    expect(merged.data).toMatchObject({ merged: true });
    expect(github.file('bank', 'payments-api', 'main', 'package.json')).toBe('changed\n');
    expect(github.pulls('bank', 'payments-api')[0]).toMatchObject({
      state: 'closed',
      merged: true,
    });
  });

  it('sees a conflict when the base branch changed the same file', async () => {
    const main = github.branches('bank', 'payments-api')['main']!;
    await api.post('/repos/bank/payments-api/git/refs', { ref: 'refs/heads/fix', sha: main });
    github.pushCommit('bank', 'payments-api', { 'package.json': 'ours\n' }, { branch: 'fix' });
    github.completeCheck('bank', 'payments-api', 'fix', 'ci/test', 'success');
    await api.post('/repos/bank/payments-api/pulls', { title: 'Bump', head: 'fix', base: 'main' });
    github.pushCommit('bank', 'payments-api', { 'package.json': 'theirs\n' });
    expect((await api.get('/repos/bank/payments-api/pulls/1')).data).toMatchObject({
      mergeable: false,
      mergeable_state: 'dirty',
    });
    expect((await api.put('/repos/bank/payments-api/pulls/1/merge', {})).data.message).toBe(
      'Pull Request is not mergeable',
    );
  });

  it('rate-limits with GitHub’s secondary limit (403 + Retry-After) and injects faults', async () => {
    github.inject({ kind: 'rateLimit', requestsPerSecond: 1, burst: 1 });
    await api.get('/repos/bank/payments-api');
    const limited = await api.get('/repos/bank/payments-api');
    expect(limited.status).toBe(403);
    expect(limited.data.message).toContain('secondary rate limit');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    github.clearFaults();
    github.inject({
      kind: 'status',
      status: 502,
      match: { method: 'POST', path: '/repos/bank/payments-api/pulls' },
    });
    expect(
      (await api.post('/repos/bank/payments-api/pulls', { title: 't', head: 'x', base: 'main' }))
        .status,
    ).toBe(502);
  });
});

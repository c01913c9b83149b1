import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { parseFakesCommandLine, FakesUsageError } from './fakes-cli';
import { startAllFakes } from './start-all-fakes';

describe('startAllFakes', () => {
  it('starts the three fakes on their own ports with working credentials', async () => {
    const fakes = await startAllFakes({
      controlToken: 'control-token',
      jiraCloudApiToken: 'cloud-token',
    });
    try {
      const described = fakes.describe();
      const urls = [
        described.jiraCloud!.url,
        described.jiraDataCenter!.url,
        described.serviceNow!.url,
      ];
      expect(new Set(urls).size).toBe(3);
      expect(described.jiraCloud).toMatchObject({
        apiToken: 'cloud-token',
        email: 'hum-bot@example.test',
        projects: ['SEC', 'OPS'],
        controlToken: 'control-token',
      });
      const cloud = await axios.get(`${described.jiraCloud!.url}/rest/api/3/myself`, {
        auth: { username: described.jiraCloud!.email, password: described.jiraCloud!.apiToken },
      });
      expect(cloud.data.emailAddress).toBe('hum-bot@example.test');
      const dc = await axios.get(`${described.jiraDataCenter!.url}/rest/api/2/myself`, {
        headers: { authorization: `Bearer ${described.jiraDataCenter!.personalAccessToken}` },
      });
      expect(dc.data.name).toBe('hum-bot');
      const token = await axios.post(
        described.serviceNow!.tokenUrl,
        new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: described.serviceNow!.clientId,
          client_secret: described.serviceNow!.clientSecret,
        }),
      );
      const incidents = await axios.get(`${described.serviceNow!.url}/api/now/table/incident`, {
        headers: { authorization: `Bearer ${token.data.access_token as string}` },
      });
      expect(incidents.data).toEqual({ result: [] });
    } finally {
      await fakes.close();
    }
  });

  it('starts only the fakes asked for, with shared faults', async () => {
    const fakes = await startAllFakes({
      only: ['servicenow'],
      faults: [{ kind: 'status', status: 503, times: 1 }],
    });
    try {
      expect(fakes.jiraCloud).toBeUndefined();
      expect(Object.keys(fakes.describe())).toEqual(['serviceNow']);
      const sn = fakes.serviceNow!;
      const response = await axios.get(`${sn.url}/api/now/table/incident`, {
        auth: { username: sn.botUser.userName, password: sn.botUser.password },
        validateStatus: () => true,
      });
      expect(response.status).toBe(503);
    } finally {
      await fakes.close();
    }
  });
});

describe('fakes command line', () => {
  it('turns flags and environment into options', () => {
    expect(
      parseFakesCommandLine(
        [
          '--host',
          '0.0.0.0',
          '--jira-cloud-port',
          '8081',
          '--only',
          'jira-cloud,servicenow',
          '--latency-ms',
          '50',
          '--rate-limit',
          '10',
        ],
        { HUM_FAKE_JIRA_CLOUD_API_TOKEN: 'abc', HUM_FAKES_CONTROL_TOKEN: '' },
      ),
    ).toEqual({
      host: '0.0.0.0',
      ports: { 'jira-cloud': 8081 },
      only: ['jira-cloud', 'servicenow'],
      faults: [
        { kind: 'latency', ms: 50 },
        { kind: 'rateLimit', requestsPerSecond: 10 },
      ],
      jiraCloudApiToken: 'abc',
    });
    expect(parseFakesCommandLine(['--help'], {})).toBe('help');
  });

  it.each([
    [['--only', 'jira-server']],
    [['--jira-dc-port', '70000']],
    [['--latency-ms', 'slow']],
    [['--unknown']],
  ])('refuses %j', (argv) => {
    expect(() => parseFakesCommandLine(argv, {})).toThrow(FakesUsageError);
  });

  it('starts GitHub with the bot token and the repositories of --github-repos', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hum-fakes-'));
    const file = path.join(dir, 'repos.json');
    writeFileSync(
      file,
      JSON.stringify([{ owner: 'bank', name: 'web-portal', files: { 'package.json': '{}' } }]),
    );
    const options = parseFakesCommandLine(['--only', 'github', '--github-repos', file], {
      HUM_FAKE_GITHUB_TOKEN: 'ghp_quickstart_token_0123456789',
    });
    expect(options).not.toBe('help');
    const fakes = await startAllFakes(options as Exclude<typeof options, 'help'>);
    try {
      const described = fakes.describe();
      expect(described.jiraCloud).toBeUndefined();
      expect(described.gitHub).toMatchObject({
        token: 'ghp_quickstart_token_0123456789',
        repositories: ['bank/web-portal'],
      });
      const repo = await axios.get(`${described.gitHub!.url}/repos/bank/web-portal`, {
        headers: { authorization: `Bearer ${described.gitHub!.token}` },
      });
      expect(repo.data.full_name).toBe('bank/web-portal');
      const anonymous = await axios.get(`${described.gitHub!.url}/repos/bank/web-portal`, {
        validateStatus: () => true,
      });
      expect(anonymous.status).toBe(401);
    } finally {
      await fakes.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a bad --github-repos file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hum-fakes-'));
    const file = path.join(dir, 'repos.json');
    writeFileSync(file, JSON.stringify({ owner: 'bank' }));
    try {
      expect(() => parseFakesCommandLine(['--github-repos', file], {})).toThrow(
        /--github-repos: .* must hold a JSON list/,
      );
      expect(() => parseFakesCommandLine(['--github-repos', `${file}.missing`], {})).toThrow(
        /--github-repos: cannot read/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

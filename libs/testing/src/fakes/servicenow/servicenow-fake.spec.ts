import axios, { type AxiosError, type AxiosInstance } from 'axios';
import { ManualClock } from '@hum/common';
import { startFakeServiceNow, type FakeServiceNow } from './servicenow-fake';

const INCIDENTS = '/api/now/table/incident';

function incident(overrides: Record<string, unknown> = {}) {
  return {
    short_description: 'CVE-2024-0003 in nginx on edge-01',
    description: 'nginx 1.18.0 is affected; fixed in 1.25.4.',
    urgency: '1',
    impact: '2',
    correlation_id: 'hum:servicenow:group-abc',
    assignment_group: 'Security Operations',
    caller_id: 'hum.integration',
    ...overrides,
  };
}

describe('fake ServiceNow', () => {
  let sn: FakeServiceNow;
  let api: AxiosInstance;

  beforeEach(async () => {
    sn = await startFakeServiceNow();
    api = axios.create({
      baseURL: sn.url,
      auth: { username: sn.botUser.userName, password: sn.botUser.password },
      validateStatus: () => true,
    });
  });

  afterEach(async () => {
    await sn.close();
    expect(sn.internalErrors).toEqual([]);
  });

  describe('authentication', () => {
    it('refuses missing or wrong credentials with the platform error shape', async () => {
      for (const auth of [undefined, { username: sn.botUser.userName, password: 'wrong' }]) {
        const response = await axios.get(`${sn.url}${INCIDENTS}`, {
          ...(auth ? { auth } : {}),
          validateStatus: () => true,
        });
        expect(response.status).toBe(401);
        expect(response.data).toEqual({
          error: {
            message: 'User Not Authenticated',
            detail: 'Required to provide Auth information',
          },
          status: 'failure',
        });
      }
    });

    it('issues OAuth tokens for the password and client_credentials grants', async () => {
      const client = sn.oauthClients[0]!;
      const password = await axios.post(
        `${sn.url}/oauth_token.do`,
        new URLSearchParams({
          grant_type: 'password',
          client_id: client.clientId,
          client_secret: client.clientSecret,
          username: sn.botUser.userName,
          password: sn.botUser.password,
        }),
      );
      expect(password.data).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        scope: 'useraccount',
        token_type: 'Bearer',
        expires_in: 1799,
      });
      const credentials = await axios.post(
        `${sn.url}/oauth_token.do`,
        new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: client.clientId,
          client_secret: client.clientSecret,
        }),
      );
      expect(credentials.data.refresh_token).toBeUndefined();
      const bearer = await axios.get(`${sn.url}${INCIDENTS}`, {
        headers: { authorization: `Bearer ${credentials.data.access_token as string}` },
      });
      expect(bearer.status).toBe(200);
      expect(sn.requests({ path: INCIDENTS })[0]).toMatchObject({
        authScheme: 'bearer',
        authUser: 'hum.integration',
      });
      expect(JSON.stringify(sn.requests())).not.toContain(client.clientSecret);
      expect(JSON.stringify(sn.requests())).not.toContain(credentials.data.access_token as string);
    });

    it('refuses bad client credentials with access_denied and an unknown grant with 400', async () => {
      const denied = await axios.post(
        `${sn.url}/oauth_token.do`,
        new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: 'hum-dispatcher',
          client_secret: 'nope',
        }),
        { validateStatus: () => true },
      );
      expect(denied.status).toBe(401);
      expect(denied.data).toEqual({ error_description: 'access_denied', error: 'server_error' });
      const unsupported = await axios.post(
        `${sn.url}/oauth_token.do`,
        new URLSearchParams({ grant_type: 'implicit' }),
        {
          validateStatus: () => true,
        },
      );
      expect(unsupported.status).toBe(400);
      expect(unsupported.data.error).toBe('unsupported_grant_type');
    });

    it('expires access tokens on the fake clock; the refresh token gets a new one', async () => {
      const clock = new ManualClock();
      const instance = await startFakeServiceNow({ clock, accessTokenTtlSeconds: 60 });
      try {
        const client = instance.oauthClients[0]!;
        const form = {
          grant_type: 'password',
          client_id: client.clientId,
          client_secret: client.clientSecret,
          username: instance.botUser.userName,
          password: instance.botUser.password,
        };
        const issued = await axios.post(
          `${instance.url}/oauth_token.do`,
          new URLSearchParams(form),
        );
        const list = (token: string) =>
          axios.get(`${instance.url}${INCIDENTS}`, {
            headers: { authorization: `Bearer ${token}` },
            validateStatus: () => true,
          });
        expect((await list(issued.data.access_token as string)).status).toBe(200);
        clock.advance(60_000);
        expect((await list(issued.data.access_token as string)).status).toBe(401);
        const refreshed = await axios.post(
          `${instance.url}/oauth_token.do`,
          new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: client.clientId,
            client_secret: client.clientSecret,
            refresh_token: issued.data.refresh_token as string,
          }),
        );
        expect((await list(refreshed.data.access_token as string)).status).toBe(200);
      } finally {
        await instance.close();
      }
    });
  });

  describe('Table API', () => {
    it('creates an incident with a number, a 32-hex sys_id and a priority from impact x urgency', async () => {
      const created = await api.post(INCIDENTS, incident());
      expect(created.status).toBe(201);
      const result = created.data.result as Record<string, unknown>;
      expect(result['number']).toBe('INC0010001');
      expect(result['sys_id']).toMatch(/^[0-9a-f]{32}$/);
      expect(created.headers['location']).toBe(
        `${sn.url}/api/now/table/incident/${result['sys_id'] as string}`,
      );
      expect(result).toMatchObject({
        state: '1',
        active: 'true',
        urgency: '1',
        impact: '2',
        priority: '2',
        correlation_id: 'hum:servicenow:group-abc',
      });
      const group = sn.assignmentGroups[0]!;
      expect(result['assignment_group']).toEqual({
        link: `${sn.url}/api/now/table/sys_user_group/${group.sysId}`,
        value: group.sysId,
      });
      expect((await api.post(INCIDENTS, incident())).data.result.number).toBe('INC0010002');
    });

    it.each([
      ['1', '1', '1'],
      ['1', '3', '3'],
      ['2', '2', '3'],
      ['3', '2', '4'],
      ['3', '3', '5'],
    ])(
      'computes priority from impact %s and urgency %s as %s',
      async (impact, urgency, priority) => {
        const created = await api.post(INCIDENTS, incident({ impact, urgency, priority: '1' }));
        expect(created.data.result.priority).toBe(priority);
      },
    );

    it('refuses over-long fields and invalid choices with 400, creating nothing', async () => {
      const long = await api.post(INCIDENTS, incident({ short_description: 's'.repeat(161) }));
      expect(long.status).toBe(400);
      expect(long.data).toEqual({
        error: {
          message: 'Field value exceeds the maximum length',
          detail: 'short_description: 161 characters, the maximum is 160',
        },
        status: 'failure',
      });
      expect((await api.post(INCIDENTS, incident({ description: 'd'.repeat(4001) }))).status).toBe(
        400,
      );
      const urgency = await api.post(INCIDENTS, incident({ urgency: '5' }));
      expect(urgency.status).toBe(400);
      expect(urgency.data.error.message).toBe('Invalid value for field urgency');
      expect(sn.records()).toEqual([]);
    });

    it('truncates silently like the platform when asked to, and says which fields it cut', async () => {
      const truncating = await startFakeServiceNow({
        fieldLengthPolicy: 'truncate',
        descriptionMaxLength: 100,
      });
      try {
        const created = await axios.post(
          `${truncating.url}${INCIDENTS}`,
          incident({ short_description: 's'.repeat(200), description: 'd'.repeat(150) }),
          {
            auth: { username: truncating.botUser.userName, password: truncating.botUser.password },
          },
        );
        expect(created.data.result.short_description).toHaveLength(160);
        expect(created.data.result.description).toHaveLength(100);
        expect([...truncating.records()[0]!.truncatedFields].sort()).toEqual([
          'description',
          'short_description',
        ]);
      } finally {
        await truncating.close();
      }
    });

    it('ignores columns the table does not have, as the platform does', async () => {
      const created = await api.post(INCIDENTS, incident({ u_not_a_column: 'x' }));
      expect(created.status).toBe(201);
      expect(created.data.result.u_not_a_column).toBeUndefined();
    });

    it('queries by correlation_id and active, ordered by creation', async () => {
      const clock = new ManualClock();
      const instance = await startFakeServiceNow({ clock });
      try {
        const client = axios.create({
          baseURL: instance.url,
          auth: { username: instance.botUser.userName, password: instance.botUser.password },
        });
        for (const id of ['g-2', 'g-1', 'g-2']) {
          await client.post(INCIDENTS, incident({ correlation_id: id }));
          clock.advance(1_000);
        }
        const matches = await client.get(INCIDENTS, {
          params: {
            sysparm_query: 'correlation_id=g-2^active=true^ORDERBYsys_created_on',
            sysparm_fields: 'number,correlation_id',
          },
        });
        expect(matches.data.result).toEqual([
          { number: 'INC0010001', correlation_id: 'g-2' },
          { number: 'INC0010003', correlation_id: 'g-2' },
        ]);
        const descending = await client.get(INCIDENTS, {
          params: {
            sysparm_query: 'correlation_id=g-2^ORDERBYDESCsys_created_on',
            sysparm_fields: 'number',
          },
        });
        expect(descending.data.result.map((record: { number: string }) => record.number)).toEqual([
          'INC0010003',
          'INC0010001',
        ]);
        const none = await client.get(INCIDENTS, {
          params: { sysparm_query: 'correlation_id=g-3' },
        });
        expect(none.data).toEqual({ result: [] });
      } finally {
        await instance.close();
      }
    });

    it('finds a record by its new correlation_id after a change, not by the old one', async () => {
      const { data } = await api.post(INCIDENTS, incident({ correlation_id: 'old-id' }));
      await api.patch(`${INCIDENTS}/${data.result.sys_id as string}`, { correlation_id: 'new-id' });
      const byOld = await api.get(INCIDENTS, {
        params: { sysparm_query: 'correlation_id=old-id' },
      });
      const byNew = await api.get(INCIDENTS, {
        params: { sysparm_query: 'correlation_id=new-id^active=true', sysparm_fields: 'number' },
      });
      expect(byOld.data.result).toEqual([]);
      expect(byNew.data.result).toEqual([{ number: 'INC0010001' }]);
    });

    it('pages with sysparm_limit/offset, X-Total-Count and a Link header', async () => {
      for (let index = 0; index < 5; index += 1)
        await api.post(INCIDENTS, incident({ correlation_id: `p-${index}` }));
      const page = await api.get(INCIDENTS, {
        params: { sysparm_limit: 2, sysparm_offset: 2, sysparm_fields: 'correlation_id' },
      });
      expect(page.data.result).toEqual([{ correlation_id: 'p-2' }, { correlation_id: 'p-3' }]);
      expect(page.headers['x-total-count']).toBe('5');
      const offsets = Object.fromEntries(
        (page.headers['link'] as string).split(',').map((part) => {
          const [, url, rel] = /^<([^>]+)>;rel="(\w+)"$/.exec(part)!;
          return [rel, new URL(url!).searchParams.get('sysparm_offset')];
        }),
      );
      expect(offsets).toEqual({ first: '0', prev: '0', next: '4', last: '4' });
      const negative = await api.get(INCIDENTS, { params: { sysparm_offset: -1 } });
      expect(negative.status).toBe(400);
      expect(negative.data.status).toBe('failure');
    });

    it('renders references as links or plain values, and display values on request', async () => {
      const created = await api.post(INCIDENTS, incident());
      const sysId = created.data.result.sys_id as string;
      const plain = await api.get(`${INCIDENTS}/${sysId}`, {
        params: {
          sysparm_exclude_reference_link: 'true',
          sysparm_fields: 'assignment_group,caller_id,state',
        },
      });
      expect(plain.data.result).toEqual({
        assignment_group: sn.assignmentGroups[0]!.sysId,
        caller_id: sn.botUser.sysId,
        state: '1',
      });
      const display = await api.get(`${INCIDENTS}/${sysId}`, {
        params: {
          sysparm_display_value: 'true',
          sysparm_fields: 'state,priority,urgency',
          sysparm_exclude_reference_link: 'true',
        },
      });
      expect(display.data.result).toEqual({
        state: 'New',
        priority: '2 - High',
        urgency: '1 - High',
      });
    });

    it('answers unknown records and tables with the platform errors', async () => {
      const missing = await api.get(`${INCIDENTS}/0123456789abcdef0123456789abcdef`);
      expect(missing.status).toBe(404);
      expect(missing.data).toEqual({
        error: {
          message: 'No Record found',
          detail: "Record doesn't exist or ACL restricts the record retrieval",
        },
        status: 'failure',
      });
      const table = await api.get('/api/now/table/not_a_table');
      expect(table.status).toBe(400);
      expect(table.data.error.message).toBe('Invalid table not_a_table');
    });

    it('serves a configured table besides incident, also under /api/now/v2', async () => {
      const vulns = await startFakeServiceNow({ tables: ['incident', 'sn_vul_vulnerable_item'] });
      try {
        const created = await axios.post(
          `${vulns.url}/api/now/v2/table/sn_vul_vulnerable_item`,
          incident(),
          {
            auth: { username: vulns.botUser.userName, password: vulns.botUser.password },
          },
        );
        expect(created.data.result.number).toBe('VIT0010001');
        expect(vulns.records('sn_vul_vulnerable_item')).toHaveLength(1);
        expect(vulns.records('incident')).toHaveLength(0);
      } finally {
        await vulns.close();
      }
    });
  });

  describe('incident lifecycle', () => {
    it('needs a close code and close notes to resolve (data policy, 403)', async () => {
      const { data } = await api.post(INCIDENTS, incident());
      const sysId = data.result.sys_id as string;
      const refused = await api.patch(`${INCIDENTS}/${sysId}`, { state: '6' });
      expect(refused.status).toBe(403);
      expect(refused.data).toEqual({
        error: {
          message: 'Operation Failed',
          detail:
            'Data Policy Exception: \n\tThe following fields are mandatory: Resolution code, Resolution notes\n',
        },
        status: 'failure',
      });
      expect(sn.record(sysId)!.fields['state']).toBe('1');
      const resolved = await api.patch(`${INCIDENTS}/${sysId}`, {
        state: '6',
        close_code: 'Solution provided',
        close_notes: 'Upgraded nginx to 1.25.4',
      });
      expect(resolved.status).toBe(200);
      expect(resolved.data.result).toMatchObject({
        state: '6',
        incident_state: '6',
        active: 'true',
        close_code: 'Solution provided',
      });
      expect(resolved.data.result.resolved_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    });

    it('refuses an unknown close code and an on-hold state without a reason', async () => {
      const { data } = await api.post(INCIDENTS, incident());
      const sysId = data.result.sys_id as string;
      const code = await api.patch(`${INCIDENTS}/${sysId}`, {
        state: '6',
        close_code: 'Fixed',
        close_notes: 'x',
      });
      expect(code.status).toBe(400);
      const hold = await api.patch(`${INCIDENTS}/${sysId}`, { state: '3' });
      expect(hold.status).toBe(403);
      expect(hold.data.error.detail).toContain('On hold reason');
      expect(
        (await api.patch(`${INCIDENTS}/${sysId}`, { state: '3', hold_reason: '4' })).status,
      ).toBe(200);
    });

    it('reopens a resolved incident, and treats a closed one as read-only', async () => {
      const { data } = await api.post(INCIDENTS, incident());
      const sysId = data.result.sys_id as string;
      await api.patch(`${INCIDENTS}/${sysId}`, {
        state: '6',
        close_code: 'Solution provided',
        close_notes: 'done',
      });
      const reopened = await api.patch(`${INCIDENTS}/${sysId}`, { state: '2' });
      expect(reopened.data.result).toMatchObject({
        state: '2',
        reopen_count: '1',
        resolved_at: '',
      });
      await api.patch(`${INCIDENTS}/${sysId}`, {
        state: '7',
        close_code: 'Solution provided',
        close_notes: 'done',
      });
      expect(sn.record(sysId)!.fields).toMatchObject({ state: '7', active: 'false' });
      const refused = await api.patch(`${INCIDENTS}/${sysId}`, { work_notes: 'still there?' });
      expect(refused.status).toBe(403);
      expect(refused.data.error.detail).toBe(
        'ACL Exception Update Failed due to security constraints',
      );
    });

    it('keeps work notes as a journal, shown only as a display value', async () => {
      const { data } = await api.post(INCIDENTS, incident({ work_notes: 'Opened by hum' }));
      const sysId = data.result.sys_id as string;
      await api.patch(`${INCIDENTS}/${sysId}`, { work_notes: 'Seen again in build 42' });
      expect(sn.record(sysId)!.journal.map((entry) => entry.value)).toEqual([
        'Opened by hum',
        'Seen again in build 42',
      ]);
      const raw = await api.get(`${INCIDENTS}/${sysId}`, {
        params: { sysparm_fields: 'work_notes' },
      });
      expect(raw.data.result.work_notes).toBe('');
      const shown = await api.get(`${INCIDENTS}/${sysId}`, {
        params: { sysparm_fields: 'work_notes', sysparm_display_value: 'true' },
      });
      expect(shown.data.result.work_notes).toMatch(
        /hum\.integration \(Work notes\)\nSeen again in build 42\n\n.*\nOpened by hum/s,
      );
    });

    it('lets a human resolve an incident through the control surface', async () => {
      const { data } = await api.post(INCIDENTS, incident());
      const record = sn.humanUpdate(data.result.number as string, {
        state: '6',
        close_code: 'No resolution provided',
        close_notes: 'Accepted risk',
      });
      expect(record.fields).toMatchObject({
        state: '6',
        resolved_by: sn.humanUser.sysId,
        sys_updated_by: 'riley.human',
      });
      const polled = await api.get(INCIDENTS, {
        params: {
          sysparm_query: 'correlation_id=hum:servicenow:group-abc^state=6',
          sysparm_fields: 'close_code',
        },
      });
      expect(polled.data.result).toEqual([{ close_code: 'No resolution provided' }]);
    });

    it('deletes a record for drift tests', async () => {
      const { data } = await api.post(INCIDENTS, incident());
      expect((await api.delete(`${INCIDENTS}/${data.result.sys_id as string}`)).status).toBe(204);
      expect((await api.get(`${INCIDENTS}/${data.result.sys_id as string}`)).status).toBe(404);
    });
  });

  describe('faults and control API', () => {
    it('answers 429 with Retry-After, 503, and drops connections', async () => {
      sn.inject({ kind: 'status', status: 429, retryAfterSeconds: 2 });
      const limited = await api.get(INCIDENTS);
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('2');
      expect(limited.data.status).toBe('failure');
      sn.inject({ kind: 'status', status: 503, times: 1 });
      expect((await api.get(INCIDENTS)).status).toBe(503);
      sn.inject({ kind: 'drop', times: 1 });
      const error = await api.post(INCIDENTS, incident()).catch((failure: unknown) => failure);
      expect((error as AxiosError).code).toBe('ECONNRESET');
      expect(sn.records()).toEqual([]);
      expect((await api.get(INCIDENTS)).status).toBe(200);
    });

    it('rate-limits with the platform headers', async () => {
      const clock = new ManualClock();
      const limited = await startFakeServiceNow({
        clock,
        faults: [{ kind: 'rateLimit', requestsPerSecond: 1 }],
      });
      try {
        const client = axios.create({
          baseURL: limited.url,
          auth: { username: limited.botUser.userName, password: limited.botUser.password },
          validateStatus: () => true,
        });
        expect((await client.get(INCIDENTS)).status).toBe(200);
        const refused = await client.get(INCIDENTS);
        expect(refused.status).toBe(429);
        expect(refused.headers).toMatchObject({ 'retry-after': '1', 'x-ratelimit-limit': '3600' });
        expect(Number(refused.headers['x-ratelimit-reset'])).toBeGreaterThan(
          clock.now().getTime() / 1000,
        );
        clock.advance(1_000);
        expect((await client.get(INCIDENTS)).status).toBe(200);
      } finally {
        await limited.close();
      }
    });

    it('exposes records, human updates and token expiry over HTTP with the control token', async () => {
      const control = axios.create({
        baseURL: `${sn.url}/__fake`,
        headers: { authorization: `Bearer ${sn.controlToken}` },
        validateStatus: () => true,
      });
      expect(
        (await axios.get(`${sn.url}/__fake/records`, { validateStatus: () => true })).status,
      ).toBe(401);
      await api.post(INCIDENTS, incident());
      const records = await control.get('/records', { params: { table: 'incident' } });
      expect(records.data.records.map((record: { number: string }) => record.number)).toEqual([
        'INC0010001',
      ]);
      const refused = await control.post('/records/incident/INC0010001/human-update', {
        fields: { state: '7' },
      });
      expect(refused.status).toBe(403);
      const closed = await control.post('/records/incident/INC0010001/human-update', {
        fields: { state: '7', close_code: 'Duplicate', close_notes: 'dup of INC0009999' },
      });
      expect(closed.status).toBe(200);
      expect(closed.data.fields.state).toBe('7');
      expect((await control.post('/oauth/expire-all')).status).toBe(204);
      expect((await control.get('/requests')).data.requests.length).toBeGreaterThan(0);
    });

    it('shows incidents on an HTML page behind basic auth', async () => {
      await api.post(INCIDENTS, incident({ due_date: '2026-02-01 00:00:00' }));
      expect(
        (await axios.get(`${sn.url}/`, { validateStatus: () => true })).headers['www-authenticate'],
      ).toMatch(/^Basic/);
      const page = await api.get('/');
      expect(page.data).toContain('INC0010001');
      expect(page.data).toContain('hum:servicenow:group-abc');
      expect(page.data).toContain('Security Operations');
      expect(page.data).toContain('2 - High');
      expect(page.data).toContain('2026-02-01');
    });
  });
});

// Checks the fake Jira Cloud against Atlassian's own OpenAPI description of REST v3: every
// response of a realistic session, and every request body the session sent, must validate
// against the schemas the document declares for that operation and status.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import axios, { type AxiosInstance } from 'axios';
import { startFakeJiraCloud, type FakeJiraCloud } from './jira-cloud-fake';
import { plainTextToAdf } from './adf';

interface OpenApiOperation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> } | undefined>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation | unknown>>;
}

const DOCUMENT_PATH = path.resolve(
  __dirname,
  '../../../../../testdata/corpus/apis/swagger-v3.v3.json',
);

interface Exchange {
  method: string;
  path: string;
  status: number;
  contentType: string;
  data: unknown;
}

describe('fake Jira Cloud conforms to the REST v3 OpenAPI description', () => {
  let document: OpenApiDocument;
  let ajv: Ajv;
  const validators = new Map<string, ValidateFunction>();
  let templates: Array<{ template: string; pattern: RegExp; literals: number }>;
  let jira: FakeJiraCloud;
  let api: AxiosInstance;
  let exchanges: Exchange[];

  beforeAll(() => {
    // 2.4 MB: loaded and registered once for the whole file.
    document = JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8')) as OpenApiDocument;
    ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    for (const format of ['int32', 'int64', 'double', 'float']) ajv.addFormat(format, true);
    ajv.addSchema(document, 'jira');
    templates = Object.keys(document.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      literals: template.split('/').filter((segment) => !segment.startsWith('{')).length,
    }));
  });

  beforeEach(async () => {
    jira = await startFakeJiraCloud();
    api = axios.create({
      baseURL: jira.url,
      auth: { username: jira.botUser.emailAddress, password: jira.botUser.apiToken! },
      validateStatus: () => true,
    });
    exchanges = [];
    api.interceptors.response.use((response) => {
      const url = new URL(response.request.path as string, jira.url);
      exchanges.push({
        method: (response.config.method ?? 'get').toLowerCase(),
        path: url.pathname,
        status: response.status,
        contentType: String(response.headers['content-type'] ?? ''),
        data: response.data,
      });
      return response;
    });
  });

  afterEach(async () => {
    await jira.close();
  });

  function schemaValidator(pointer: string): ValidateFunction {
    let validator = validators.get(pointer);
    if (!validator) {
      validator = ajv.compile({ $ref: `jira#${pointer}` });
      validators.set(pointer, validator);
    }
    return validator;
  }

  function componentValidator(name: string): ValidateFunction {
    return schemaValidator(`/components/schemas/${name}`);
  }

  function operationFor(
    method: string,
    requestPath: string,
  ): { template: string; operation: OpenApiOperation } {
    const candidates = templates
      .filter((candidate) => candidate.pattern.test(requestPath))
      .filter((candidate) => document.paths[candidate.template]![method] !== undefined)
      .sort((left, right) => right.literals - left.literals);
    const match = candidates[0];
    if (!match)
      throw new Error(`${method.toUpperCase()} ${requestPath} is not an operation of the document`);
    return {
      template: match.template,
      operation: document.paths[match.template]![method] as OpenApiOperation,
    };
  }

  function pointerTo(template: string, method: string, ...rest: string[]): string {
    const escape = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');
    return ['', 'paths', escape(template), method, ...rest.map(escape)].join('/');
  }

  function errorsOf(validator: ValidateFunction): string {
    return ajv.errorsText(validator.errors, { separator: '\n' });
  }

  function expectValid(validator: ValidateFunction, value: unknown, what: string): void {
    const valid = validator(value);
    if (!valid)
      throw new Error(
        `${what} does not conform:\n${errorsOf(validator)}\n${JSON.stringify(value).slice(0, 2000)}`,
      );
  }

  /** The document leaves IssueBean.fields open; check the system fields against their own schemas. */
  function expectIssueFieldsValid(issue: Record<string, unknown>, what: string): void {
    const fields = (issue['fields'] ?? {}) as Record<string, unknown>;
    const checks: Array<[string, string]> = [
      ['status', 'StatusDetails'],
      ['priority', 'Priority'],
      ['issuetype', 'IssueTypeDetails'],
      ['project', 'ProjectDetails'],
      ['assignee', 'UserDetails'],
      ['reporter', 'UserDetails'],
      ['creator', 'UserDetails'],
      ['resolution', 'Resolution'],
      ['comment', 'PageOfComments'],
    ];
    for (const [field, schema] of checks) {
      const value = fields[field];
      if (value !== undefined && value !== null)
        expectValid(componentValidator(schema), value, `${what}.fields.${field}`);
    }
    for (const component of (fields['components'] as unknown[] | undefined) ?? []) {
      expectValid(componentValidator('ProjectComponent'), component, `${what}.fields.components[]`);
    }
    if (issue['changelog'] !== undefined)
      expectValid(componentValidator('PageOfChangelogs'), issue['changelog'], `${what}.changelog`);
    if (issue['transitions'] !== undefined) {
      for (const transition of issue['transitions'] as unknown[]) {
        expectValid(componentValidator('IssueTransition'), transition, `${what}.transitions[]`);
      }
    }
  }

  async function runSession(): Promise<void> {
    const adf = (text: string) => plainTextToAdf(text);
    await api.get('/rest/api/3/myself');
    await api.get('/rest/api/3/project/SEC');
    await api.get('/rest/api/3/field');
    const created = await api.post('/rest/api/3/issue', {
      fields: {
        project: { key: 'SEC' },
        issuetype: { name: 'Bug' },
        summary: 'CVE-2024-3094 in xz-utils on build-agent',
        description: {
          type: 'doc',
          version: 1,
          content: [
            { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Finding' }] },
            {
              type: 'paragraph',
              content: [
                { type: 'text', text: 'xz 5.6.0', marks: [{ type: 'code' }] },
                { type: 'text', text: ' is backdoored; see ' },
                {
                  type: 'text',
                  text: 'the advisory',
                  marks: [{ type: 'link', attrs: { href: 'https://example.test/a' } }],
                },
              ],
            },
            {
              type: 'bulletList',
              content: [
                {
                  type: 'listItem',
                  content: [
                    { type: 'paragraph', content: [{ type: 'text', text: 'upgrade to 5.6.2' }] },
                  ],
                },
              ],
            },
          ],
        },
        labels: ['hum', 'hum-group-0f1e2d'],
        priority: { id: '1' },
        duedate: '2026-01-08',
        assignee: { accountId: jira.humanUser.accountId },
        components: [{ name: 'platform' }],
        customfield_10100: 'group-0f1e2d',
        customfield_10101: 10,
        customfield_10102: { value: 'critical' },
      },
    });
    expect(created.status).toBe(201);
    const key = created.data.key as string;
    await api.post('/rest/api/3/issue', {
      fields: { project: { key: 'SEC' }, summary: 'x'.repeat(300) },
    });
    await api.get(`/rest/api/3/issue/${key}`, {
      params: { expand: 'changelog,names,transitions' },
    });
    await api.put(`/rest/api/3/issue/${key}`, {
      update: { labels: [{ add: 'recurring' }] },
      fields: { priority: { name: 'High' } },
    });
    await api.get(`/rest/api/3/issue/${key}/transitions`, {
      params: { expand: 'transitions.fields' },
    });
    await api.post(`/rest/api/3/issue/${key}/comment`, {
      body: adf('Seen again in pipeline 7781.'),
    });
    await api.get(`/rest/api/3/issue/${key}/comment`);
    await api.post(`/rest/api/3/issue/${key}/transitions`, {
      transition: { id: '31' },
      fields: { resolution: { name: 'Done' } },
      update: { comment: [{ add: { body: adf('Fixed by upgrading xz.') } }] },
    });
    await api.get(`/rest/api/3/issue/${key}`, { params: { expand: 'changelog' } });
    await api.post('/rest/api/3/search/jql', {
      jql: 'project = SEC AND labels = "hum-group-0f1e2d" ORDER BY created DESC',
      fields: ['*all'],
      expand: 'names',
      maxResults: 10,
    });
    await api.post('/rest/api/3/search/jql', { jql: 'project = SEC' });
    await api.get('/rest/api/3/search/jql', {
      params: { jql: 'statusCategory = Done', fields: 'summary,status' },
    });
    await api.post('/rest/api/3/search/approximate-count', { jql: 'project = SEC' });
    await api.get('/rest/api/3/issue/SEC-999');
    await api.delete(`/rest/api/3/issue/${key}`);
  }

  it('answers every request of a session with a documented status and a conforming body', async () => {
    await runSession();
    expect(exchanges.length).toBeGreaterThanOrEqual(17);
    for (const exchange of exchanges) {
      const what = `${exchange.method.toUpperCase()} ${exchange.path} -> ${exchange.status}`;
      const { template, operation } = operationFor(exchange.method, exchange.path);
      const declared = operation.responses[String(exchange.status)];
      if (declared === undefined) throw new Error(`${what}: status not declared by the document`);
      const schema = declared.content?.['application/json']?.schema;
      if (schema !== undefined && exchange.contentType.startsWith('application/json')) {
        expectValid(
          schemaValidator(
            pointerTo(
              template,
              exchange.method,
              'responses',
              String(exchange.status),
              'content',
              'application/json',
              'schema',
            ),
          ),
          exchange.data,
          what,
        );
      }
      const data = exchange.data as Record<string, unknown>;
      if (exchange.status === 200 && template === '/rest/api/3/issue/{issueIdOrKey}')
        expectIssueFieldsValid(data, what);
      if (exchange.status === 200 && template === '/rest/api/3/search/jql') {
        for (const issue of data['issues'] as Array<Record<string, unknown>>)
          expectIssueFieldsValid(issue, what);
      }
    }
  });

  it('sent only request bodies that the document accepts', async () => {
    await runSession();
    const withBodies = jira.requests().filter((request) => request.body !== undefined);
    expect(withBodies.length).toBeGreaterThanOrEqual(8);
    for (const request of withBodies) {
      const method = request.method.toLowerCase();
      const { template, operation } = operationFor(method, request.path);
      expect(operation.requestBody?.content?.['application/json']?.schema).toBeDefined();
      expectValid(
        schemaValidator(
          pointerTo(template, method, 'requestBody', 'content', 'application/json', 'schema'),
        ),
        request.body,
        `request ${request.method} ${request.path}`,
      );
    }
  });

  it('has a checker that notices a response or request that breaks the document', () => {
    const issueBean = componentValidator('IssueBean');
    expect(issueBean({ id: 10000, key: 'SEC-1' })).toBe(false);
    expect(issueBean({ id: '10000', key: 'SEC-1', unknownTopLevel: true })).toBe(false);
    const searchRequest = componentValidator('SearchAndReconcileRequestBean');
    expect(searchRequest({ jql: 'project = SEC', startAt: 0 })).toBe(false);
    expect(
      componentValidator('StatusDetails')({ name: 'To Do', statusCategory: { id: 'two' } }),
    ).toBe(false);
  });
});

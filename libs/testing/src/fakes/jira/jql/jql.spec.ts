import { ManualClock } from '@hum/common';
import { cloudDialect } from '../../jira-cloud/cloud-dialect';
import {
  DEFAULT_CUSTOM_FIELDS,
  DEFAULT_ISSUE_TYPES,
  DEFAULT_PRIORITIES,
  DEFAULT_WORKFLOW,
  CLOUD_RESOLUTIONS,
} from '../jira-defaults';
import { JiraApiError } from '../jira-errors';
import { JiraStore } from '../jira-store';
import { compileJql } from './jql-compile';
import { parseJql } from './jql-syntax';

const bot = {
  accountId: 'bot',
  name: '',
  key: '',
  emailAddress: 'bot@example.test',
  displayName: 'Bot',
  active: true,
  timeZone: 'Etc/UTC',
};

function buildStore(clock: ManualClock): JiraStore {
  return new JiraStore(
    {
      users: [
        bot,
        { ...bot, accountId: 'riley', emailAddress: 'riley@example.test', displayName: 'Riley' },
      ],
      projects: [
        {
          id: '1',
          key: 'SEC',
          name: 'Security',
          issueTypeIds: ['10001', '10002'],
          components: [{ id: '7', name: 'api' }],
          leadAccountId: 'bot',
        },
        {
          id: '2',
          key: 'OPS',
          name: 'Operations',
          issueTypeIds: ['10001'],
          components: [],
          leadAccountId: 'bot',
        },
      ],
      workflow: DEFAULT_WORKFLOW,
      issueTypes: DEFAULT_ISSUE_TYPES,
      priorities: DEFAULT_PRIORITIES,
      resolutions: CLOUD_RESOLUTIONS,
      customFields: DEFAULT_CUSTOM_FIELDS,
    },
    cloudDialect,
    clock,
  );
}

describe('JQL', () => {
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  const store = buildStore(clock);
  const create = (
    project: string,
    summary: string,
    labels: string[],
    extra: Record<string, unknown> = {},
  ) => {
    const issue = store.create(
      {
        fields: {
          project: { key: project },
          issuetype: { name: 'Task' },
          summary,
          labels,
          ...extra,
        },
      },
      'bot',
    );
    clock.advance(60_000);
    return issue.key;
  };
  const one = create('SEC', 'openssl finding', ['hum', 'hum-group-1'], {
    priority: { name: 'Highest' },
  });
  const two = create('SEC', 'nginx finding', ['hum', 'hum-group-2'], {
    assignee: { accountId: 'riley' },
    duedate: '2026-03-05',
  });
  const three = create('OPS', 'failed patch', [], { customfield_10102: { value: 'low' } });
  store.transition(store.findIssue(two)!, '31', {}, 'riley');

  const search = (jql: string): string[] => {
    const compiled = compileJql(jql, {
      directory: store,
      now: clock.now(),
      currentAccountId: 'riley',
      plainText: cloudDialect.plainText,
    });
    return store
      .allIssues()
      .filter(compiled.matches)
      .sort(compiled.compare)
      .map((issue) => issue.key);
  };
  const errorOf = (jql: string): string => {
    try {
      search(jql);
    } catch (error) {
      if (error instanceof JiraApiError) return error.errorMessages[0]!;
      throw error;
    }
    throw new Error(`no error for ${jql}`);
  };

  it('parses precedence: AND before OR, NOT, parentheses and ORDER BY', () => {
    expect(parseJql('a = 1 OR b = 2 AND c = 3 ORDER BY created DESC, key')).toEqual({
      where: {
        kind: 'or',
        parts: [
          {
            kind: 'clause',
            field: 'a',
            operator: '=',
            operand: { kind: 'value', text: '1', quoted: false },
          },
          {
            kind: 'and',
            parts: [
              {
                kind: 'clause',
                field: 'b',
                operator: '=',
                operand: { kind: 'value', text: '2', quoted: false },
              },
              {
                kind: 'clause',
                field: 'c',
                operator: '=',
                operand: { kind: 'value', text: '3', quoted: false },
              },
            ],
          },
        ],
      },
      orderBy: [
        { field: 'created', direction: 'desc' },
        { field: 'key', direction: 'asc' },
      ],
    });
  });

  it('matches projects, labels, status categories and keys', () => {
    expect(search('project = SEC ORDER BY key ASC')).toEqual([one, two]);
    expect(search('labels = "hum-group-2"')).toEqual([two]);
    expect(search('labels in (hum-group-1, hum-group-2) AND statusCategory != Done')).toEqual([
      one,
    ]);
    // Keys sort by project key, then by number.
    expect(search(`key = ${three} OR status = Done ORDER BY key ASC`)).toEqual([three, two]);
    expect(search('project in (SEC, OPS) AND NOT (labels = hum) ')).toEqual([three]);
  });

  it('follows Jira: negative operators never match EMPTY fields', () => {
    expect(search('labels != hum-group-1 ORDER BY key ASC')).toEqual([two]);
    expect(search('labels is EMPTY')).toEqual([three]);
    expect(search('assignee != riley')).toEqual([]);
    expect(search('assignee = currentUser()')).toEqual([two]);
  });

  it('knows resolution, priority, custom options, text and dates', () => {
    expect(search('resolution = Unresolved ORDER BY key ASC')).toEqual([three, one]);
    expect(search('resolution = Done')).toEqual([two]);
    expect(search('priority = Highest')).toEqual([one]);
    expect(search('"Risk tier" = low')).toEqual([three]);
    expect(search('summary ~ nginx')).toEqual([two]);
    expect(search('duedate <= "2026-03-05"')).toEqual([two]);
    expect(search('created >= -2m ORDER BY created ASC')).toEqual([two, three]);
    expect(search('project = SEC ORDER BY priority ASC')).toEqual([one, two]);
  });

  it('answers what it cannot evaluate with Jira’s messages', () => {
    expect(errorOf('project = NOPE')).toBe(
      "The value 'NOPE' does not exist for the field 'project'.",
    );
    expect(errorOf('status = Closed')).toBe(
      "The value 'Closed' does not exist for the field 'status'.",
    );
    expect(errorOf('key = SEC-99')).toBe(
      "An issue with key 'SEC-99' does not exist for field 'key'.",
    );
    expect(errorOf('colour = red')).toBe(
      "Field 'colour' does not exist or you do not have permission to view it.",
    );
    expect(errorOf('summary = x')).toBe(
      "The operator '=' is not supported by the 'summary' field.",
    );
    expect(errorOf('project = SEC ORDER BY labels2')).toMatch(/does not exist|Not able to sort/);
    expect(errorOf('project = ')).toMatch(/^Error in the JQL Query: .*\(line 1, character \d+\)$/);
    expect(errorOf('project = "SEC')).toMatch(/has not been completed/);
    expect(errorOf('created > "yesterday"')).toMatch(/Date value 'yesterday'/);
  });
});

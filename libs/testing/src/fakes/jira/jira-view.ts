import { optionId } from './issue-input';
import { STATUS_CATEGORIES } from './jira-defaults';
import type { JiraDirectory } from './jira-directory';
import { avatarUrls, type JiraDialect } from './jira-dialect';
import type {
  ChangeHistory,
  JiraComment,
  JiraCustomField,
  JiraIssue,
  JiraProject,
  JiraStatus,
  JiraTransition,
  JiraUserAccount,
  NamedEntity,
} from './jira-model';
import type { BaseUrl } from '../server/fake-service';

type Json = Record<string, unknown>;

const ISSUE_EXPAND =
  'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations';
const SYSTEM_FIELDS = [
  'summary',
  'issuetype',
  'project',
  'status',
  'statuscategorychangedate',
  'priority',
  'labels',
  'components',
  'duedate',
  'assignee',
  'reporter',
  'creator',
  'resolution',
  'resolutiondate',
  'created',
  'updated',
  'description',
  'comment',
] as const;
/** Fields the issue navigator can show; `comment` is not one, so searches leave it out. */
const NOT_NAVIGABLE = new Set(['comment']);

/** Which fields a request asked for: `*all`, `*navigable`, a list, `-field` exclusions. */
export interface FieldSelection {
  readonly includes: (fieldId: string) => boolean;
  /** True when nothing but the id was asked for (Cloud's enhanced-search default). */
  readonly idOnly: boolean;
}

export function selectFields(
  requested: readonly string[] | undefined,
  fallback: '*all' | '*navigable' | 'id',
): FieldSelection {
  const items = (requested && requested.length > 0 ? requested : [fallback])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  const excluded = new Set(
    items.filter((item) => item.startsWith('-')).map((item) => item.slice(1)),
  );
  const included = items.filter((item) => !item.startsWith('-'));
  const all = included.includes('*all');
  const navigable = included.includes('*navigable');
  const named = new Set(included.filter((item) => !item.startsWith('*')));
  const includes = (fieldId: string): boolean =>
    !excluded.has(fieldId) &&
    (all || (navigable && !NOT_NAVIGABLE.has(fieldId)) || named.has(fieldId));
  const idOnly = !all && !navigable && [...named].every((item) => item === 'id' || item === 'key');
  return { includes, idOnly };
}

/** Jira's timestamp format: 2026-01-01T00:00:00.000+0000. */
export function jiraDateTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

/** Renders the fake's issues as Jira's REST resources (IssueBean and its parts). */
export class JiraView {
  constructor(
    private readonly directory: JiraDirectory,
    private readonly dialect: JiraDialect,
    private readonly baseUrl: BaseUrl,
  ) {}

  private get api(): string {
    return `${this.baseUrl.value}/rest/api/${this.dialect.apiVersion}`;
  }

  issueSelf(issue: JiraIssue): string {
    return `${this.api}/issue/${issue.id}`;
  }

  issue(
    issue: JiraIssue,
    selection: FieldSelection,
    expand: ReadonlySet<string> = new Set(),
  ): Json {
    const fields: Json = {};
    for (const fieldId of SYSTEM_FIELDS) {
      if (selection.includes(fieldId)) fields[fieldId] = this.systemField(issue, fieldId);
    }
    for (const custom of this.directory.customFields) {
      if (selection.includes(custom.id))
        fields[custom.id] = this.customValue(custom, issue.customFields.get(custom.id));
    }
    const bean: Json = {
      expand: ISSUE_EXPAND,
      id: issue.id,
      self: this.issueSelf(issue),
      key: issue.key,
    };
    if (Object.keys(fields).length > 0 || !selection.idOnly) bean['fields'] = fields;
    if (expand.has('names')) bean['names'] = this.names();
    if (expand.has('changelog')) {
      bean['changelog'] = {
        startAt: 0,
        maxResults: issue.histories.length,
        total: issue.histories.length,
        histories: issue.histories.map((history) => this.history(history)),
      };
    }
    if (expand.has('transitions')) {
      bean['transitions'] = this.directory.workflow.transitions
        .filter((transition) => transition.from.includes(issue.statusId))
        .map((transition) => this.transition(transition, false));
    }
    return bean;
  }

  /** Fields as webhooks carry them: everything. */
  webhookIssue(issue: JiraIssue): Json {
    return {
      id: issue.id,
      self: this.issueSelf(issue),
      key: issue.key,
      fields: this.issue(issue, selectFields(['*all', '-comment'], '*all'))['fields'],
    };
  }

  names(): Record<string, string> {
    const names: Record<string, string> = {
      summary: 'Summary',
      issuetype: 'Issue Type',
      project: 'Project',
      status: 'Status',
      statuscategorychangedate: 'Status Category Changed',
      priority: 'Priority',
      labels: 'Labels',
      components: 'Components',
      duedate: 'Due date',
      assignee: 'Assignee',
      reporter: 'Reporter',
      creator: 'Creator',
      resolution: 'Resolution',
      resolutiondate: 'Resolved',
      created: 'Created',
      updated: 'Updated',
      description: 'Description',
      comment: 'Comment',
    };
    for (const custom of this.directory.customFields) names[custom.id] = custom.name;
    return names;
  }

  user(accountId: string | null): Json | null {
    if (accountId === null) return null;
    const user = this.directory.findUser(accountId);
    return user ? this.dialect.renderUser(user, this.baseUrl.value) : null;
  }

  account(user: JiraUserAccount): Json {
    return this.dialect.renderUser(user, this.baseUrl.value);
  }

  status(status: JiraStatus): Json {
    const category = STATUS_CATEGORIES[status.category];
    return {
      self: `${this.api}/status/${status.id}`,
      description: status.description,
      iconUrl: `${this.baseUrl.value}/images/icons/statuses/generic.png`,
      name: status.name,
      id: status.id,
      statusCategory: {
        self: `${this.api}/statuscategory/${category.id}`,
        id: category.id,
        key: category.key,
        colorName: category.colorName,
        name: category.name,
      },
    };
  }

  issueType(type: NamedEntity): Json {
    return {
      self: `${this.api}/issuetype/${type.id}`,
      id: type.id,
      description: type.description ?? '',
      iconUrl: `${this.baseUrl.value}/images/icons/issuetypes/${type.name.toLowerCase()}.svg`,
      name: type.name,
      subtask: false,
      hierarchyLevel: 0,
    };
  }

  projectReference(project: JiraProject): Json {
    const reference: Json = {
      self: `${this.api}/project/${project.id}`,
      id: project.id,
      key: project.key,
      name: project.name,
      projectTypeKey: 'software',
      avatarUrls: avatarUrls(this.baseUrl.value, `project-${project.id}`),
    };
    if (this.dialect.flavour === 'cloud') reference['simplified'] = false;
    return reference;
  }

  project(project: JiraProject): Json {
    const lead = this.directory.findUser(project.leadAccountId);
    const body: Json = {
      expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
      self: `${this.api}/project/${project.id}`,
      id: project.id,
      key: project.key,
      description: `${project.name} (fake)`,
      ...(lead ? { lead: this.account(lead) } : {}),
      components: project.components.map((component) => ({
        ...this.component(component),
        isAssigneeTypeValid: false,
      })),
      issueTypes: this.directory.issueTypes
        .filter((type) => project.issueTypeIds.includes(type.id))
        .map((type) => this.issueType(type)),
      assigneeType: 'UNASSIGNED',
      versions: [],
      name: project.name,
      roles: {},
      avatarUrls: avatarUrls(this.baseUrl.value, `project-${project.id}`),
      projectTypeKey: 'software',
      archived: false,
      properties: {},
    };
    if (this.dialect.flavour === 'cloud') {
      body['simplified'] = false;
      body['style'] = 'classic';
      body['isPrivate'] = false;
    }
    return body;
  }

  component(component: NamedEntity): Json {
    return {
      self: `${this.api}/component/${component.id}`,
      id: component.id,
      name: component.name,
    };
  }

  priority(priority: NamedEntity): Json {
    return {
      self: `${this.api}/priority/${priority.id}`,
      iconUrl: `${this.baseUrl.value}/images/icons/priorities/${priority.name.toLowerCase()}.svg`,
      name: priority.name,
      id: priority.id,
    };
  }

  resolution(resolution: NamedEntity): Json {
    return {
      self: `${this.api}/resolution/${resolution.id}`,
      id: resolution.id,
      description: resolution.description ?? '',
      name: resolution.name,
    };
  }

  transition(transition: JiraTransition, withFields: boolean): Json {
    const target = this.directory.status(transition.to);
    const body: Json = {
      id: transition.id,
      name: transition.name,
      to: this.status(target),
      hasScreen: target.category === 'done',
      isGlobal: false,
      isInitial: false,
      isAvailable: true,
      isConditional: false,
      isLooped: false,
    };
    if (withFields) {
      body['fields'] =
        target.category === 'done'
          ? {
              resolution: {
                required: false,
                schema: { type: 'resolution', system: 'resolution' },
                name: 'Resolution',
                key: 'resolution',
                hasDefaultValue: true,
                operations: ['set'],
                allowedValues: this.directory.resolutions.map((resolution) =>
                  this.resolution(resolution),
                ),
              },
            }
          : {};
    }
    return body;
  }

  comment(issue: JiraIssue, comment: JiraComment): Json {
    const author = this.user(comment.authorAccountId);
    const body: Json = {
      self: `${this.api}/issue/${issue.id}/comment/${comment.id}`,
      id: comment.id,
      ...(author ? { author, updateAuthor: author } : {}),
      body: comment.body,
      created: jiraDateTime(comment.created),
      updated: jiraDateTime(comment.updated),
    };
    if (this.dialect.flavour === 'cloud') body['jsdPublic'] = true;
    return body;
  }

  history(history: ChangeHistory): Json {
    const author = this.user(history.authorAccountId);
    return {
      id: history.id,
      ...(author ? { author } : {}),
      created: jiraDateTime(history.created),
      // REST leaves out empty from/to values (webhooks carry them as null).
      items: history.items.map((item) =>
        Object.fromEntries(Object.entries(item).filter(([, value]) => value !== null)),
      ),
    };
  }

  private systemField(issue: JiraIssue, fieldId: (typeof SYSTEM_FIELDS)[number]): unknown {
    switch (fieldId) {
      case 'summary':
        return issue.summary;
      case 'issuetype': {
        const type = this.directory.issueTypes.find(
          (candidate) => candidate.id === issue.issueTypeId,
        );
        return type ? this.issueType(type) : null;
      }
      case 'project':
        return this.projectReference(this.directory.project(issue.projectId));
      case 'status':
        return this.status(this.directory.status(issue.statusId));
      case 'statuscategorychangedate':
        return jiraDateTime(issue.statusCategoryChangeDate);
      case 'priority': {
        const priority = this.directory.priorities.find(
          (candidate) => candidate.id === issue.priorityId,
        );
        return priority ? this.priority(priority) : null;
      }
      case 'labels':
        return [...issue.labels];
      case 'components': {
        const project = this.directory.project(issue.projectId);
        return issue.componentIds.flatMap((id) => {
          const component = project.components.find((candidate) => candidate.id === id);
          return component ? [this.component(component)] : [];
        });
      }
      case 'duedate':
        return issue.duedate;
      case 'assignee':
        return this.user(issue.assigneeAccountId);
      case 'reporter':
        return this.user(issue.reporterAccountId);
      case 'creator':
        return this.user(issue.creatorAccountId);
      case 'resolution': {
        const resolution = this.directory.resolutions.find(
          (candidate) => candidate.id === issue.resolutionId,
        );
        return resolution ? this.resolution(resolution) : null;
      }
      case 'resolutiondate':
        return issue.resolutionDate === null ? null : jiraDateTime(issue.resolutionDate);
      case 'created':
        return jiraDateTime(issue.created);
      case 'updated':
        return jiraDateTime(issue.updated);
      case 'description':
        return issue.description;
      case 'comment':
        return {
          comments: issue.comments.map((comment) => this.comment(issue, comment)),
          self: `${this.issueSelf(issue)}/comment`,
          maxResults: issue.comments.length,
          total: issue.comments.length,
          startAt: 0,
        };
    }
  }

  private customValue(field: JiraCustomField, value: unknown): unknown {
    if (value === undefined || value === null) return null;
    if (field.type !== 'option') return value;
    const index = field.options?.indexOf(String(value)) ?? -1;
    return {
      self: `${this.api}/customFieldOption/${optionId(field, index)}`,
      value,
      id: optionId(field, index),
    };
  }

  /** The field catalogue (`GET /field`), so clients can map custom field names to ids. */
  fields(): Json[] {
    const system = SYSTEM_FIELDS.map((id) => ({
      id,
      key: id,
      name: this.names()[id] ?? id,
      custom: false,
      orderable: ![
        'status',
        'created',
        'updated',
        'creator',
        'resolutiondate',
        'statuscategorychangedate',
        'comment',
      ].includes(id),
      navigable: !NOT_NAVIGABLE.has(id),
      searchable: true,
      clauseNames: [id],
    }));
    const custom = this.directory.customFields.map((field) => ({
      id: field.id,
      key: field.id,
      name: field.name,
      custom: true,
      orderable: true,
      navigable: true,
      searchable: true,
      clauseNames: [`cf[${field.id.replace('customfield_', '')}]`, field.name],
      schema: {
        type: field.type === 'labels' ? 'array' : field.type === 'option' ? 'option' : field.type,
        custom: `com.atlassian.jira.plugin.system.customfieldtypes:${field.type}`,
        customId: Number(field.id.replace('customfield_', '')),
      },
    }));
    return [...system, ...custom];
  }
}

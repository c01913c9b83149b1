import type { Clock } from '@hum/common';
import { DEFAULT_PRIORITY_ID } from './jira-defaults';
import type { JiraDirectory } from './jira-directory';
import type { JiraDialect } from './jira-dialect';
import { ISSUE_NOT_FOUND, JiraApiError } from './jira-errors';
import { parseIssueInput, type IssueInput, type IssuePatch } from './issue-input';
import type {
  ChangeHistory,
  ChangeItem,
  JiraComment,
  JiraCustomField,
  JiraIssue,
  JiraProject,
  JiraStatus,
  JiraTransition,
  JiraUserAccount,
  JiraWorkflow,
  NamedEntity,
} from './jira-model';

export interface JiraSiteConfig {
  readonly users: readonly JiraUserAccount[];
  readonly projects: readonly JiraProject[];
  readonly workflow: JiraWorkflow;
  readonly issueTypes: readonly NamedEntity[];
  readonly priorities: readonly NamedEntity[];
  readonly resolutions: readonly NamedEntity[];
  readonly customFields: readonly JiraCustomField[];
}

/** What webhooks are made of; `issue_event_type_name` follows Jira's names. */
export interface JiraIssueEvent {
  readonly webhookEvent: 'jira:issue_created' | 'jira:issue_updated' | 'jira:issue_deleted';
  readonly eventTypeName:
    | 'issue_created'
    | 'issue_updated'
    | 'issue_generic'
    | 'issue_commented'
    | 'issue_resolved'
    | 'issue_reopened'
    | 'issue_deleted';
  readonly issue: JiraIssue;
  readonly actorAccountId: string;
  readonly history?: ChangeHistory;
  readonly comment?: JiraComment;
}

export type JiraIssueListener = (event: JiraIssueEvent) => void;

/**
 * One Jira site's state and rules: keys per project, the workflow, resolutions, history.
 * Shared by the Cloud and Data Center fakes; the dialect only changes rich text and users.
 */
export class JiraStore implements JiraDirectory {
  private issues = new Map<string, JiraIssue>();
  // Indexes, as Jira's own: lookups by key and label searches stay fast with many issues.
  private byKey = new Map<string, JiraIssue>();
  private byLabel = new Map<string, Set<string>>();
  private nextIssueId = 10_000;
  private nextCommentId = 10_000;
  private nextHistoryId = 10_000;
  private nextNumber = new Map<string, number>();
  private readonly listeners: JiraIssueListener[] = [];

  constructor(
    private readonly config: JiraSiteConfig,
    private readonly dialect: JiraDialect,
    private readonly clock: Clock,
  ) {}

  get workflow(): JiraWorkflow {
    return this.config.workflow;
  }

  get issueTypes(): readonly NamedEntity[] {
    return this.config.issueTypes;
  }

  get priorities(): readonly NamedEntity[] {
    return this.config.priorities;
  }

  get resolutions(): readonly NamedEntity[] {
    return this.config.resolutions;
  }

  get customFields(): readonly JiraCustomField[] {
    return this.config.customFields;
  }

  projects(): readonly JiraProject[] {
    return this.config.projects;
  }

  users(): readonly JiraUserAccount[] {
    return this.config.users;
  }

  allIssues(): readonly JiraIssue[] {
    return [...this.issues.values()];
  }

  onEvent(listener: JiraIssueListener): void {
    this.listeners.push(listener);
  }

  findProject(keyOrId: string): JiraProject | undefined {
    const upper = keyOrId.toUpperCase();
    return this.config.projects.find((project) => project.id === keyOrId || project.key === upper);
  }

  project(id: string): JiraProject {
    const project = this.config.projects.find((candidate) => candidate.id === id);
    if (!project) throw new Error(`fake Jira: issue refers to unknown project ${id}`);
    return project;
  }

  findIssue(keyOrId: string): JiraIssue | undefined {
    return this.issues.get(keyOrId) ?? this.byKey.get(keyOrId.toUpperCase());
  }

  /** Issues carrying any of the labels (case-insensitive), via the label index. */
  issuesWithAnyLabel(labels: readonly string[]): JiraIssue[] {
    const ids = new Set<string>();
    for (const label of labels) {
      for (const id of this.byLabel.get(label.toLowerCase()) ?? []) ids.add(id);
    }
    return [...ids].map((id) => this.issues.get(id)!);
  }

  requireIssue(keyOrId: string): JiraIssue {
    const issue = this.findIssue(keyOrId);
    if (!issue) throw new JiraApiError(404, [ISSUE_NOT_FOUND]);
    return issue;
  }

  findUser(accountId: string): JiraUserAccount | undefined {
    return this.config.users.find((user) => user.accountId === accountId);
  }

  status(id: string): JiraStatus {
    const status = this.config.workflow.statuses.find((candidate) => candidate.id === id);
    if (!status) throw new Error(`fake Jira: workflow has no status ${id}`);
    return status;
  }

  reset(): void {
    this.issues = new Map();
    this.byKey = new Map();
    this.byLabel = new Map();
    this.nextNumber = new Map();
    this.nextIssueId = 10_000;
    this.nextCommentId = 10_000;
    this.nextHistoryId = 10_000;
  }

  create(input: IssueInput, actorAccountId: string): JiraIssue {
    const { patch, comments } = parseIssueInput(input, {
      directory: this,
      dialect: this.dialect,
      mode: 'create',
    });
    const project = this.project(patch.projectId!);
    const number = (this.nextNumber.get(project.id) ?? 0) + 1;
    this.nextNumber.set(project.id, number);
    const now = this.clock.now();
    const issue: JiraIssue = {
      id: String(this.nextIssueId++),
      key: `${project.key}-${number}`,
      projectId: project.id,
      summary: patch.summary!,
      description: patch.description ?? null,
      issueTypeId: patch.issueTypeId!,
      priorityId: patch.priorityId === undefined ? DEFAULT_PRIORITY_ID : patch.priorityId,
      labels: patch.labels ?? [],
      duedate: patch.duedate ?? null,
      assigneeAccountId: patch.assigneeAccountId ?? null,
      reporterAccountId: patch.reporterAccountId ?? actorAccountId,
      creatorAccountId: actorAccountId,
      componentIds: patch.componentIds ?? [],
      customFields: patch.customFields ?? new Map(),
      statusId: this.config.workflow.initialStatusId,
      resolutionId: null,
      resolutionDate: null,
      created: now,
      updated: now,
      statusCategoryChangeDate: now,
      comments: [],
      histories: [],
    };
    this.issues.set(issue.id, issue);
    this.byKey.set(issue.key, issue);
    this.indexLabels(issue.id, [], issue.labels);
    for (const body of comments) this.appendComment(issue, body, actorAccountId);
    this.emit({
      webhookEvent: 'jira:issue_created',
      eventTypeName: 'issue_created',
      issue,
      actorAccountId,
    });
    return issue;
  }

  edit(issue: JiraIssue, input: IssueInput, actorAccountId: string): void {
    const { patch, comments } = parseIssueInput(input, {
      directory: this,
      dialect: this.dialect,
      mode: 'edit',
      current: issue,
    });
    const items = this.applyPatch(issue, patch);
    const history = this.recordHistory(issue, items, actorAccountId);
    const addedComments = comments.map((body) => this.appendComment(issue, body, actorAccountId));
    if (items.length > 0 || addedComments.length > 0) issue.updated = this.clock.now();
    if (history) {
      this.emit({
        webhookEvent: 'jira:issue_updated',
        eventTypeName: 'issue_updated',
        issue,
        actorAccountId,
        history,
      });
    }
    for (const comment of addedComments) this.emitComment(issue, comment, actorAccountId);
  }

  delete(issue: JiraIssue, actorAccountId: string): void {
    this.issues.delete(issue.id);
    this.byKey.delete(issue.key);
    this.indexLabels(issue.id, issue.labels, []);
    this.emit({
      webhookEvent: 'jira:issue_deleted',
      eventTypeName: 'issue_deleted',
      issue,
      actorAccountId,
    });
  }

  availableTransitions(issue: JiraIssue): JiraTransition[] {
    return this.config.workflow.transitions.filter((transition) =>
      transition.from.includes(issue.statusId),
    );
  }

  transition(
    issue: JiraIssue,
    transitionId: unknown,
    input: IssueInput,
    actorAccountId: string,
  ): void {
    const transition = this.availableTransitions(issue).find(
      (candidate) => candidate.id === String(transitionId),
    );
    if (!transition) {
      throw JiraApiError.badRequest(
        `Transition id '${String(transitionId)}' is not valid for this issue.`,
      );
    }
    const target = this.status(transition.to);
    const { patch, comments } = parseIssueInput(input, {
      directory: this,
      dialect: this.dialect,
      mode: 'transition',
      current: issue,
      resolutionOnScreen: target.category === 'done',
    });
    const before = this.status(issue.statusId);
    const now = this.clock.now();
    const items: ChangeItem[] = [];
    // Post-functions of the default workflows: set a resolution on the way into a done
    // status, clear it on the way out.
    if (target.category === 'done') {
      patch.resolutionId ??= this.defaultResolutionId();
    } else if (issue.resolutionId !== null) {
      patch.resolutionId = null;
    }
    if (patch.resolutionId !== undefined && patch.resolutionId !== issue.resolutionId) {
      items.push(
        jiraItem(
          'resolution',
          issue.resolutionId,
          this.resolutionName(issue.resolutionId),
          patch.resolutionId,
          this.resolutionName(patch.resolutionId),
        ),
      );
      issue.resolutionId = patch.resolutionId;
      issue.resolutionDate = patch.resolutionId === null ? null : now;
    }
    delete patch.resolutionId;
    items.push(...this.applyPatch(issue, patch));
    items.push(jiraItem('status', before.id, before.name, target.id, target.name));
    issue.statusId = target.id;
    if (before.category !== target.category) issue.statusCategoryChangeDate = now;
    issue.updated = now;
    const history = this.recordHistory(issue, items, actorAccountId)!;
    const addedComments = comments.map((body) => this.appendComment(issue, body, actorAccountId));
    this.emit({
      webhookEvent: 'jira:issue_updated',
      eventTypeName:
        target.category === 'done'
          ? 'issue_resolved'
          : before.category === 'done'
            ? 'issue_reopened'
            : 'issue_generic',
      issue,
      actorAccountId,
      history,
      ...(addedComments[0] ? { comment: addedComments[0] } : {}),
    });
  }

  addComment(issue: JiraIssue, body: unknown, actorAccountId: string): JiraComment {
    const comment = this.appendComment(issue, body, actorAccountId);
    issue.updated = comment.created;
    this.emitComment(issue, comment, actorAccountId);
    return comment;
  }

  private appendComment(issue: JiraIssue, body: unknown, actorAccountId: string): JiraComment {
    const now = this.clock.now();
    const comment: JiraComment = {
      id: String(this.nextCommentId++),
      authorAccountId: actorAccountId,
      body,
      created: now,
      updated: now,
    };
    issue.comments.push(comment);
    return comment;
  }

  private emitComment(issue: JiraIssue, comment: JiraComment, actorAccountId: string): void {
    this.emit({
      webhookEvent: 'jira:issue_updated',
      eventTypeName: 'issue_commented',
      issue,
      actorAccountId,
      comment,
    });
  }

  private defaultResolutionId(): string {
    const done = this.config.resolutions.find((resolution) => resolution.name === 'Done');
    return (done ?? this.config.resolutions[0]!).id;
  }

  private resolutionName(id: string | null): string | null {
    if (id === null) return null;
    return this.config.resolutions.find((resolution) => resolution.id === id)?.name ?? id;
  }

  private applyPatch(issue: JiraIssue, patch: IssuePatch): ChangeItem[] {
    const items: ChangeItem[] = [];
    if (patch.summary !== undefined && patch.summary !== issue.summary) {
      items.push(jiraItem('summary', null, issue.summary, null, patch.summary));
      issue.summary = patch.summary;
    }
    if (patch.description !== undefined) {
      const from = this.dialect.plainText(issue.description);
      const to = this.dialect.plainText(patch.description);
      if (JSON.stringify(issue.description) !== JSON.stringify(patch.description)) {
        items.push(jiraItem('description', null, from || null, null, to || null));
      }
      issue.description = patch.description;
    }
    if (patch.issueTypeId !== undefined && patch.issueTypeId !== issue.issueTypeId) {
      const name = (id: string): string =>
        this.config.issueTypes.find((type) => type.id === id)?.name ?? id;
      items.push(
        jiraItem(
          'issuetype',
          issue.issueTypeId,
          name(issue.issueTypeId),
          patch.issueTypeId,
          name(patch.issueTypeId),
        ),
      );
      issue.issueTypeId = patch.issueTypeId;
    }
    if (patch.priorityId !== undefined && patch.priorityId !== issue.priorityId) {
      const name = (id: string | null): string | null =>
        id === null
          ? null
          : (this.config.priorities.find((priority) => priority.id === id)?.name ?? id);
      items.push(
        jiraItem(
          'priority',
          issue.priorityId,
          name(issue.priorityId),
          patch.priorityId,
          name(patch.priorityId),
        ),
      );
      issue.priorityId = patch.priorityId;
    }
    if (patch.labels !== undefined && patch.labels.join(' ') !== issue.labels.join(' ')) {
      items.push(jiraItem('labels', null, issue.labels.join(' '), null, patch.labels.join(' ')));
      this.indexLabels(issue.id, issue.labels, patch.labels);
      issue.labels = patch.labels;
    }
    if (patch.duedate !== undefined && patch.duedate !== issue.duedate) {
      items.push(jiraItem('duedate', issue.duedate, issue.duedate, patch.duedate, patch.duedate));
      issue.duedate = patch.duedate;
    }
    if (
      patch.assigneeAccountId !== undefined &&
      patch.assigneeAccountId !== issue.assigneeAccountId
    ) {
      items.push(
        jiraItem(
          'assignee',
          issue.assigneeAccountId,
          this.displayName(issue.assigneeAccountId),
          patch.assigneeAccountId,
          this.displayName(patch.assigneeAccountId),
        ),
      );
      issue.assigneeAccountId = patch.assigneeAccountId;
    }
    if (
      patch.reporterAccountId !== undefined &&
      patch.reporterAccountId !== issue.reporterAccountId
    ) {
      items.push(
        jiraItem(
          'reporter',
          issue.reporterAccountId,
          this.displayName(issue.reporterAccountId),
          patch.reporterAccountId,
          this.displayName(patch.reporterAccountId),
        ),
      );
      issue.reporterAccountId = patch.reporterAccountId;
    }
    if (
      patch.componentIds !== undefined &&
      patch.componentIds.join() !== issue.componentIds.join()
    ) {
      const names = (ids: readonly string[]): string =>
        ids
          .map(
            (id) => this.project(issue.projectId).components.find((c) => c.id === id)?.name ?? id,
          )
          .join(', ');
      items.push({
        ...jiraItem(
          'Component',
          issue.componentIds.join(', '),
          names(issue.componentIds),
          patch.componentIds.join(', '),
          names(patch.componentIds),
        ),
        fieldId: 'components',
      });
      issue.componentIds = patch.componentIds;
    }
    if (patch.customFields !== undefined) {
      for (const field of this.config.customFields) {
        const before = issue.customFields.get(field.id) ?? null;
        const after = patch.customFields.get(field.id) ?? null;
        if (JSON.stringify(before) === JSON.stringify(after)) continue;
        items.push({
          field: field.name,
          fieldtype: 'custom',
          fieldId: field.id,
          from: null,
          fromString: before === null ? null : String(before),
          to: null,
          toString: after === null ? null : String(after),
        });
      }
      issue.customFields = patch.customFields;
    }
    return items;
  }

  private recordHistory(
    issue: JiraIssue,
    items: readonly ChangeItem[],
    actorAccountId: string,
  ): ChangeHistory | undefined {
    if (items.length === 0) return undefined;
    const history: ChangeHistory = {
      id: String(this.nextHistoryId++),
      authorAccountId: actorAccountId,
      created: this.clock.now(),
      items,
    };
    issue.histories.push(history);
    return history;
  }

  private indexLabels(issueId: string, before: readonly string[], after: readonly string[]): void {
    for (const label of before) this.byLabel.get(label.toLowerCase())?.delete(issueId);
    for (const label of after) {
      const key = label.toLowerCase();
      let ids = this.byLabel.get(key);
      if (!ids) {
        ids = new Set();
        this.byLabel.set(key, ids);
      }
      ids.add(issueId);
    }
  }

  private displayName(accountId: string | null): string | null {
    if (accountId === null) return null;
    return this.findUser(accountId)?.displayName ?? accountId;
  }

  private emit(event: JiraIssueEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function jiraItem(
  field: string,
  from: string | null,
  fromString: string | null,
  to: string | null,
  toString: string | null,
): ChangeItem {
  return { field, fieldtype: 'jira', fieldId: field, from, fromString, to, toString };
}

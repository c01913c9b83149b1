import type { JiraDirectory } from './jira-directory';
import type { JiraDialect } from './jira-dialect';
import type { JiraIssue } from './jira-model';

/** An issue as a spec sees it: plain values, names instead of ids. */
export interface JiraIssueSnapshot {
  readonly id: string;
  readonly key: string;
  readonly project: string;
  readonly issueType: string;
  readonly summary: string;
  /** As sent: ADF (Cloud) or wiki markup (DC). */
  readonly description: unknown;
  readonly descriptionText: string;
  readonly status: string;
  readonly statusCategory: 'new' | 'indeterminate' | 'done';
  readonly resolution: string | null;
  readonly labels: readonly string[];
  readonly priority: string | null;
  readonly duedate: string | null;
  /** accountId (Cloud) or user name (DC). */
  readonly assignee: string | null;
  readonly reporter: string;
  readonly components: readonly string[];
  readonly customFields: Readonly<Record<string, unknown>>;
  readonly created: string;
  readonly updated: string;
  readonly comments: ReadonlyArray<{
    readonly author: string;
    readonly body: unknown;
    readonly text: string;
  }>;
}

export function snapshotIssue(
  issue: JiraIssue,
  directory: JiraDirectory,
  dialect: JiraDialect,
): JiraIssueSnapshot {
  const person = (accountId: string | null): string | null => {
    if (accountId === null) return null;
    const user = directory.findUser(accountId);
    if (!user) return accountId;
    return dialect.flavour === 'cloud' ? user.accountId : user.name;
  };
  const status = directory.status(issue.statusId);
  const project = directory.project(issue.projectId);
  return {
    id: issue.id,
    key: issue.key,
    project: project.key,
    issueType:
      directory.issueTypes.find((type) => type.id === issue.issueTypeId)?.name ?? issue.issueTypeId,
    summary: issue.summary,
    description: issue.description,
    descriptionText: dialect.plainText(issue.description),
    status: status.name,
    statusCategory: status.category,
    resolution:
      issue.resolutionId === null
        ? null
        : (directory.resolutions.find((resolution) => resolution.id === issue.resolutionId)?.name ??
          issue.resolutionId),
    labels: [...issue.labels],
    priority:
      issue.priorityId === null
        ? null
        : (directory.priorities.find((priority) => priority.id === issue.priorityId)?.name ??
          issue.priorityId),
    duedate: issue.duedate,
    assignee: person(issue.assigneeAccountId),
    reporter: person(issue.reporterAccountId)!,
    components: issue.componentIds.map(
      (id) => project.components.find((component) => component.id === id)?.name ?? id,
    ),
    customFields: Object.fromEntries(issue.customFields),
    created: issue.created.toISOString(),
    updated: issue.updated.toISOString(),
    comments: issue.comments.map((comment) => ({
      author: person(comment.authorAccountId)!,
      body: comment.body,
      text: dialect.plainText(comment.body),
    })),
  };
}

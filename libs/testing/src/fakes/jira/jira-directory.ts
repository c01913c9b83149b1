import type {
  JiraCustomField,
  JiraIssue,
  JiraProject,
  JiraStatus,
  JiraUserAccount,
  JiraWorkflow,
  NamedEntity,
} from './jira-model';

/** Read access to a site's configuration and issues: what JQL, views and validation consult. */
export interface JiraDirectory {
  readonly workflow: JiraWorkflow;
  readonly issueTypes: readonly NamedEntity[];
  readonly priorities: readonly NamedEntity[];
  readonly resolutions: readonly NamedEntity[];
  readonly customFields: readonly JiraCustomField[];
  projects(): readonly JiraProject[];
  users(): readonly JiraUserAccount[];
  allIssues(): readonly JiraIssue[];
  findProject(keyOrId: string): JiraProject | undefined;
  findIssue(keyOrId: string): JiraIssue | undefined;
  findUser(accountId: string): JiraUserAccount | undefined;
  status(id: string): JiraStatus;
  project(id: string): JiraProject;
}

/** Looks up a named entity by id or (case-insensitive) name, as Jira accepts both. */
export function byIdOrName(
  entities: readonly NamedEntity[],
  value: string,
): NamedEntity | undefined {
  const lower = value.toLowerCase();
  return (
    entities.find((entity) => entity.id === value) ??
    entities.find((entity) => entity.name.toLowerCase() === lower)
  );
}

/** Any way a person may be named in JQL or the fake's control API. */
export function findUserByAnyName(
  users: readonly JiraUserAccount[],
  value: string,
): JiraUserAccount | undefined {
  const lower = value.toLowerCase();
  return users.find(
    (user) =>
      user.accountId === value ||
      user.name.toLowerCase() === lower ||
      user.emailAddress.toLowerCase() === lower ||
      user.displayName.toLowerCase() === lower,
  );
}

/** A person or bot on the fake Jira site. Cloud identifies users by accountId, DC by name. */
export interface JiraUserAccount {
  readonly accountId: string;
  readonly name: string;
  readonly key: string;
  readonly emailAddress: string;
  readonly displayName: string;
  readonly active: boolean;
  readonly timeZone: string;
  /** Cloud: the API token paired with emailAddress in Basic auth. */
  readonly apiToken?: string;
  /** Data Center: the personal access token sent as `Authorization: Bearer`. */
  readonly personalAccessToken?: string;
  /** Data Center also accepts Basic name:password (browsers use it for the ticket page). */
  readonly password?: string;
}

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';

export interface JiraStatus {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly category: StatusCategoryKey;
}

export interface JiraTransition {
  readonly id: string;
  readonly name: string;
  /** Status ids the transition starts from. */
  readonly from: readonly string[];
  readonly to: string;
}

export interface JiraWorkflow {
  readonly statuses: readonly JiraStatus[];
  readonly initialStatusId: string;
  readonly transitions: readonly JiraTransition[];
}

export interface NamedEntity {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
}

export type CustomFieldType = 'string' | 'text' | 'number' | 'option' | 'labels' | 'date' | 'url';

export interface JiraCustomField {
  /** `customfield_<number>`, the id clients send. */
  readonly id: string;
  readonly name: string;
  readonly type: CustomFieldType;
  /** Allowed values of an `option` field. */
  readonly options?: readonly string[];
}

export interface JiraProject {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly issueTypeIds: readonly string[];
  readonly components: readonly NamedEntity[];
  readonly leadAccountId: string;
}

export interface JiraComment {
  readonly id: string;
  readonly authorAccountId: string;
  /** As the client sent it: an ADF document (Cloud) or wiki markup (DC). */
  readonly body: unknown;
  readonly created: Date;
  readonly updated: Date;
}

export interface ChangeItem {
  readonly field: string;
  readonly fieldtype: 'jira' | 'custom';
  readonly fieldId: string;
  readonly from: string | null;
  readonly fromString: string | null;
  readonly to: string | null;
  readonly toString: string | null;
}

export interface ChangeHistory {
  readonly id: string;
  readonly authorAccountId: string;
  readonly created: Date;
  readonly items: readonly ChangeItem[];
}

export interface JiraIssue {
  readonly id: string;
  readonly key: string;
  readonly projectId: string;
  summary: string;
  /** As the client sent it: ADF (Cloud) or a wiki-markup string (DC); null when empty. */
  description: unknown;
  issueTypeId: string;
  priorityId: string | null;
  labels: string[];
  duedate: string | null;
  assigneeAccountId: string | null;
  reporterAccountId: string;
  readonly creatorAccountId: string;
  componentIds: string[];
  customFields: Map<string, unknown>;
  statusId: string;
  resolutionId: string | null;
  resolutionDate: Date | null;
  readonly created: Date;
  updated: Date;
  statusCategoryChangeDate: Date;
  comments: JiraComment[];
  histories: ChangeHistory[];
}

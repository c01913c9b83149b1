export {
  startFakeJiraCloud,
  type FakeJiraCloud,
  type FakeJiraCloudOptions,
} from './jira-cloud/jira-cloud-fake';
export {
  startFakeJiraDataCenter,
  type FakeJiraDataCenter,
  type FakeJiraDataCenterOptions,
} from './jira-dc/jira-dc-fake';
export {
  FakeJira,
  type FakeJiraOptions,
  type HumanChangeOptions,
  type HumanChangeResult,
  type JiraProjectInit,
} from './jira/fake-jira';
export type { JiraIssueSnapshot } from './jira/jira-snapshot';
export type { JiraWebhookConfig, WebhookDelivery } from './jira/jira-webhooks';
export type {
  JiraCustomField,
  JiraUserAccount,
  JiraWorkflow,
  NamedEntity,
} from './jira/jira-model';
export {
  adfProblem,
  adfToPlainText,
  plainTextToAdf,
  type AdfDocument,
  type AdfNode,
} from './jira-cloud/adf';
export {
  startFakeServiceNow,
  FakeServiceNow,
  type FakeServiceNowOptions,
  type ServiceNowRecordSnapshot,
} from './servicenow/servicenow-fake';
export { priorityFor as serviceNowPriorityFor } from './servicenow/incident-schema';
export type { FaultSpec, RequestMatch } from './server/faults';
export type { RecordedRequest, RequestFilter, RequestOutcome } from './server/request-journal';
export { ControlError, type FakeServerOptions } from './server/fake-http-server';
export {
  startAllFakes,
  FAKE_NAMES,
  type AllFakesOptions,
  type FakeName,
  type FakesDescription,
  type RunningFakes,
} from './start-all-fakes';
export {
  startFakeGitHub,
  FakeGitHub,
  type FakeGitHubOptions,
  type GitHubTokenInit,
  type PullRequestSnapshot,
} from './github/github-fake';
export type { CiBehaviour, RepositoryInit } from './github/github-store';
export {
  startFakeGitLab,
  FakeGitLab,
  type FakeGitLabOptions,
  type GitLabProjectInit,
  type GitLabTokenInit,
  type GitLabTokenScope,
  type MergeRequestSnapshot,
  type PipelineStatus,
} from './gitlab/gitlab-fake';
export {
  startFakeAwx,
  FakeAwx,
  type FakeAwxOptions,
  type AwxJobTemplateInit,
  type AwxUserInit,
  type AwxJobSnapshot,
  type AwxJobStatus,
} from './awx/awx-fake';
export {
  startFakePatchExecutor,
  FakePatchExecutor,
  type FakePatchExecutorOptions,
  type ExecutorBehaviour,
  type ExecutorPatch,
  type ExecutorStatus,
} from './patch-executor/patch-executor-fake';

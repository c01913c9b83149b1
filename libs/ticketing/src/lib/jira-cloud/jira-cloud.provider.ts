import { adfRenderer, type DocumentRenderer } from '../content/render';
import { HttpTransport } from '../http/http-transport';
import { JiraProvider, type JiraDialect, type JiraProviderSettings } from '../jira/jira-provider';
import { parseJiraError } from '../jira/jira-errors';
import type { JiraIssueBean } from '../jira/jira-issue';
import type { ProviderRuntime, RevealableSecret } from '../provider-runtime';
import { adfPlainText } from './adf-text';

export interface JiraCloudSettings extends JiraProviderSettings {
  /** The integration account's email and API token (Basic auth, as Atlassian documents). */
  readonly email: string;
  readonly apiToken: RevealableSecret;
}

/** REST v3: ADF rich text, accountIds, enhanced search with nextPageToken. */
export const jiraCloudDialect: JiraDialect = {
  provider: 'jira-cloud',
  apiVersion: '3',
  richText: adfRenderer as DocumentRenderer<unknown>,
  plainText: adfPlainText,
  userReference: (assignee) => ({ accountId: assignee }),
  accountOf: (myself) => String(myself['accountId'] ?? ''),
  async searchPage(transport, request) {
    const body: Record<string, unknown> = {
      jql: request.jql,
      fields: [...request.fields],
      maxResults: request.pageSize,
    };
    if (request.cursor !== undefined) body['nextPageToken'] = request.cursor;
    // Issues hum created itself are read through the search index's lag.
    const known = (request.knownIds ?? []).map(Number).filter((id) => Number.isSafeInteger(id));
    if (known.length > 0) body['reconcileIssues'] = known;
    const response = await transport.request<{
      issues?: JiraIssueBean[];
      nextPageToken?: string;
      isLast?: boolean;
    }>({ method: 'POST', path: '/rest/api/3/search/jql', body, idempotent: true });
    const next = response.data.isLast === false ? response.data.nextPageToken : undefined;
    return { issues: response.data.issues ?? [], next };
  },
};

export function createJiraCloudProvider(
  settings: JiraCloudSettings,
  runtime: ProviderRuntime,
): JiraProvider {
  const transport = new HttpTransport({
    provider: 'jira-cloud',
    baseUrl: settings.baseUrl,
    authenticate: () =>
      Promise.resolve({
        authorization: `Basic ${Buffer.from(`${settings.email}:${settings.apiToken.reveal()}`).toString('base64')}`,
      }),
    parseError: parseJiraError,
    limiter: runtime.limiter,
    breaker: runtime.breaker,
    timeoutMs: runtime.timeoutMs,
    ...(runtime.retry ? { retry: runtime.retry } : {}),
    ...(runtime.clock ? { clock: runtime.clock } : {}),
  });
  return new JiraProvider(jiraCloudDialect, transport, settings);
}

import { type DocumentRenderer, wikiRenderer } from '../content/render';
import { HttpTransport } from '../http/http-transport';
import { JiraProvider, type JiraDialect, type JiraProviderSettings } from '../jira/jira-provider';
import { parseJiraError } from '../jira/jira-errors';
import type { JiraIssueBean } from '../jira/jira-issue';
import type { ProviderRuntime, RevealableSecret } from '../provider-runtime';

export interface JiraDataCenterSettings extends JiraProviderSettings {
  /** A personal access token of the integration account (Bearer auth). */
  readonly personalAccessToken: RevealableSecret;
}

/** REST v2: wiki-markup rich text, user names, offset search. */
export const jiraDataCenterDialect: JiraDialect = {
  provider: 'jira-dc',
  apiVersion: '2',
  richText: wikiRenderer as DocumentRenderer<unknown>,
  plainText: (body) => (typeof body === 'string' ? body : ''),
  userReference: (assignee) => ({ name: assignee }),
  accountOf: (myself) => String(myself['name'] ?? ''),
  async searchPage(transport, request) {
    const startAt = request.cursor === undefined ? 0 : Number(request.cursor);
    const response = await transport.request<{
      issues?: JiraIssueBean[];
      total?: number;
      startAt?: number;
    }>({
      method: 'POST',
      path: '/rest/api/2/search',
      body: {
        jql: request.jql,
        startAt,
        maxResults: request.pageSize,
        fields: [...request.fields],
      },
      idempotent: true,
    });
    const issues = response.data.issues ?? [];
    const end = startAt + issues.length;
    return {
      issues,
      next: issues.length > 0 && end < (response.data.total ?? 0) ? String(end) : undefined,
    };
  },
};

export function createJiraDataCenterProvider(
  settings: JiraDataCenterSettings,
  runtime: ProviderRuntime,
): JiraProvider {
  const transport = new HttpTransport({
    provider: 'jira-dc',
    baseUrl: settings.baseUrl,
    authenticate: () =>
      Promise.resolve({ authorization: `Bearer ${settings.personalAccessToken.reveal()}` }),
    parseError: parseJiraError,
    limiter: runtime.limiter,
    breaker: runtime.breaker,
    timeoutMs: runtime.timeoutMs,
    ...(runtime.retry ? { retry: runtime.retry } : {}),
    ...(runtime.clock ? { clock: runtime.clock } : {}),
  });
  return new JiraProvider(jiraDataCenterDialect, transport, settings);
}

import { ConfigError } from '@hum/config';
import { loadDispatcherConfig } from './config';

const BASE = {
  HUM_OPS_TOKEN: 'ops-token-0123456789',
  KAFKA_BROKERS: '127.0.0.1:9092',
  TICKET_PROVIDERS: 'jira-cloud',
  TICKET_ROUTING_FILE: '/etc/hum/routing.yaml',
  JIRA_CLOUD_URL: 'https://bank.atlassian.net',
  JIRA_CLOUD_EMAIL: 'hum-bot@bank.example',
  JIRA_CLOUD_API_TOKEN: 'jira-api-token-value',
};

function refusal(env: Record<string, string>): string {
  try {
    loadDispatcherConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('dispatcher configuration', () => {
  it('listens on 8082 by default, as in docker-compose.yml, clear of the auto-patcher on 8083', () => {
    expect(loadDispatcherConfig(BASE).PORT).toBe(8082);
  });

  it('takes the console URL as http(s) only', () => {
    expect(
      loadDispatcherConfig({ ...BASE, HUM_CONSOLE_URL: 'https://hum.bank.example' })
        .HUM_CONSOLE_URL,
    ).toBe('https://hum.bank.example');
    expect(loadDispatcherConfig(BASE).HUM_CONSOLE_URL).toBeUndefined();
    expect(refusal({ ...BASE, HUM_CONSOLE_URL: 'javascript:alert(1)' })).toContain(
      'HUM_CONSOLE_URL',
    );
  });

  it('keeps the default backoff within half of a short session timeout', () => {
    expect(loadDispatcherConfig(BASE).TICKET_RETRY_MAX).toBe(10_000);
    expect(loadDispatcherConfig({ ...BASE, KAFKA_SESSION_TIMEOUT: '6s' }).TICKET_RETRY_MAX).toBe(
      3_000,
    );
  });

  it('refuses an explicit backoff longer than half the session timeout, naming both', () => {
    const message = refusal({ ...BASE, KAFKA_SESSION_TIMEOUT: '6s', TICKET_RETRY_MAX: '5s' });
    expect(message).toContain('TICKET_RETRY_MAX');
    expect(message).toContain('KAFKA_SESSION_TIMEOUT (6000 ms)');
  });

  it("asks for a provider's variables only when it is enabled, and never prints secrets", () => {
    const { JIRA_CLOUD_API_TOKEN: _token, ...withoutToken } = BASE;
    const message = refusal({ ...withoutToken, SERVICENOW_PASSWORD: 'snow-password-value' });
    expect(message).toContain('JIRA_CLOUD_API_TOKEN');
    expect(message).not.toContain('SERVICENOW_');
    expect(refusal({ ...BASE, TICKET_PROVIDERS: 'servicenow' })).toContain('SERVICENOW_URL');
    expect(refusal({ ...BASE, JIRA_CLOUD_URL: 'not a url' })).not.toContain('jira-api-token-value');
  });
});

import { describeConfig } from './describe-config';
import { Secret } from './secret';

describe('describeConfig', () => {
  it('redacts secrets and URL passwords, keeps everything else readable', () => {
    const described = describeConfig({
      PORT: 8080,
      DRY_RUN: false,
      JIRA_API_TOKEN: new Secret('tok-123'),
      DATABASE_URL: 'postgres://hum:pw-456@db:5432/hum',
      KAFKA_BROKERS: ['k1:9092', 'k2:9092'],
      NESTED: { key: new Secret('k-789'), url: new URL('https://u:pw-000@h/') },
      NOT_SET: undefined,
    });
    expect(described).toEqual({
      PORT: 8080,
      DRY_RUN: false,
      JIRA_API_TOKEN: '[redacted]',
      DATABASE_URL: 'postgres://hum:***@db:5432/hum',
      KAFKA_BROKERS: ['k1:9092', 'k2:9092'],
      NESTED: { key: '[redacted]', url: 'https://u:***@h/' },
      NOT_SET: undefined,
    });
    expect(JSON.stringify(described)).not.toMatch(/tok-123|pw-456|k-789|pw-000/);
  });
});

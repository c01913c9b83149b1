import { hasUrlPassword, redactUrl, scrub } from './redact-url';

describe('redactUrl', () => {
  it('masks the password and keeps everything else', () => {
    expect(redactUrl('postgres://app:s3cret@db.internal:5432/hum')).toBe(
      'postgres://app:***@db.internal:5432/hum',
    );
    expect(redactUrl('postgres://app:p@ss@db/hum?sslmode=require')).toBe(
      'postgres://app:***@db/hum?sslmode=require',
    );
  });

  it('leaves text without a password alone', () => {
    for (const text of ['postgres://app@db/hum', 'https://jira.example/a:b@c', 'plain text']) {
      expect(redactUrl(text)).toBe(text);
      expect(hasUrlPassword(text)).toBe(false);
    }
    expect(hasUrlPassword('amqp://u:p@host')).toBe(true);
  });
});

describe('scrub', () => {
  it('replaces every occurrence of the secret', () => {
    expect(scrub('a hunter2 b hunter2', 'hunter2')).toBe('a [redacted] b [redacted]');
    expect(scrub('nothing here', undefined)).toBe('nothing here');
  });
});

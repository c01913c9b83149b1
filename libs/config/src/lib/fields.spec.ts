import { z } from 'zod';
import {
  envBool,
  envDuration,
  envEnum,
  envInt,
  envList,
  envString,
  envUrl,
  secret,
} from './fields';
import { Secret } from './secret';

function messages(schema: z.ZodType, raw: string | undefined): string[] {
  const result = schema.safeParse(raw);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}

describe('envInt', () => {
  const port = envInt({ min: 1, max: 65535 });

  it('coerces integers within the range', () => {
    expect(port.parse('8080')).toBe(8080);
    expect(port.parse('1')).toBe(1);
    expect(port.parse('65535')).toBe(65535);
  });

  it('names the range and quotes the bad value', () => {
    expect(messages(port, 'http')).toEqual(['expected an integer between 1 and 65535, got "http"']);
    expect(messages(port, '0')).toEqual(['expected an integer between 1 and 65535, got "0"']);
    expect(messages(port, '80.5')).toEqual(['expected an integer between 1 and 65535, got "80.5"']);
    expect(messages(envInt({ min: 0 }), '-1')).toEqual([
      'expected an integer of at least 0, got "-1"',
    ]);
  });

  it('says "required" when unset, and honours defaults and optional', () => {
    expect(messages(port, undefined)).toEqual(['required']);
    expect(port.default(3000).parse(undefined)).toBe(3000);
    expect(port.optional().parse(undefined)).toBeUndefined();
  });
});

describe('envBool', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['No', false],
  ])('reads %s as %s', (raw, expected) => {
    expect(envBool().parse(raw)).toBe(expected);
  });

  it('rejects anything else instead of guessing', () => {
    expect(messages(envBool(), 'ture')).toEqual([
      'expected one of true, false, 1, 0, yes, no, got "ture"',
    ]);
    expect(messages(envBool(), 'on')).toHaveLength(1);
  });
});

describe('envString', () => {
  it('accepts text and checks a pattern when given', () => {
    expect(envString().parse('hum')).toBe('hum');
    const name = envString({ pattern: /^[a-z]+$/, description: 'lower-case letters' });
    expect(name.parse('abc')).toBe('abc');
    expect(messages(name, 'A1')).toEqual(['expected lower-case letters, got "A1"']);
  });

  it('checks a minimum length', () => {
    expect(messages(envString({ minLength: 3 }), 'ab')).toEqual([
      'expected text of at least 3 characters, got "ab"',
    ]);
  });
});

describe('envEnum', () => {
  it('accepts only the listed values and types the result', () => {
    const provider = envEnum(['jira-cloud', 'jira-dc', 'servicenow']);
    const value: 'jira-cloud' | 'jira-dc' | 'servicenow' = provider.parse('jira-dc');
    expect(value).toBe('jira-dc');
    expect(messages(provider, 'jira')).toEqual([
      'expected one of jira-cloud, jira-dc, servicenow, got "jira"',
    ]);
  });
});

describe('envList', () => {
  it('splits on commas, trims and drops empty entries', () => {
    expect(envList().parse('a:9092, b:9092,,c:9092 ')).toEqual(['a:9092', 'b:9092', 'c:9092']);
  });

  it('validates each item and names the bad one by position', () => {
    const urls = envList(envUrl({ protocols: ['https'] }));
    expect(urls.parse('https://a.example,https://b.example')).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(messages(urls, 'https://a.example,ftp://b.example')).toEqual([
      'item 2: expected a URL starting with https://, got "ftp://b.example"',
    ]);
  });
});

describe('envUrl', () => {
  it('keeps the URL as written and checks the scheme', () => {
    const url = envUrl({ protocols: ['http', 'https:'] });
    expect(url.parse('http://jira.local:8080')).toBe('http://jira.local:8080');
    expect(messages(url, 'not a url')).toEqual([
      'expected a URL starting with http:// or https://, got "not a url"',
    ]);
  });

  it('masks a password when quoting a rejected URL', () => {
    const [message] = messages(envUrl({ protocols: ['postgres'] }), 'mysql://app:hunter2@db/x');
    expect(message).toBe('expected a URL starting with postgres://, got "mysql://app:***@db/x"');
  });
});

describe('envDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['250ms', 250],
    ['1.5s', 1_500],
    ['2d', 172_800_000],
    ['1500', 1_500],
  ])('reads %s as %d ms', (raw, ms) => {
    expect(envDuration().parse(raw)).toBe(ms);
  });

  it('rejects other shapes and out-of-range values', () => {
    expect(messages(envDuration(), 'soon')).toEqual([
      'expected a duration like 30s, 5m, 1h or a number of milliseconds, got "soon"',
    ]);
    expect(messages(envDuration({ maxMs: 60_000 }), '5m')).toHaveLength(1);
    expect(messages(envDuration({ minMs: 1_000 }), '10ms')).toHaveLength(1);
  });
});

describe('secret', () => {
  it('wraps the value so it only comes out through reveal()', () => {
    const token = secret().parse('s3cr3t-token');
    expect(token).toBeInstanceOf(Secret);
    expect(token.reveal()).toBe('s3cr3t-token');
  });

  it('validates through an inner field without ever quoting the value', () => {
    const url = secret(envUrl({ protocols: ['postgres'] }));
    expect(url.parse('postgres://u:p@h/db').reveal()).toBe('postgres://u:p@h/db');
    const problems = messages(url, 'hunter2-not-a-url');
    expect(problems).toEqual(['expected a URL starting with postgres:// (value hidden: secret)']);
    expect(problems.join()).not.toContain('hunter2');
  });

  it('scrubs the value out of messages from plain zod checks', () => {
    const token = secret(
      z.string().refine((v) => v.length > 20, { error: (i) => `bad ${String(i.input)}` }),
    );
    const problems = messages(token, 'shortvalue');
    expect(problems).toEqual(['bad [redacted]']);
  });
});

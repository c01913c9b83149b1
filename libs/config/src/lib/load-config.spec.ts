import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config-error';
import { envBool, envDuration, envEnum, envInt, envList, envUrl, secret } from './fields';
import { loadConfig } from './load-config';
import { requiredWhen } from './required-when';

const dispatcherSchema = z
  .object({
    PORT: envInt({ min: 1, max: 65535 }).default(3000),
    KAFKA_BROKERS: envList(),
    DATABASE_URL: secret(envUrl({ protocols: ['postgres', 'postgresql'] })).optional(),
    TICKET_PROVIDER: envEnum(['jira-cloud', 'jira-dc', 'servicenow']),
    JIRA_BASE_URL: envUrl({ protocols: ['https'] }).optional(),
    JIRA_API_TOKEN: secret().optional(),
    SERVICENOW_PASSWORD: secret().optional(),
    DRY_RUN: envBool().default(false),
    REQUEST_TIMEOUT: envDuration().default(30_000),
  })
  .check(
    requiredWhen({ TICKET_PROVIDER: ['jira-cloud', 'jira-dc'] }, [
      'JIRA_BASE_URL',
      'JIRA_API_TOKEN',
    ]),
    requiredWhen({ TICKET_PROVIDER: 'servicenow' }, ['SERVICENOW_PASSWORD']),
  );

function failure(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hum-config-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns the typed, coerced, frozen configuration', () => {
    const config = loadConfig(dispatcherSchema, {
      service: 'ticket-dispatcher',
      env: {
        KAFKA_BROKERS: 'k1:9092,k2:9092',
        TICKET_PROVIDER: 'jira-cloud',
        JIRA_BASE_URL: 'https://acme.atlassian.net',
        JIRA_API_TOKEN: 'tok-123',
        DRY_RUN: 'yes',
        REQUEST_TIMEOUT: '5s',
        UNRELATED: 'ignored',
      },
    });
    expect(config.PORT).toBe(3000);
    expect(config.KAFKA_BROKERS).toEqual(['k1:9092', 'k2:9092']);
    expect(config.JIRA_API_TOKEN?.reveal()).toBe('tok-123');
    expect(config.DRY_RUN).toBe(true);
    expect(config.REQUEST_TIMEOUT).toBe(5_000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
    expect(config).not.toHaveProperty('UNRELATED');
  });

  it('lists every problem, one per line, each naming its variable', () => {
    const error = failure(() =>
      loadConfig(dispatcherSchema, {
        service: 'ticket-dispatcher',
        env: { PORT: 'http', TICKET_PROVIDER: 'jira-cloud', JIRA_BASE_URL: 'https://x' },
      }),
    );
    expect(error.problems).toEqual([
      { variable: 'PORT', message: 'expected an integer between 1 and 65535, got "http"' },
      { variable: 'KAFKA_BROKERS', message: 'required' },
      {
        variable: 'JIRA_API_TOKEN',
        message: 'required when TICKET_PROVIDER is jira-cloud or jira-dc',
      },
    ]);
    expect(error.message.split('\n')).toEqual([
      'invalid configuration for ticket-dispatcher (3 problems):',
      '  PORT: expected an integer between 1 and 65535, got "http"',
      '  KAFKA_BROKERS: required',
      '  JIRA_API_TOKEN: required when TICKET_PROVIDER is jira-cloud or jira-dc',
    ]);
  });

  it('requires provider credentials only for the selected provider', () => {
    const env = { KAFKA_BROKERS: 'k:9092', TICKET_PROVIDER: 'servicenow' };
    const error = failure(() => loadConfig(dispatcherSchema, { service: 'svc', env }));
    expect(error.problems).toEqual([
      { variable: 'SERVICENOW_PASSWORD', message: 'required when TICKET_PROVIDER is servicenow' },
    ]);
    const config = loadConfig(dispatcherSchema, {
      service: 'svc',
      env: { ...env, SERVICENOW_PASSWORD: 'pw' },
    });
    expect(config.JIRA_API_TOKEN).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    const error = failure(() =>
      loadConfig(dispatcherSchema, {
        service: 'svc',
        env: {
          KAFKA_BROKERS: '',
          TICKET_PROVIDER: 'jira-dc',
          JIRA_BASE_URL: 'https://x',
          JIRA_API_TOKEN: 't',
          PORT: '',
        },
      }),
    );
    expect(error.problems).toEqual([{ variable: 'KAFKA_BROKERS', message: 'required' }]);
  });

  it('never prints a secret value, even when it is invalid', () => {
    const password = 'Sup3r-Secret-Pa55';
    const error = failure(() =>
      loadConfig(dispatcherSchema, {
        service: 'svc',
        env: {
          KAFKA_BROKERS: 'k:9092',
          TICKET_PROVIDER: 'servicenow',
          SERVICENOW_PASSWORD: password,
          DATABASE_URL: `mysql://hum:${password}@db/hum`,
        },
      }),
    );
    expect(error.problems.map((problem) => problem.variable)).toEqual(['DATABASE_URL']);
    expect(error.message).not.toContain(password);
    expect(JSON.stringify(error.problems)).not.toContain(password);
  });

  describe('<NAME>_FILE indirection', () => {
    const base = {
      KAFKA_BROKERS: 'k:9092',
      TICKET_PROVIDER: 'jira-cloud',
      JIRA_BASE_URL: 'https://x',
    };

    it('reads the value from the file, without its one trailing newline', () => {
      const tokenFile = join(dir, 'jira-token');
      writeFileSync(tokenFile, 'from-a-file\n');
      const brokersFile = join(dir, 'brokers');
      writeFileSync(brokersFile, 'a:1,b:2\r\n');
      const config = loadConfig(dispatcherSchema, {
        service: 'svc',
        env: {
          ...base,
          KAFKA_BROKERS: undefined,
          KAFKA_BROKERS_FILE: brokersFile,
          JIRA_API_TOKEN_FILE: tokenFile,
        },
      });
      expect(config.JIRA_API_TOKEN?.reveal()).toBe('from-a-file');
      expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    });

    it('keeps all but the last newline', () => {
      const file = join(dir, 'token');
      writeFileSync(file, 'line\n\n');
      const config = loadConfig(dispatcherSchema, {
        service: 'svc',
        env: { ...base, JIRA_API_TOKEN_FILE: file },
      });
      expect(config.JIRA_API_TOKEN?.reveal()).toBe('line\n');
    });

    it('refuses both NAME and NAME_FILE, and reports unreadable or empty files', () => {
      const empty = join(dir, 'empty');
      writeFileSync(empty, '\n');
      const missing = join(dir, 'missing');
      const error = failure(() =>
        loadConfig(dispatcherSchema, {
          service: 'svc',
          env: {
            ...base,
            JIRA_API_TOKEN: 'inline',
            JIRA_API_TOKEN_FILE: empty,
            SERVICENOW_PASSWORD_FILE: empty,
            DATABASE_URL_FILE: missing,
          },
        }),
      );
      expect(error.problems).toEqual([
        {
          variable: 'DATABASE_URL_FILE',
          message: `cannot read ${JSON.stringify(missing)} (ENOENT)`,
        },
        {
          variable: 'JIRA_API_TOKEN',
          message: 'set either JIRA_API_TOKEN or JIRA_API_TOKEN_FILE, not both',
        },
        { variable: 'SERVICENOW_PASSWORD_FILE', message: `${JSON.stringify(empty)} is empty` },
      ]);
      expect(error.message).not.toContain('inline');
    });
  });

  it('reports plain zod fields that are unset as required', () => {
    const schema = z.object({ NAME: z.string(), COUNT: z.string().optional() });
    const error = failure(() => loadConfig(schema, { service: 'svc', env: {} }));
    expect(error.problems).toEqual([{ variable: 'NAME', message: 'required' }]);
  });
});

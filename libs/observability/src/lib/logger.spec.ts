import { Writable } from 'node:stream';
import { createLogger, contextLogger } from './logger';
import { sanitizeCorrelationId, withCorrelation } from './correlation';
import { bearerMatches } from './ops-token.guard';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON lines with service, context and the correlation id of the scope', () => {
    const out = capture();
    const logger = contextLogger(
      createLogger({ service: 'spec', destination: out.stream }),
      'Thing',
    );
    withCorrelation('req-42', () => logger.info({ n: 1 }, 'inside'));
    logger.info('outside');
    const [inside, outside] = out.lines();
    expect(inside).toMatchObject({
      service: 'spec',
      context: 'Thing',
      correlationId: 'req-42',
      n: 1,
      msg: 'inside',
      level: 'info',
    });
    expect(outside).not.toHaveProperty('correlationId');
  });

  it('never writes secrets, however they are nested', () => {
    const out = capture();
    const logger = createLogger({ service: 'spec', destination: out.stream });
    logger.info(
      {
        password: 'hunter2-password',
        token: 'tok-secret-value',
        headers: { authorization: 'Bearer abc-secret' },
        config: { apiToken: 'api-secret-value' },
      },
      'with secrets',
    );
    const text = JSON.stringify(out.lines());
    for (const secret of [
      'hunter2-password',
      'tok-secret-value',
      'abc-secret',
      'api-secret-value',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });
});

describe('sanitizeCorrelationId', () => {
  it('echoes only ids safe for logs and headers', () => {
    expect(sanitizeCorrelationId('abc-123:x.y_z')).toBe('abc-123:x.y_z');
    expect(sanitizeCorrelationId('evil\nline')).toBeUndefined();
    expect(sanitizeCorrelationId('x'.repeat(129))).toBeUndefined();
    expect(sanitizeCorrelationId(undefined)).toBeUndefined();
  });
});

describe('bearerMatches', () => {
  const expected = { reveal: () => 'ops-token-0123456789' };
  it('accepts the ops token as a bearer token only', () => {
    expect(bearerMatches('Bearer ops-token-0123456789', expected)).toBe(true);
    expect(bearerMatches('bearer ops-token-0123456789', expected)).toBe(true);
    expect(bearerMatches('Bearer ops-token-012345678', expected)).toBe(false);
    expect(bearerMatches('Basic ops-token-0123456789', expected)).toBe(false);
    expect(bearerMatches(undefined, expected)).toBe(false);
  });
});

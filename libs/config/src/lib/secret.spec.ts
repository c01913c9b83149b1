import { inspect } from 'node:util';
import { pino } from 'pino';
import { Secret } from './secret';

describe('Secret', () => {
  const token = new Secret('jira-token-123');

  it('prints as [redacted] however it is turned into text', () => {
    expect(String(token)).toBe('[redacted]');
    expect(`${token}`).toBe('[redacted]');
    expect(JSON.stringify({ token })).toBe('{"token":"[redacted]"}');
    expect(inspect({ token })).toBe('{ token: [redacted] }');
    expect(inspect(token, { showHidden: true })).not.toContain('jira-token-123');
  });

  it('hands the value out through reveal()', () => {
    expect(token.reveal()).toBe('jira-token-123');
  });
});

describe('Secret in a pino log line', () => {
  it('is written as [redacted]', () => {
    const lines: string[] = [];
    const logger = pino({ base: null }, { write: (line: string) => lines.push(line) });
    logger.info({ token: new Secret('jira-token-123') }, 'configured');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ token: '[redacted]', msg: 'configured' });
    expect(lines[0]).not.toContain('jira-token-123');
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, topLevelHelp } from './cli';
import { COMMANDS } from './commands/registry';
import { EXIT } from './exit-codes';
import { memoryIo } from './testing/memory-io';

describe('runCli', () => {
  let work: string;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'hum-cli-unit-'));
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('lists every command in hum --help, and each command has its own --help', async () => {
    const top = memoryIo();
    expect(await runCli(['--help'], top.io)).toBe(EXIT.ok);
    expect(top.stdout.text).toBe(topLevelHelp());
    for (const entry of COMMANDS) {
      const words = entry.path.join(' ');
      expect(top.stdout.text).toContain(`  ${words}`);
      const own = memoryIo();
      expect(await runCli([...entry.path, '--help'], own.io)).toBe(EXIT.ok);
      expect(own.stdout.text).toContain(`usage: hum ${words}`);
      expect(own.stdout.text).toContain('-h, --help');
      expect(own.stderr.text).toBe('');
    }
  });

  it('shows help on stderr with exit 2 when no command is given', async () => {
    const none = memoryIo();
    expect(await runCli([], none.io)).toBe(EXIT.usage);
    expect(none.stderr.text).toContain('usage: hum <command>');
    const group = memoryIo();
    expect(await runCli(['keys'], group.io)).toBe(EXIT.usage);
    expect(group.stderr.text).toContain('keys create');
    const groupHelp = memoryIo();
    expect(await runCli(['dlq', '--help'], groupHelp.io)).toBe(EXIT.ok);
    expect(groupHelp.stdout.text).toContain('dlq replay');
  });

  it('suggests the command meant by a typo, on one line', async () => {
    const typo = memoryIo();
    expect(await runCli(['publsh', 'r.json'], typo.io)).toBe(EXIT.usage);
    expect(typo.stderr.text).toBe(
      'hum: unknown command "publsh" (did you mean publish?); see hum --help\n',
    );
    const sub = memoryIo();
    expect(await runCli(['keys', 'revok', 'x'], sub.io)).toBe(EXIT.usage);
    expect(sub.stderr.text).toContain('did you mean hum keys revoke?');
  });

  it('prints usage errors as one line prefixed with the command, and JSON on stdout with --json', async () => {
    const run = memoryIo();
    expect(
      await runCli(
        ['publish', 'r.json', '--asset', 'shop', '--json', '--brokers', 'localhost'],
        run.io,
      ),
    ).toBe(EXIT.usage);
    expect(run.stderr.text).toBe('hum publish: --brokers: "localhost" is not host:port\n');
    expect(JSON.parse(run.stdout.text)).toEqual({
      error: {
        exitCode: 2,
        message: '--brokers: "localhost" is not host:port',
        retryable: false,
      },
    });
  });

  it('reports invalid environment as 78 before touching the network', async () => {
    const run = memoryIo({ HUM_GATEWAY_URL: 'ftp://hum.example.com' });
    expect(await runCli(['publish', 'r.json', '--asset', 'shop'], run.io)).toBe(EXIT.config);
    expect(run.stderr.text).toContain('hum publish: invalid configuration for hum (1 problem):');
    expect(run.stderr.text).toContain(
      'HUM_GATEWAY_URL: expected a URL starting with http:// or https://',
    );
  });

  it('runs a command end to end in-process: parse a report into JSON lines', async () => {
    const file = path.join(work, 'canonical.json');
    writeFileSync(
      file,
      JSON.stringify({
        hum: 'report/v1',
        tool: { name: 'in-house', version: '1' },
        findings: [
          {
            kind: 'weakness',
            title: 'hard-coded password',
            severity: { reported: 'HIGH', normalized: 'high' },
            rule: { id: 'pw-1' },
            location: { path: 'src/app.ts', startLine: 3 },
          },
        ],
      }),
    );
    const run = memoryIo();
    expect(await runCli(['parse', file, '--asset', 'shop-web', '--verbose'], run.io)).toBe(EXIT.ok);
    const lines = run.stdout.text.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      title: 'hard-coded password',
      asset: { id: 'shop-web' },
      detectedAt: '2026-11-27T10:00:00.000Z',
    });
    expect(run.stderr.text).toBe(
      'hum-canonical: 1 finding (critical 0, high 1, medium 0, low 0); tools: in-house 1\n',
    );
  });
});

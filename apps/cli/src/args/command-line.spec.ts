import { UsageError } from '../cli-error';
import { type CommandLine, parseCommandLine } from './command-line';
import type { CommandSpec } from './command-spec';

const spec: CommandSpec = {
  path: ['publish'],
  description: 'test command',
  positionals: [{ name: 'REPORT', description: 'the report' }],
  flags: {
    asset: { type: 'string', value: 'ID', description: 'asset' },
    env: { type: 'string', description: 'environment' },
    limit: { type: 'string', description: 'a number' },
    assets: { type: 'string', description: 'globs' },
    'dry-run': { type: 'boolean', description: 'no changes' },
  },
  refusedFlags: { 'api-key': 'keys on the command line leak' },
};

function line(...argv: string[]): CommandLine {
  const parsed = parseCommandLine(spec, argv);
  if (parsed.help) throw new Error('unexpected help');
  return parsed.line;
}

function usageError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return (error as UsageError).message;
  }
  throw new Error('expected a usage error');
}

describe('parseCommandLine', () => {
  it('reads positionals, string flags in both spellings and boolean flags', () => {
    const parsed = line('r.json', '--asset', 'shop', '--env=prod', '--dry-run');
    expect(parsed.positionals).toEqual(['r.json']);
    expect(parsed.optional('asset')).toBe('shop');
    expect(parsed.optional('env')).toBe('prod');
    expect(parsed.has('dry-run')).toBe(true);
    expect(parsed.optional('limit')).toBeUndefined();
  });

  it('treats --help anywhere as a request for help', () => {
    expect(parseCommandLine(spec, ['r.json', '--unknown', '-h'])).toEqual({ help: true });
    expect(parseCommandLine(spec, ['--help'])).toEqual({ help: true });
  });

  it('names the flag in every mistake, with a suggestion for typos', () => {
    expect(usageError(() => line('r.json', '--aset', 'x'))).toBe(
      'unknown flag --aset (did you mean --asset?); see hum publish --help',
    );
    expect(usageError(() => line('r.json', '--asset'))).toBe('--asset needs a value (ID)');
    expect(usageError(() => line('r.json', '--asset='))).toBe('--asset needs a value (ID)');
    expect(usageError(() => line('r.json', '--asset', '--dry-run'))).toContain(
      '--asset needs a value but is followed by --dry-run',
    );
    expect(usageError(() => line('r.json', '--asset', 'a', '--asset', 'b'))).toBe(
      '--asset is given more than once',
    );
    expect(usageError(() => line('r.json', '--dry-run=yes'))).toBe(
      '--dry-run takes no value (got "yes")',
    );
    expect(usageError(() => line('r.json', '-a', 'x'))).toContain('unknown flag -a');
  });

  it('refuses flags that would leak a secret, saying why', () => {
    expect(usageError(() => line('r.json', '--api-key', 'hum_x'))).toBe(
      '--api-key is not accepted: keys on the command line leak',
    );
  });

  it('counts positionals', () => {
    expect(usageError(() => line())).toBe('missing REPORT; see hum publish --help');
    expect(usageError(() => line('a.json', 'b.json'))).toBe(
      'unexpected argument "b.json"; hum publish takes REPORT',
    );
    expect(line('--', '--odd-name.json').positionals).toEqual(['--odd-name.json']);
  });

  it('types values: choices, bounded integers and lists', () => {
    expect(line('r', '--env', 'prod').oneOf('env', ['prod', 'dev'])).toBe('prod');
    expect(usageError(() => line('r', '--env', 'prd').oneOf('env', ['prod', 'dev']))).toBe(
      '--env: "prd" is not a choice (did you mean prod?); one of prod, dev',
    );
    expect(line('r', '--limit', '10').integer('limit', { min: 1, max: 100 })).toBe(10);
    for (const bad of ['0', '101', '-1', '1.5', 'ten']) {
      expect(
        usageError(() => line('r', `--limit=${bad}`).integer('limit', { min: 1, max: 100 })),
      ).toBe(`--limit: expected a whole number from 1 to 100, got "${bad}"`);
    }
    expect(line('r', '--assets', ' shop-*, cart ,').list('assets')).toEqual(['shop-*', 'cart']);
    expect(usageError(() => line('r', '--assets', ' , ').list('assets'))).toBe(
      '--assets: expected a comma-separated list',
    );
    expect(usageError(() => line('r').required('asset', ' (the asset id)'))).toBe(
      '--asset is required (the asset id)',
    );
  });

  it('catches a command reading a flag it never declared', () => {
    expect(() => line('r').optional('nope')).toThrow('declares it otherwise');
    expect(() => line('r').has('asset')).toThrow('declares it otherwise');
  });
});

import { describeError } from '@hum/common';
import { parseCommandLine } from './args/command-line';
import { closestWord } from './args/closest-word';
import { renderGroupHelp, renderHelp } from './args/help';
import { UsageError } from './cli-error';
import { type CliIo, say } from './cli-io';
import { type CommandEntry, COMMANDS } from './commands/registry';
import { EXIT, type ExitCode } from './exit-codes';
import { toCliError } from './failure';

const GROUP_TITLES: Record<string, string> = {
  dlq: 'usage: hum dlq <command> [flags]\n\nDead-letter topics: inspect and re-drive what consumers gave up on.',
  keys: 'usage: hum keys <command> [flags]\n\nPipeline API keys in the key file the ingest gateway reads (bootstrap; policy-admin\nwill manage keys later).',
};

function summaries(commands: readonly CommandEntry[]): { words: string; summary: string }[] {
  return commands.map((c) => ({ words: c.path.join(' '), summary: c.summary }));
}

export function topLevelHelp(): string {
  return renderGroupHelp(
    'usage: hum <command> [flags]\n\nhum publishes security scanner reports to the remediation orchestrator.',
    summaries(COMMANDS),
    'Run hum <command> --help for its flags, environment and exit codes.',
  );
}

type Resolution =
  | { kind: 'command'; entry: CommandEntry; rest: string[] }
  | { kind: 'group'; group: string; commands: CommandEntry[] };

function resolve(argv: readonly string[]): Resolution {
  const [first, second] = argv;
  const group = COMMANDS.filter((c) => c.path.length > 1 && c.path[0] === first);
  if (group.length > 0) {
    const entry = group.find((c) => c.path[1] === second);
    if (entry) return { kind: 'command', entry, rest: argv.slice(2) };
    if (second === undefined || second.startsWith('-'))
      return { kind: 'group', group: first!, commands: group };
    const near = closestWord(
      second,
      group.map((c) => c.path[1]!),
    );
    throw new UsageError(
      `unknown command "hum ${first} ${second}"${near ? ` (did you mean hum ${first} ${near}?)` : ''}; see hum ${first} --help`,
    );
  }
  const entry = COMMANDS.find((c) => c.path.length === 1 && c.path[0] === first);
  if (entry) return { kind: 'command', entry, rest: argv.slice(1) };
  const words = [...new Set(COMMANDS.map((c) => c.path[0]!))];
  const near = closestWord(first ?? '', words);
  throw new UsageError(
    `unknown command "${first}"${near ? ` (did you mean ${near}?)` : ''}; see hum --help`,
  );
}

function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/**
 * Runs one `hum` invocation and returns its exit code. Errors become one line on stderr
 * (`hum publish: ...`, details indented below) and, with --json, a JSON error on stdout.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  if (argv.length === 0) {
    io.stderr.write(topLevelHelp());
    return EXIT.usage;
  }
  if (argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    io.stdout.write(topLevelHelp());
    return EXIT.ok;
  }
  let label = 'hum';
  let json = false;
  try {
    const resolution = resolve(argv);
    if (resolution.kind === 'group') {
      const help = renderGroupHelp(
        GROUP_TITLES[resolution.group] ?? `usage: hum ${resolution.group} <command>`,
        summaries(resolution.commands),
        `Run hum ${resolution.group} <command> --help for its flags.`,
      );
      if (wantsHelp(argv)) {
        io.stdout.write(help);
        return EXIT.ok;
      }
      io.stderr.write(help);
      return EXIT.usage;
    }
    const { entry, rest } = resolution;
    label = ['hum', ...entry.path].join(' ');
    const command = entry.load();
    json = command.spec.flags['json'] !== undefined && rest.includes('--json');
    const parsed = parseCommandLine(command.spec, rest);
    if (parsed.help) {
      io.stdout.write(renderHelp(command.spec));
      return EXIT.ok;
    }
    return await command.run(parsed.line, io);
  } catch (thrown) {
    const error = toCliError(thrown);
    say(io, `${label}: ${error.message}`);
    for (const detail of error.details) say(io, `  ${detail}`);
    if (error.exitCode === EXIT.internal && io.env['HUM_DEBUG'] !== undefined) {
      say(io, thrown instanceof Error && thrown.stack ? thrown.stack : describeError(thrown));
    }
    if (json) io.stdout.write(`${JSON.stringify({ error: error.toJson() })}\n`);
    return error.exitCode;
  }
}

import type { CommandLine } from './args/command-line';
import type { CommandSpec } from './args/command-spec';
import type { CliIo } from './cli-io';
import type { ExitCode } from './exit-codes';

/** One `hum` command: what it accepts, and what it does with a checked command line. */
export interface Command {
  spec: CommandSpec;
  run(line: CommandLine, io: CliIo): Promise<ExitCode>;
}

import { systemClock } from '@hum/common';
import { runCli } from './cli';

// `hum ... | head`: once the reader is gone there is nobody left to tell; exit quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

// The entry point is the one place that touches the process; everything else gets CliIo.
void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  clock: systemClock,
}).then(
  (code) => {
    // Let stdout drain (a pipe may still hold the last findings) instead of process.exit().
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `hum: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 70;
  },
);

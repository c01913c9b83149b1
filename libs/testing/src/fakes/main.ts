// Standalone fakes for the quickstart and for specs that run hum's services as processes:
// `node dist/libs/testing/src/fakes/main.js` prints one JSON line with URLs and credentials.
import { FAKES_USAGE, FakesUsageError, parseFakesCommandLine } from './fakes-cli';
import { startAllFakes } from './start-all-fakes';

async function main(): Promise<void> {
  const options = parseFakesCommandLine(process.argv.slice(2), process.env);
  if (options === 'help') {
    process.stdout.write(`${FAKES_USAGE}\n`);
    return;
  }
  const fakes = await startAllFakes(options);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    fakes.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`fakes: failed to stop cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`${JSON.stringify(fakes.describe())}\n`);
}

main().catch((error: unknown) => {
  const message =
    error instanceof FakesUsageError ? `${error.message}\n\n${FAKES_USAGE}` : String(error);
  process.stderr.write(`fakes: ${message}\n`);
  process.exit(error instanceof FakesUsageError ? 2 : 1);
});

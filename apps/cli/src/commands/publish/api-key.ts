import { readFile } from 'node:fs/promises';
import { parseApiKeyToken } from '@hum/auth';
import { Secret } from '@hum/config';
import { CliError } from '../../cli-error';
import { EXIT } from '../../exit-codes';

export const API_KEY_REFUSAL =
  'a key on the command line lands in shell history and in `ps`; use --api-key-file FILE or the HUM_API_KEY variable (masked in CI)';

/**
 * The pipeline's API key from `--api-key-file` or HUM_API_KEY (or HUM_API_KEY_FILE), checked
 * for shape locally so a wrong variable fails with a clear message rather than a 401. The
 * value never appears in a message.
 */
export async function resolveApiKey(
  file: string | undefined,
  fromEnv: Secret | undefined,
): Promise<Secret> {
  let key: Secret;
  let origin: string;
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new CliError(EXIT.notFound, `--api-key-file: cannot read ${file} (${code})`, [], {
        cause: error,
      });
    }
    key = new Secret(text.trim());
    origin = `--api-key-file ${file}`;
  } else if (fromEnv !== undefined) {
    key = new Secret(fromEnv.reveal().trim());
    origin = 'HUM_API_KEY';
  } else {
    throw new CliError(
      EXIT.denied,
      'no API key: set HUM_API_KEY (from the CI secret store) or give --api-key-file FILE',
    );
  }
  if (parseApiKeyToken(key.reveal()) === undefined) {
    throw new CliError(
      EXIT.denied,
      `${origin} does not hold a hum API key (hum_<id>_<secret>, as printed by hum keys create)`,
    );
  }
  return key;
}

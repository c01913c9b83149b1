import { CliError } from '../cli-error';
import { exitCodeForStatus } from '../exit-codes';

/** The `detail` of a problem+json answer, else the start of the body, else the status. */
export async function answerDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { detail?: unknown };
    if (typeof parsed.detail === 'string') return parsed.detail;
  } catch {
    // Not problem+json: the start of the body says enough.
  }
  return text.length > 0 ? text.slice(0, 300) : `HTTP ${response.status}`;
}

/** A refused request as a CLI error, with the exit code its status maps to. */
export async function httpRefusal(response: Response, what: string): Promise<CliError> {
  return new CliError(
    exitCodeForStatus(response.status),
    `${what} ${response.status}: ${await answerDetail(response)}`,
  );
}

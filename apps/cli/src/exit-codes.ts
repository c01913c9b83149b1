/**
 * Exit codes a pipeline can act on, from BSD sysexits(3) so they mean what other tools mean
 * by them. Documented in `hum publish --help` and docs/pipelines.md; changing one is a
 * breaking change for every pipeline that branches on it.
 */
export const EXIT = {
  ok: 0,
  gateFailed: 1,
  usage: 2,
  invalidInput: 65,
  notFound: 66,
  unavailable: 69,
  internal: 70,
  ioError: 74,
  temporary: 75,
  protocol: 76,
  denied: 77,
  config: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

interface ExitCodeDoc {
  code: ExitCode;
  meaning: string;
}

export const EXIT_CODE_DOCS: readonly ExitCodeDoc[] = [
  { code: EXIT.ok, meaning: 'done (the scan was accepted, and passed the gate if asked)' },
  {
    code: EXIT.gateFailed,
    meaning: 'the promotion gate failed: open findings block the stage (publish --gate)',
  },
  {
    code: EXIT.usage,
    meaning: 'bad command line (unknown flag, missing or invalid value)',
  },
  {
    code: EXIT.invalidInput,
    meaning: 'invalid report or scan context (parse error, HTTP 400/413/415/422)',
  },
  {
    code: EXIT.notFound,
    meaning: 'report file, key file, key id or topic not found',
  },
  {
    code: EXIT.unavailable,
    meaning: 'hum unreachable (HTTP 5xx, connection refused, Kafka unreachable)',
  },
  { code: EXIT.internal, meaning: 'unexpected error (a defect in hum)' },
  { code: EXIT.ioError, meaning: 'could not write output or the key file' },
  {
    code: EXIT.temporary,
    meaning: 'temporary refusal (HTTP 429 rate limit, timeout, busy lock)',
  },
  {
    code: EXIT.protocol,
    meaning: 'unexpected answer (e.g. 404: --gateway is not a hum gateway)',
  },
  {
    code: EXIT.denied,
    meaning: 'authentication or authorisation failed (HTTP 401/403, Kafka SASL/ACL)',
  },
  {
    code: EXIT.config,
    meaning: 'invalid environment (HUM_*, KAFKA_*) or key file content',
  },
];

/** The exit code for an HTTP answer that is not a success. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.denied;
  if (status === 429 || status === 408) return EXIT.temporary;
  if (status === 400 || status === 413 || status === 415 || status === 422) {
    return EXIT.invalidInput;
  }
  if (status >= 500) return EXIT.unavailable;
  return EXIT.protocol;
}

export function describeExitCodes(): string {
  return EXIT_CODE_DOCS.map((doc) => `  ${String(doc.code).padStart(3)}  ${doc.meaning}`).join(
    '\n',
  );
}

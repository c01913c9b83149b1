import { CliError } from '../../cli-error';
import { EXIT } from '../../exit-codes';
import { GatewayRefusal, readGatewayAnswer } from './gateway-answer';
import type { GatewayAnswer } from './gateway-upload';

const receipt = {
  scanId: '9b2e4c1a-0000-4000-8000-000000000001',
  format: 'trivy-json',
  findings: 5,
  duplicates: 0,
  severityCounts: { critical: 1, high: 1, medium: 3, low: 0, info: 0, unknown: 0 },
  scopes: [{ assetId: 'shop', tool: 'Trivy', findingCount: 5 }],
};

function answer(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): GatewayAnswer {
  return {
    status,
    statusText: '',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

function refusal(a: GatewayAnswer): GatewayRefusal {
  try {
    readGatewayAnswer(a);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayRefusal);
    return error as GatewayRefusal;
  }
  throw new Error('expected a refusal');
}

describe('readGatewayAnswer', () => {
  it('returns the receipt of an accepted scan', () => {
    expect(readGatewayAnswer(answer(202, receipt))).toEqual(receipt);
  });

  it('turns a 422 problem into exit 65 with the detail and each located error not already said', () => {
    const error = refusal(
      answer(422, {
        type: 'https://hum.dev/problems/invalid-report',
        title: 'Invalid report',
        status: 422,
        detail: 'sarif at /runs/0/results/3/level: expected one of none, note',
        errors: [
          { pointer: '/runs/0/results/3/level', detail: 'expected one of none, note' },
          { line: 12, column: 4, detail: 'also broken here' },
        ],
      }),
    );
    expect(error.exitCode).toBe(EXIT.invalidInput);
    expect(error.message).toBe(
      'gateway answered 422 Invalid report: sarif at /runs/0/results/3/level: expected one of none, note',
    );
    expect(error.details).toEqual(['(line 12, column 4): also broken here']);
    expect(error.toJson()).toMatchObject({
      exitCode: 65,
      status: 422,
      problem: { title: 'Invalid report' },
    });
  });

  it('names the parameters of a 400 scan-context problem', () => {
    const error = refusal(
      answer(400, {
        title: 'Invalid scan context',
        status: 400,
        detail: 'asset: required',
        errors: [{ parameter: 'asset', detail: 'required' }],
      }),
    );
    expect(error.exitCode).toBe(EXIT.invalidInput);
    expect(error.details).toEqual(['parameter asset: required']);
  });

  it('maps 401/403 to 77, 429 to 75 with Retry-After, 5xx to 69', () => {
    expect(
      refusal(answer(401, { title: 'Unauthenticated', detail: 'the API key is not valid' }))
        .exitCode,
    ).toBe(EXIT.denied);
    expect(
      refusal(answer(403, { title: 'Forbidden', detail: 'asset out of scope' })).exitCode,
    ).toBe(EXIT.denied);
    const limited = refusal(
      answer(429, { title: 'Too many reports', detail: 'retry in 10 s' }, { 'retry-after': '10' }),
    );
    expect(limited.exitCode).toBe(EXIT.temporary);
    expect(limited.retryable).toBe(true);
    expect(limited.details).toContain('retry after 10 s');
    const down = refusal({
      status: 502,
      statusText: 'Bad Gateway',
      headers: {},
      body: '<html>nginx</html>',
    });
    expect(down.exitCode).toBe(EXIT.unavailable);
    expect(down.message).toBe('gateway answered 502 Bad Gateway');
  });

  it('says when --gateway is probably not a hum gateway', () => {
    const error = refusal({ status: 404, statusText: 'Not Found', headers: {}, body: 'no' });
    expect(error.exitCode).toBe(EXIT.protocol);
    expect(error.details).toEqual(['is --gateway the base URL of a hum ingest gateway?']);
  });

  it('refuses a 2xx that is not a scan receipt', () => {
    let thrown: unknown;
    try {
      readGatewayAnswer(answer(200, { ok: true }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).exitCode).toBe(EXIT.protocol);
  });
});

import { waitFor, WaitForTimeoutError } from './wait-for';

describe('waitFor', () => {
  it('resolves with the first value that is not false, null or undefined', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls += 1;
        return calls < 3 ? undefined : { calls };
      },
      { intervalMs: 1, describe: 'the third call' },
    );
    expect(value).toEqual({ calls: 3 });
    expect(calls).toBe(3);
  });

  it('accepts 0 and the empty string as answers, since they are values', async () => {
    await expect(waitFor(() => 0, { describe: 'zero' })).resolves.toBe(0);
    await expect(waitFor(() => '', { describe: 'empty' })).resolves.toBe('');
  });

  it('keeps polling while the probe throws, then resolves', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        calls += 1;
        if (calls < 4) throw new Error('not yet');
        return 'ready';
      },
      { intervalMs: 1, describe: 'readiness' },
    );
    expect(value).toBe('ready');
  });

  it('fails naming what it awaited, with the last error as cause', async () => {
    const failure = new Error('connection refused');
    const error = await waitFor(
      () => {
        throw failure;
      },
      { timeoutMs: 30, intervalMs: 5, describe: 'the broker' },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaitForTimeoutError);
    expect((error as Error).message).toMatch(
      /timed out after 30 ms waiting for the broker \(last attempt threw: connection refused\)/,
    );
    expect((error as Error).cause).toBe(failure);
  });

  it('evaluates a describe function at timeout, so the message shows the last state', async () => {
    let tickets = 'none';
    const error = await waitFor(
      () => {
        tickets = 'one';
        return false;
      },
      { timeoutMs: 20, intervalMs: 5, describe: () => `3 tickets (have ${tickets})` },
    ).catch((caught: unknown) => caught);
    expect((error as Error).message).toContain('waiting for 3 tickets (have one)');
    expect((error as Error).cause).toBeUndefined();
  });
});

import { Writable } from 'node:stream';
import { ManualClock } from '@hum/common';
import { LineWriter, OutputClosedError } from './line-writer';
import { progressFor } from './progress';
import { CapturedOutput } from './testing/memory-io';

/** A stream whose reader went away, as stdout does under `| head`. */
function closedPipe(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  });
}

describe('LineWriter', () => {
  it('writes lines in order, in few large writes', async () => {
    let text = '';
    let writes = 0;
    const counting = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        writes += 1;
        text += chunk.toString();
        callback();
      },
    });
    const writer = new LineWriter(counting);
    for (let i = 0; i < 5_000; i++) await writer.line(`{"n":${i}}`);
    await writer.flush();
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(5_000);
    expect(lines[4_999]).toBe('{"n":4999}');
    expect(writes).toBeLessThan(10);
  });

  it('turns a closed reader into OutputClosedError instead of a crash', async () => {
    const writer = new LineWriter(closedPipe());
    await expect(
      (async () => {
        for (let i = 0; i < 100_000; i++) await writer.line('x'.repeat(100));
        await writer.flush();
      })(),
    ).rejects.toBeInstanceOf(OutputClosedError);
  });
});

describe('progressFor', () => {
  it('draws nothing when stderr is not a terminal (CI logs) or the work is small', () => {
    const ci = new CapturedOutput({ tty: false });
    const progress = progressFor(ci, new ManualClock(), {
      label: 'uploading r.json',
      total: 100,
      large: true,
    });
    progress.update(50);
    progress.status('publishing');
    progress.finish();
    expect(ci.text).toBe('');
    const small = new CapturedOutput({ tty: true });
    progressFor(small, new ManualClock(), { label: 'x', total: 100, large: false }).update(50);
    expect(small.text).toBe('');
  });

  it('redraws one line in place on a terminal, at most every 100 ms, and clears it', () => {
    const tty = new CapturedOutput({ tty: true });
    const clock = new ManualClock();
    const progress = progressFor(tty, clock, {
      label: 'uploading r.json',
      total: 4 * 1024 * 1024,
      large: true,
    });
    progress.update(1024 * 1024);
    progress.update(2 * 1024 * 1024);
    clock.advance(150);
    progress.update(2 * 1024 * 1024);
    progress.update(4 * 1024 * 1024);
    progress.finish();
    const frames = tty.text.split('\r\x1b[2K').filter((frame) => frame !== '');
    expect(frames).toEqual([
      `uploading r.json [${'#'.repeat(8)}${'-'.repeat(22)}]  25% 1.0/4.0 MiB`,
      `uploading r.json [${'#'.repeat(15)}${'-'.repeat(15)}]  50% 2.0/4.0 MiB`,
      `uploading r.json [${'#'.repeat(30)}] 100% 4.0/4.0 MiB`,
    ]);
    expect(tty.text.endsWith('\r\x1b[2K')).toBe(true);
  });
});

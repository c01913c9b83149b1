import { Writable } from 'node:stream';
import { ManualClock } from '@hum/common';
import type { CliIo } from '../cli-io';

/** A stream that keeps what was written, and can pretend to be a terminal. */
export class CapturedOutput extends Writable {
  text = '';
  isTTY: boolean | undefined;
  columns = 100;

  constructor(options: { tty?: boolean } = {}) {
    super();
    this.isTTY = options.tty;
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export interface MemoryIo {
  io: CliIo;
  stdout: CapturedOutput;
  stderr: CapturedOutput;
  clock: ManualClock;
}

/** CliIo for in-process specs: captured output, a given environment and a manual clock. */
export function memoryIo(
  env: Record<string, string> = {},
  options: { tty?: boolean; now?: string } = {},
): MemoryIo {
  const stdout = new CapturedOutput();
  const stderr = new CapturedOutput({ tty: options.tty });
  const clock = new ManualClock(options.now ?? '2026-11-27T10:00:00.000Z');
  return { io: { stdout, stderr, env, clock }, stdout, stderr, clock };
}

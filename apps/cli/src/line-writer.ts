import { type OutputStream, writeOut } from './cli-io';

const FLUSH_AT = 64 * 1024;

/** The reader of stdout went away (`hum parse r.json | head`): stop quietly, it has what it wanted. */
export class OutputClosedError extends Error {
  override readonly name = 'OutputClosedError';
}

/**
 * Writes lines in 64 KiB writes rather than one syscall each, waiting for `drain` so a
 * 100k-finding report never piles up in memory, and turns EPIPE into {@link OutputClosedError}.
 */
export class LineWriter {
  private buffer = '';
  private failure: Error | undefined;

  constructor(private readonly stream: OutputStream) {
    stream.on('error', (error: Error) => {
      this.failure = error;
    });
  }

  async line(text: string): Promise<void> {
    this.buffer += `${text}\n`;
    if (this.buffer.length >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    this.check();
    if (this.buffer === '') return;
    const chunk = this.buffer;
    this.buffer = '';
    try {
      await writeOut(this.stream, chunk);
    } catch (error) {
      this.failure ??= error as Error;
    }
    this.check();
  }

  private check(): void {
    if (this.failure === undefined) return;
    if ((this.failure as NodeJS.ErrnoException).code === 'EPIPE') {
      throw new OutputClosedError('stdout was closed by its reader', { cause: this.failure });
    }
    throw this.failure;
  }
}

import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Clock } from '@hum/common';

/** A stream the CLI writes to, with what it knows about the terminal behind it. */
export type OutputStream = Writable & { isTTY?: boolean; columns?: number };

/**
 * Everything a command touches outside its arguments, passed in so specs can run commands
 * in-process with buffers, a fixed environment and a manual clock.
 */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
}

/** Writes and waits when the stream asks for it, so a large output never piles up in memory. */
export async function writeOut(stream: OutputStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/** One line on stderr: messages, warnings and progress never mix with stdout's data. */
export function say(io: CliIo, line: string): void {
  io.stderr.write(`${line}\n`);
}

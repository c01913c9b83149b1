import type { Clock } from '@hum/common';
import type { OutputStream } from './cli-io';

/** Reports below this size finish before a bar would be worth drawing. */
export const PROGRESS_THRESHOLD_BYTES = 4 * 1024 * 1024;
const REDRAW_EVERY_MS = 100;
const BAR_WIDTH = 30;

export interface Progress {
  /** `done` of `total` (bytes); without a total, a running count of `unit`. */
  update(done: number): void;
  /** Replaces the bar with a status line, e.g. while the gateway publishes. */
  status(text: string): void;
  /** Clears the line so what follows starts clean. */
  finish(): void;
}

const silent: Progress = {
  update: () => undefined,
  status: () => undefined,
  finish: () => undefined,
};

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/** A one-line bar redrawn in place on a terminal. */
class TerminalProgress implements Progress {
  private lastDrawn = -Infinity;
  private drawn = false;

  constructor(
    private readonly stream: OutputStream,
    private readonly clock: Clock,
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly unit: string,
  ) {}

  update(done: number): void {
    const now = this.clock.now().getTime();
    const complete = this.total !== undefined && done >= this.total;
    if (!complete && now - this.lastDrawn < REDRAW_EVERY_MS) return;
    this.lastDrawn = now;
    this.draw(this.render(done));
  }

  status(text: string): void {
    this.draw(`${this.label}: ${text}`);
  }

  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  private render(done: number): string {
    if (this.total === undefined || this.total === 0) return `${this.label}: ${done} ${this.unit}`;
    const ratio = Math.min(1, done / this.total);
    const filled = Math.round(ratio * BAR_WIDTH);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
    return `${this.label} [${bar}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${mib(done)}/${mib(this.total)} MiB`;
  }

  private draw(line: string): void {
    // 0 when the terminal does not say.
    const width = this.stream.columns || 80;
    this.stream.write(`\r\x1b[2K${line.slice(0, Math.max(10, width - 1))}`);
    this.drawn = true;
  }
}

/**
 * A progress bar on stderr only where a person watches (a TTY) and the work is large enough
 * to wait for; CI logs get nothing, since carriage returns make them unreadable.
 */
export function progressFor(
  stream: OutputStream,
  clock: Clock,
  options: { label: string; total?: number; unit?: string; large: boolean },
): Progress {
  if (stream.isTTY !== true || !options.large) return silent;
  return new TerminalProgress(stream, clock, options.label, options.total, options.unit ?? 'bytes');
}

import type { FormatId } from './types';

export interface ReportErrorLocation {
  /** JSON pointer (RFC 6901) into the report, e.g. `/runs/0/results/3/level`. */
  pointer?: string;
  /** 1-based line (and column) in the report text, for syntax errors and XML. */
  line?: number;
  column?: number;
}

/**
 * A report that cannot be read as the format it claims or was detected as. The message says
 * what is wrong; `location` says where. The gateway answers 4xx with both and publishes nothing.
 */
export class ReportParseError extends Error {
  override readonly name = 'ReportParseError';

  constructor(
    readonly format: FormatId | 'unknown',
    message: string,
    readonly location: ReportErrorLocation = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** `format at /pointer (line 3, column 9): message` */
  describe(): string {
    const where: string[] = [];
    if (this.location.pointer !== undefined) where.push(`at ${this.location.pointer || '/'}`);
    if (this.location.line !== undefined) {
      where.push(
        this.location.column === undefined
          ? `(line ${this.location.line})`
          : `(line ${this.location.line}, column ${this.location.column})`,
      );
    }
    return `${this.format}${where.length > 0 ? ` ${where.join(' ')}` : ''}: ${this.message}`;
  }
}

import { PermanentError } from '@hum/common';

export type IntelSource = 'kev' | 'epss';

export interface IntelErrorLocation {
  /** 1-based line in the file's text. */
  readonly line?: number;
  /** The field at fault: a CSV column, or a JSON pointer like `/vulnerabilities/3/dateAdded`. */
  readonly field?: string;
}

/**
 * A threat-intelligence file that is not what its official format says it is. Refreshing stops
 * and keeps the snapshot it had: an unreadable feed must never silently empty the KEV list.
 */
export class IntelParseError extends PermanentError {
  override readonly name = 'IntelParseError';

  constructor(
    readonly source: IntelSource,
    readonly reason: string,
    readonly location: IntelErrorLocation = {},
    options?: { cause?: unknown },
  ) {
    super(`${describeSource(source)}${describeLocation(location)}: ${reason}`, options);
  }
}

function describeSource(source: IntelSource): string {
  return source === 'kev' ? 'CISA KEV catalog' : 'EPSS scores';
}

function describeLocation({ line, field }: IntelErrorLocation): string {
  const parts: string[] = [];
  if (line !== undefined) parts.push(`line ${line}`);
  if (field !== undefined) parts.push(`field ${field}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

import type { LoggerService } from '@nestjs/common';
import type { Logger } from './logger';

function split(args: unknown[]): { context: string | undefined; rest: unknown[] } {
  const last = args[args.length - 1];
  if (args.length > 0 && typeof last === 'string')
    return { context: last, rest: args.slice(0, -1) };
  return { context: undefined, rest: args };
}

/** Routes Nest's own log lines (`new Logger(X.name)`) into the one pino logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...optional: unknown[]): void {
    this.write('info', message, optional);
  }

  error(message: unknown, ...optional: unknown[]): void {
    // Nest passes (message, stack, context) for errors.
    const { context, rest } = split(optional);
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    this.target(context).error({ stack }, String(message));
  }

  warn(message: unknown, ...optional: unknown[]): void {
    this.write('warn', message, optional);
  }

  debug(message: unknown, ...optional: unknown[]): void {
    this.write('debug', message, optional);
  }

  verbose(message: unknown, ...optional: unknown[]): void {
    this.write('trace', message, optional);
  }

  fatal(message: unknown, ...optional: unknown[]): void {
    this.write('fatal', message, optional);
  }

  private write(
    level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    optional: unknown[],
  ): void {
    const { context } = split(optional);
    const target = this.target(context);
    if (typeof message === 'object' && message !== null)
      target[level](message as Record<string, unknown>);
    else target[level](String(message));
  }

  private target(context: string | undefined): Logger {
    return context === undefined ? this.logger : this.logger.child({ context });
  }
}

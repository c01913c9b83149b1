/** The slice of a pino logger this library uses; any pino `Logger` fits. */
export interface DatabaseLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: DatabaseLogger = {
  info: () => undefined,
  warn: () => undefined,
};

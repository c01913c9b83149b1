import { inspect } from 'node:util';

export const REDACTED = '[redacted]';

/**
 * A configuration value that must never reach a log line, an error message or an event.
 * Every way of turning it into text prints {@link REDACTED}; only {@link Secret.reveal}
 * hands out the value, so each use of the secret is a deliberate, greppable call.
 */
export class Secret<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

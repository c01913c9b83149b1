import { type Clock, systemClock } from '@hum/common';
import { CircuitOpenError } from './errors';

export interface CircuitBreakerOptions {
  /** Consecutive availability failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long it stays open before one trial request is let through. */
  readonly openMs: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Stops hammering a provider that keeps failing: after `failureThreshold` consecutive
 * failures calls fail fast (a retryable error that says when to come back) for `openMs`, then
 * one trial request decides whether to close the circuit again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    readonly name: string,
    private readonly options: CircuitBreakerOptions,
    private readonly clock: Clock = systemClock,
    private readonly onChange?: (state: CircuitState) => void,
  ) {}

  get state(): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return this.clock.now().getTime() - this.openedAt >= this.options.openMs ? 'half-open' : 'open';
  }

  /** Throws {@link CircuitOpenError} when no request may go out now. */
  admit(): void {
    const state = this.state;
    if (state === 'closed') return;
    if (state === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return;
    }
    const remaining =
      state === 'open'
        ? this.options.openMs - (this.clock.now().getTime() - this.openedAt!)
        : 1_000;
    throw new CircuitOpenError(`${this.name}: circuit open after repeated failures`, {
      retryAfterMs: Math.max(1, remaining),
    });
  }

  succeeded(): void {
    const wasOpen = this.openedAt !== undefined;
    this.failures = 0;
    this.openedAt = undefined;
    this.trialInFlight = false;
    if (wasOpen) this.onChange?.('closed');
  }

  failed(): void {
    this.failures += 1;
    const trial = this.trialInFlight;
    this.trialInFlight = false;
    if (trial || this.failures >= this.options.failureThreshold) {
      this.openedAt = this.clock.now().getTime();
      this.onChange?.('open');
    }
  }

  /** A request ended in a way that says nothing about availability (e.g. a 400). */
  neutral(): void {
    if (this.trialInFlight) this.succeeded();
  }
}

// Retries for transient Kafka and Redis failures: exponential backoff with a cap, and a simple
// circuit breaker so a component that is down is not hammered by every task at once.

import { LoyaltyError, TransientError } from './errors.ts';

export interface RetryOptions {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** Which errors are retried; default isRetriable. */
  retriable?: (error: unknown) => boolean;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 8, initialDelayMs: 100, maxDelayMs: 5000 };

/** A typed error is retried only when it says so; anything else (network, client) is assumed transient. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof LoyaltyError) return error.canRetry;
  if (error instanceof Error && 'retriable' in error) return (error as { retriable: unknown }).retriable !== false;
  return true;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Opens after `threshold` consecutive failures; while open, calls fail fast until `coolDownMs`
 * has passed, then one trial call is let through (half-open).
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;

  constructor(
    readonly component: string,
    private readonly threshold = 5,
    private readonly coolDownMs = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  get isOpen(): boolean {
    return this.openedAt !== null && this.now() - this.openedAt < this.coolDownMs;
  }

  async run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.isOpen) throw new TransientError(`${this.component} circuit is open after ${this.failures} failures`);
    try {
      const value = await operation();
      this.failures = 0;
      this.openedAt = null;
      return value;
    } catch (error) {
      this.failures += 1;
      if (this.failures >= this.threshold) this.openedAt = this.now();
      throw error;
    }
  }
}

/** Runs `operation` until it succeeds, a non-retriable error comes, or attempts run out. */
export async function withRetry<T>(
  operation: () => Promise<T>,
  options: RetryOptions = DEFAULT_RETRY,
  breaker?: CircuitBreaker,
  onRetry?: (error: unknown, attempt: number) => void,
): Promise<T> {
  let delay = options.initialDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return breaker ? await breaker.run(operation) : await operation();
    } catch (error) {
      if (!(options.retriable ?? isRetriable)(error) || attempt >= options.attempts) throw error;
      onRetry?.(error, attempt);
      await sleep(delay);
      delay = Math.min(delay * 2, options.maxDelayMs);
    }
  }
}

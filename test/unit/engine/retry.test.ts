import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FencedError, TransientError } from '../../../engine/errors.ts';
import { CircuitBreaker, withRetry } from '../../../engine/retry.ts';

const fast = { attempts: 4, initialDelayMs: 1, maxDelayMs: 2 };

describe('withRetry', () => {
  test('retries transient failures until success', async () => {
    let calls = 0;
    const value = await withRetry(async () => {
      calls += 1;
      if (calls < 3) throw new TransientError('blip');
      return 'ok';
    }, fast);
    assert.equal(value, 'ok');
    assert.equal(calls, 3);
  });

  test('does not retry an error that says it cannot be retried', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(async () => {
        calls += 1;
        throw new FencedError('t');
      }, fast),
      FencedError,
    );
    assert.equal(calls, 1);
  });

  test('gives up after the last attempt', async () => {
    let calls = 0;
    await assert.rejects(withRetry(async () => {
      calls += 1;
      throw new TransientError('down');
    }, fast), /down/);
    assert.equal(calls, 4);
  });
});

describe('CircuitBreaker', () => {
  test('opens after the threshold, fails fast, and lets a trial through after the cool-down', async () => {
    let now = 0;
    const breaker = new CircuitBreaker('redis', 2, 1000, () => now);
    const failing = async (): Promise<never> => {
      throw new TransientError('down');
    };
    await assert.rejects(breaker.run(failing), /down/);
    await assert.rejects(breaker.run(failing), /down/);
    assert.equal(breaker.isOpen, true);
    await assert.rejects(breaker.run(async () => 'never called'), /circuit is open/);
    now = 1500;
    assert.equal(await breaker.run(async () => 'back'), 'back');
    assert.equal(breaker.isOpen, false);
  });
});

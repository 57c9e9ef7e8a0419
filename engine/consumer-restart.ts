// kafkajs restarts a crashed consumer only when the error is retriable. After any other crash (a
// group coordinator not found for longer than its retries while a broker restarts, say) the
// consumer stays stopped and a long-running process would sit idle with no error. This keeps
// such a consumer running: it connects and runs it again, with a growing delay, until stopped.

import type { Consumer, ConsumerRunConfig } from 'kafkajs';
import type { Logger } from 'pino';

export interface ConsumerKeeper {
  /** Call before disconnecting on purpose: no restart is scheduled afterwards. */
  stop(): void;
}

export function keepConsumerRunning(consumer: Consumer, runConfig: ConsumerRunConfig, logger: Logger, what: string): ConsumerKeeper {
  let stopped = false;
  let delayMs = 1000;
  let timer: NodeJS.Timeout | null = null;
  const schedule = (): void => {
    timer = setTimeout(() => {
      timer = null;
      if (stopped) return;
      logger.warn({ event: 'consumer_restart', consumer: what, delayMs }, `restarting the ${what} consumer after a crash kafkajs does not restart`);
      consumer
        .connect()
        .then(() => consumer.run(runConfig))
        .then(() => {
          delayMs = 1000;
        })
        .catch((error: unknown) => {
          logger.error({ event: 'consumer_restart_failed', consumer: what, error: String(error) }, `${what} consumer restart failed; trying again`);
          delayMs = Math.min(delayMs * 2, 30_000);
          schedule();
        });
    }, delayMs);
  };
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    logger.error({ event: 'consumer_crash', consumer: what, error: String(payload.error), restart: payload.restart }, `${what} consumer crashed`);
    if (!payload.restart && !stopped && timer === null) schedule();
  });
  return {
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}

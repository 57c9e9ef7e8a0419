// Rate control for --rate: a token bucket refilled from elapsed time. It paces output only; the
// records themselves never depend on when they were sent.

export interface Pacer {
  /** Waits until `n` more records may go out. */
  take(n?: number): Promise<void>;
}

export function createPacer(perSecond: number | undefined, now: () => number = Date.now): Pacer {
  if (perSecond === undefined) return { take: async () => undefined };
  const start = now();
  let sent = 0;
  return {
    async take(n = 1) {
      sent += n;
      const dueAt = start + (sent / perSecond) * 1000;
      const wait = dueAt - now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    },
  };
}

/** A clock for tests: `sleep` resolves at once and advances virtual time; every sleep is recorded. */
export interface VirtualClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Every requested sleep, ms. */
  sleeps: number[];
  /** Total virtual time slept, ms. */
  slept(): number;
  advance(ms: number): void;
}

export function virtualClock(start = Date.now()): VirtualClock {
  let offset = 0;
  const sleeps: number[] = [];
  return {
    now: () => start + offset + 0,
    sleeps,
    slept: () => sleeps.reduce((a, b) => a + b, 0),
    advance(ms) {
      offset += ms;
    },
    async sleep(ms, signal) {
      if (signal?.aborted) throw (signal as AbortSignal & { reason?: unknown }).reason ?? new Error('aborted');
      sleeps.push(ms);
      offset += Math.max(0, ms);
      await new Promise((r) => setImmediate(r));
    },
  };
}

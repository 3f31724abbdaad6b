/**
 * Spacing between creations for a per-minute limit, 5% wider than the limit: requests leave evenly
 * spaced but arrive with jitter (measured: at 2%, 8 of 100 creations were answered 429 by a
 * provider counting over a sliding second), and a 429 costs far more than the margin.
 */
export const creationIntervalMs = (perMinute: number) => (60_000 / Math.max(1, perMinute)) * 1.05;

/**
 * Creations from this process, one per interval, in the order asked, except that a retry (the
 * provider answered 429) goes first: sent to the back of the line, a throttled request would wait
 * out the whole backlog again.
 */
export const createRateLimiter = (perMinute: number) => {
  const interval = creationIntervalMs(perMinute);
  const waiting: Array<() => void> = [];
  let last = -Infinity;
  let timer: NodeJS.Timeout | null = null;
  const pump = () => {
    timer = null;
    while (waiting.length) {
      const wait = last + interval - Date.now();
      if (wait > 0) {
        timer = setTimeout(pump, wait);
        return;
      }
      // On schedule (a late timer shortens the next gap, keeping the rate); after a pause, from now.
      last = Date.now() - (last + interval) > interval ? Date.now() : last + interval;
      waiting.shift()!();
    }
  };
  return (attempt: { retry?: boolean } = {}) =>
    new Promise<void>((resolve) => {
      if (attempt.retry) waiting.unshift(resolve);
      else waiting.push(resolve);
      if (!timer) pump();
    });
};

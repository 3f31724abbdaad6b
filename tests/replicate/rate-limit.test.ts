import { createRateLimiter, creationIntervalMs } from '../../plugins/product-gallery/server/src/utils/rate-limit';

/** The in-process creation limiter (one instance, no Redis). */
describe('creation rate limiter', () => {
  it('spaces creations at least one interval apart on average, 5% under the configured limit', async () => {
    const perMinute = 1200; // 20/s
    const interval = creationIntervalMs(perMinute);
    expect(interval).toBeCloseTo(52.5, 5);
    const acquire = createRateLimiter(perMinute);
    const granted: number[] = [];
    await Promise.all(Array.from({ length: 12 }, () => acquire().then(() => granted.push(Date.now()))));
    granted.sort((a, b) => a - b);
    // Timers are never early, so the whole run cannot be shorter than 11 intervals.
    expect(granted[11] - granted[0]).toBeGreaterThanOrEqual(Math.floor(11 * interval) - 1);
    // In any 1 s window, never more than the limit.
    for (let i = 0; i < granted.length; i++) expect(granted.filter((t) => t >= granted[i] && t < granted[i] + 1000).length).toBeLessThanOrEqual(20);
  });

  it('lets a throttled retry go before the backlog', async () => {
    const acquire = createRateLimiter(600); // 10/s
    const order: string[] = [];
    const first = acquire().then(() => order.push('first'));
    const backlog = [1, 2, 3].map((n) => acquire().then(() => order.push(`queued-${n}`)));
    await first;
    const retry = acquire({ retry: true }).then(() => order.push('retry'));
    await Promise.all([...backlog, retry]);
    expect(order).toEqual(['first', 'retry', 'queued-1', 'queued-2', 'queued-3']);
  });
});

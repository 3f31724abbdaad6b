import crypto from 'node:crypto';
import { createRateLimiter, createSharedRateLimiter, creationIntervalMs } from '../../plugins/product-gallery/server/src/utils/rate-limit';
import { redisListening, REDIS_URL } from '../support/services';

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
    // Grants keep to a schedule of one per interval; only the first can be late on a busy
    // machine (its timer fires late, the next ones keep their times), so ten intervals at least.
    expect(granted[11] - granted[0]).toBeGreaterThanOrEqual(Math.floor(10 * interval) - 1);
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

/** The limiter instances share through Redis (several Strapi instances, one Replicate account). */
const redis = redisListening();
if (!redis) console.warn('[rate-limit] shared limiter skipped: needs Redis on 127.0.0.1:6379 (.ci/run starts it)');

(redis ? describe : describe.skip)('shared creation rate limiter (Redis)', () => {
  const IORedis = require('ioredis');
  const clients: any[] = [];
  const key = `pg-test-limit-${crypto.randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    await clients[0]?.del(key);
    for (const c of clients) c.disconnect();
  });

  it('spaces creations from several instances evenly, also after a stall', async () => {
    const perMinute = 1200; // 20/s
    const interval = creationIntervalMs(perMinute);
    clients.push(new IORedis(REDIS_URL), new IORedis(REDIS_URL));
    const [a, b] = clients.map((c) => createSharedRateLimiter(c, key, perMinute));
    const granted: number[] = [];
    const take = (acquire: typeof a) => acquire().then(() => granted.push(performance.timeOrigin + performance.now()));
    // Two "instances" ask at once, 12 each.
    await Promise.all(Array.from({ length: 24 }, (_, i) => take(i % 2 ? a : b)));
    granted.sort((x, y) => x - y);
    // Within the limit itself (the 5% margin may shrink by Redis's queueing of a burst of asks).
    // (Less one interval: the first grant's own timer may fire late, as above.)
    expect(granted[23] - granted[0]).toBeGreaterThanOrEqual(22 * (60_000 / perMinute));
    for (let i = 0; i < granted.length; i++) expect(granted.filter((t) => t >= granted[i] && t < granted[i] + 1000).length).toBeLessThanOrEqual(20);
    // Even: spaced by the interval, not in bursts.
    const gaps = granted.slice(1).map((t, i) => t - granted[i]).sort((x, y) => x - y);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeGreaterThan(0.9 * interval);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeLessThan(1.1 * interval);

    // Creations whose time passed while the process was stalled do not all go out at once when
    // it wakes (they would crowd the provider's second): each takes a new time.
    const late: number[] = [];
    const reserved = [a, b, a].map((acquire) => acquire().then(() => late.push(Date.now())));
    const spin = Date.now() + 4 * interval;
    while (Date.now() < spin); // the whole process is busy: every timer fires late
    await Promise.all(reserved);
    late.sort((x, y) => x - y);
    // (Spaced by about an interval; a grant's own lateness on a busy machine can shorten a gap a little.)
    expect(late[1] - late[0]).toBeGreaterThan(interval / 2);
    expect(late[2] - late[1]).toBeGreaterThan(interval / 2);
  });
});

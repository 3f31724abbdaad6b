import crypto from 'node:crypto';
import path from 'node:path';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';
import { freshDatabase, dropDatabase, ROOT } from '../support/strapi';
import { spawnChild, type Child } from '../support/rpc';
import { postgresListening, redisListening, REDIS_URL } from '../support/services';
import { photoPath } from '../support/photos';

/**
 * Several instances share dispatch through BullMQ on Redis, on one PostgreSQL database: two real
 * Strapi processes, each a worker, against the fake Replicate server. The rate limit must hold
 * across both (each alone would stay under it; together they would double it), nothing is lost,
 * nothing is created twice, and both take part. Needs PostgreSQL and Redis (127.0.0.1), as CI has.
 */
const RATE = 4; // creations per second, the app's limit and the fake's
const PHOTO = photoPath('01_necklace_product_bird-chain.jpg');

/** Most events within any window of `ms`. */
const mostWithin = (times: number[], ms: number) => {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
};

const services = postgresListening() && redisListening();
if (!services) console.warn('[shared-dispatch] skipped: needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (.ci/run starts both)');

(services ? describe : describe.skip)('shared dispatch: two instances, PostgreSQL + Redis (BullMQ)', () => {
  let fake: FakeReplicate;
  let dbEnv: Record<string, string>;
  const children: Child[] = [];
  const prefix = `pg-test-${crypto.randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    fake = await startFakeReplicate({ log: true, scenario: { latencyMs: 300, startDelayMs: 0, creationRateLimit: RATE } });
    const previous = process.env.DATABASE_CLIENT;
    process.env.DATABASE_CLIENT = 'postgres';
    dbEnv = await freshDatabase();
    if (previous === undefined) delete process.env.DATABASE_CLIENT;
    else process.env.DATABASE_CLIENT = previous;
    const env = {
      ...appEnvFor(fake),
      REPLICATE_POLL_INTERVAL_MS: '100',
      REPLICATE_CREATIONS_PER_MINUTE: String(RATE * 60),
      PRODUCT_GALLERY_CONCURRENCY: '6',
      PRODUCT_GALLERY_TICK_MS: '200',
      PRODUCT_GALLERY_PIPELINE_THREADS: '1',
      PRODUCT_GALLERY_WORKER: 'true',
      REDIS_URL,
      PRODUCT_GALLERY_QUEUE_PREFIX: prefix,
    };
    for (const name of ['A', 'B']) {
      const child = spawnChild(`instance-${name}`, path.join(ROOT, 'tests', 'support', 'app-process.ts'));
      children.push(child);
      // One after the other: the first boot creates the schema.
      await child.call('boot', { dbEnv, env }, 180_000);
    }
  }, 300_000);

  afterAll(async () => {
    for (const c of children) await c.close().catch(() => undefined);
    await fake?.close();
    if (dbEnv) await dropDatabase(dbEnv);
    const IORedis = require('ioredis');
    const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const keys: string[] = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }, 60_000);

  it('splits the work, keeps the rate limit across instances, loses and duplicates nothing', async () => {
    const [a, b] = children;
    const seeded = await a.call('seed', { count: 6, photo: PHOTO, category: 'necklace', dimensions: { chainLengthMm: 450 } }, 300_000);
    // Queue everything first, then let both dispatchers go at once.
    await Promise.all(children.map((c) => c.call('pause')));
    const gen = await a.call('generate', { ids: seeded.ids, roles: ['model', 'lifestyle'] });
    expect(gen.assets).toBe(12);
    await Promise.all(children.map((c) => c.call('resume')));
    const watched = await a.call('watch', { expected: 12, timeoutMs: 150_000 }, 180_000);

    const statuses = watched.assets.map((x: any) => x.status);
    expect(statuses).toEqual(Array(12).fill('draft'));
    const predictions = watched.assets.map((x: any) => x.predictionId);
    expect(new Set(predictions).size).toBe(12);
    // Each shot once, and once its upscale to the role's minimum (kontext answers ~1 MP).
    const byModel = (model: string) => [...fake.predictions.values()].filter((p) => p.model === model).length;
    expect([byModel('black-forest-labs/flux-kontext-pro'), byModel('nightmareai/real-esrgan')]).toEqual([12, 12]);

    // Every creation attempt the fake saw, accepted or not. Two instances each limited on their
    // own would reach about twice the rate (some 24 in 3 s); one global limit keeps to it (12 in
    // any 3 s at its spacing). Sends leave on their reserved times but arrive with the jitter of
    // two busy processes: over a 3 s window, a send pushed in at each edge is allowed (a 429 it
    // may cause is waited out: everything still drafted once, above).
    const attempts = fake.state.requests.filter((r) => r.method === 'POST' && /\/predictions$/.test(r.path.split('?')[0])).map((r) => r.at);
    expect(attempts.length).toBeGreaterThanOrEqual(24);
    expect(mostWithin(attempts, 3000)).toBeLessThanOrEqual(3 * RATE + 2);
    // No webhook: each creation asked Replicate to hold its answer until done (the default 60 s,
    // within the default 10-minute deadline), so the answers carried the outputs: nothing polled.
    const creations = fake.state.requests.filter((r) => r.method === 'POST' && /\/predictions$/.test(r.path.split('?')[0]));
    expect([...new Set(creations.map((r) => r.headers.prefer))]).toEqual(['wait=60']);
    expect(fake.state.requests.filter((r) => r.method === 'GET' && r.path.includes('/predictions/')).map((r) => r.path)).toEqual([]);

    // Both instances claimed work (the event each process saw for its own claims).
    const [sa, sb] = await Promise.all([a.call('stats'), b.call('stats')]);
    const claims = (s: any) => s.transitions.filter((t: any) => t.to === 'generating').length;
    expect(claims(sa)).toBeGreaterThan(0);
    expect(claims(sb)).toBeGreaterThan(0);
    expect(claims(sa) + claims(sb)).toBe(12);
  }, 400_000);
});

import crypto from 'node:crypto';
import IORedis from 'ioredis';
import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createAsset, createProduct, stopWorker, uploadPhoto, UID } from '../support/fixtures';
import { redisListening, REDIS_URL } from '../support/services';
import { createSharedRequestBudget } from '../../plugins/product-gallery/server/src/utils/rate-limit';

const PER_MINUTE = 3;
const DAY_CAP = 0.1;

const env = {
  PRODUCT_GALLERY_GENERATE_PER_USER_PER_MINUTE: String(PER_MINUTE),
  PRODUCT_GALLERY_COST_CAP_PER_USER_PER_DAY: String(DAY_CAP),
};

/** Requests that start paid or heavy work, each as an admin sends it. */
const requests = (ids: { product: string; failed: string; draft: string }) => ({
  generate: { method: 'post', url: `/product-gallery/products/${ids.product}/generate`, body: {} },
  reanalyze: { method: 'post', url: `/product-gallery/products/${ids.product}/analyze`, body: {} },
  'AI cutout': { method: 'post', url: `/product-gallery/products/${ids.product}/reference/ai`, body: {} },
  regenerate: { method: 'post', url: `/product-gallery/assets/${ids.failed}/transition`, body: { to: 'queued', version: 1 } },
});

const expectRateLimited = (res: any) => {
  expect(res.status).toBe(429);
  expect(res.body.error).toMatchObject({ name: 'RateLimitError', message: expect.stringMatching(new RegExp(`at most ${PER_MINUTE} a minute per person\\. Try again in \\d+ seconds`)) });
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
};

describe('per-admin limits on generation', () => {
  let app: TestApp;
  let ids: { product: string; failed: string; draft: string };
  let product: { id: number; documentId: string };
  let file: { id: number };

  beforeAll(async () => {
    app = await startApp({ env });
    await stopWorker(app);
    // No source photo: generate and re-analysis answer 422 at once, after the limits are checked.
    product = await createProduct(app);
    file = await uploadPhoto(app);
    ids = { product: product.documentId, failed: '', draft: '' };
  });
  afterAll(async () => {
    await app?.stop();
  });

  const send = (session: AdminSession, r: { method: string; url: string; body: Record<string, unknown> }) =>
    (app.http as any)[r.method](r.url).set(session.auth).send(r.body);
  const failedAsset = async () => (await createAsset(app, { product, role: 'model', status: 'failed', file })).documentId;

  it('answers 429 with Retry-After and words once an admin has sent too many generation requests, whatever the route; others go on', async () => {
    const busy = await adminSession(app, { roleCode: 'strapi-editor' });
    const other = await adminSession(app, { roleCode: 'strapi-editor' });
    const all = requests({ ...ids, failed: await failedAsset() });
    for (let i = 0; i < PER_MINUTE; i++) {
      const res = await send(busy, all.generate);
      expect([i, res.status]).toEqual([i, 422]);
    }
    for (const [name, r] of Object.entries(all)) {
      const res = await send(busy, r);
      expect([name, res.status]).toEqual([name, 429]);
      expectRateLimited(res);
    }
    // Not a generation: an import (its work waits in the pipeline's bounded line, and it spends
    // nothing; a seller may bring a whole catalogue's photos at once) and a submit are not
    // refused, even for the same admin.
    const imported = await send(busy, { method: 'post', url: `/product-gallery/products/${ids.product}/assets`, body: { role: 'detail' } });
    expect([imported.status, imported.body.error?.message]).toEqual([400, expect.stringMatching(/attach the image/)]);
    const draft = await createAsset(app, { product, role: 'detail', status: 'draft', file });
    expect((await send(busy, { method: 'post', url: `/product-gallery/assets/${draft.documentId}/transition`, body: { to: 'in_review', version: 1 } })).status).toBe(200);
    // Another admin has their own budget.
    expect((await send(other, all.generate)).status).toBe(422);
  });

  it('counts a regeneration (back to the queue), and nothing else a transition does', async () => {
    const admin = await adminSession(app, { roleCode: 'strapi-editor' });
    for (let i = 0; i < PER_MINUTE; i++) {
      const res = await send(admin, { method: 'post', url: `/product-gallery/assets/${await failedAsset()}/transition`, body: { to: 'queued', version: 1 } });
      expect([i, res.status]).toEqual([i, 200]);
    }
    const refused = await send(admin, { method: 'post', url: `/product-gallery/assets/${await failedAsset()}/transition`, body: { to: 'queued', version: 1 } });
    expectRateLimited(refused);
  });

  it("refuses an admin's spend once today's shots they asked for cost their daily cap, until midnight UTC", async () => {
    const spender = await adminSession(app, { roleCode: 'strapi-editor' });
    const thrifty = await adminSession(app, { roleCode: 'strapi-editor' });
    const workflow = app.strapi.plugin('product-gallery').service('workflow');
    const actor = (s: AdminSession) => ({ kind: 'admin', id: s.user.id, email: s.user.email });
    const yesterday = new Date(Date.now() - 26 * 3600_000);
    // Shots each asked for, as the planner records them (audited as queued by them), with what
    // the ledger booked on them. The thrifty admin's spend is from yesterday: it does not count.
    const booked = async (s: AdminSession, cost: number, at: Date) => {
      const a = await workflow.create({ productId: product.id, role: 'lifestyle', status: 'queued', data: { cost, predictionIntentAt: at } }, actor(s));
      await app.strapi.db.query(UID.audit).updateMany({ where: { asset: a.documentId }, data: { at } });
    };
    await booked(spender, 0.06, new Date());
    await booked(thrifty, 0.5, yesterday);

    const all = requests({ ...ids, failed: await failedAsset() });
    // Under the cap: let through (to the controller's own answer).
    expect((await send(spender, all.generate)).status).toBe(422);
    await booked(spender, 0.05, new Date());

    for (const name of ['generate', 'AI cutout', 'regenerate'] as const) {
      const res = await send(spender, all[name]);
      expect([name, res.status]).toEqual([name, 429]);
      expect(res.body.error.message).toMatch(/Your AI spend for today is used up: \$0\.11 of your \$0\.10\. You can generate again in \d+ (seconds|minutes|hours) \(midnight UTC\)/);
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
    }
    // Spending nothing on Replicate is not capped.
    expect((await send(spender, all.reanalyze)).status).not.toBe(429);
    expect((await send(thrifty, all.generate)).status).toBe(422);
  });
});

const redisUp = redisListening();
if (!redisUp && process.env.CI === 'true') throw new Error('user-limits: Redis is required in CI (127.0.0.1:6379)');
if (!redisUp) console.warn('[user-limits] Redis cases skipped: needs Redis on 127.0.0.1:6379 (.ci/run starts it)');

(redisUp ? describe : describe.skip)('per-admin limits across instances (Redis)', () => {
  const prefix = `pg-test-${crypto.randomBytes(4).toString('hex')}`;
  const redisEnv = { ...env, REDIS_URL, PRODUCT_GALLERY_QUEUE_PREFIX: prefix, PRODUCT_GALLERY_WORKER: 'false' };
  let first: TestApp | null = null;
  let second: TestApp | null = null;

  afterAll(async () => {
    await first?.stop({ keepDatabase: Boolean(second) });
    await second?.stop();
    const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it("keeps an admin's budget when their next request reaches another instance", async () => {
    first = await startApp({ env: redisEnv });
    const product = await createProduct(first);
    const admin = await adminSession(first, { roleCode: 'strapi-editor' });
    const other = await adminSession(first, { roleCode: 'strapi-editor' });
    const generate = (app: TestApp, s: AdminSession) => app.http.post(`/product-gallery/products/${product.documentId}/generate`).set(s.auth).send({});
    for (let i = 0; i < PER_MINUTE; i++) expect((await generate(first, admin)).status).toBe(422);
    expectRateLimited(await generate(first, admin));

    // The first instance goes away (with its memory); a second one on the same database and Redis.
    const dbEnv = first.dbEnv;
    await first.stop({ keepDatabase: true });
    first = null;
    second = await startApp({ dbEnv, env: redisEnv });
    expectRateLimited(await generate(second, admin));
    expect((await generate(second, other)).status).toBe(422);
  });

  it('counts in the instance when Redis does not answer, instead of refusing everyone or no one', async () => {
    const down = new IORedis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    down.on('error', () => undefined);
    const errors: string[] = [];
    const budget = createSharedRequestBudget(down, 'p', 2, 60_000, undefined, (e) => errors.push(e.message));
    expect((await budget.take('a')).allowed).toBe(true);
    expect((await budget.take('a')).allowed).toBe(true);
    const third = await budget.take('a');
    expect(third.allowed).toBe(false);
    expect(third.retryAfterMs).toBeGreaterThan(0);
    expect((await budget.take('b')).allowed).toBe(true);
    expect(errors.length).toBeGreaterThan(0);
    down.disconnect();
  });
});

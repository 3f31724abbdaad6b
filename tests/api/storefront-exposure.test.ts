import crypto from 'node:crypto';
import IORedis from 'ioredis';
import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createAsset, createProduct, move, publishedGallery, stopWorker, uploadPhoto, UID } from '../support/fixtures';
import { describeWithServices, REDIS_URL } from '../support/services';

const GALLERIES = '/api/product-gallery/galleries';
/** Each client may look up this many slugs without a gallery a minute (set low to reach it here). */
const MISSES_PER_MINUTE = 30;

/** Every state an image can be in but published, each with something that must not leak. */
const UNPUBLISHED = ['queued', 'generating', 'draft', 'in_review', 'approved', 'rejected', 'failed', 'archived'] as const;

/**
 * What the storefront API lets anyone see: only published images, nothing of the product before
 * it has one, nothing a shared cache could hand to someone else, and no cheap slug guessing.
 */
describe('storefront exposure', () => {
  let app: TestApp;
  let reviewer: AdminSession;

  beforeAll(async () => {
    app = await startApp({ env: { GALLERY_MISSES_PER_CLIENT_PER_MINUTE: String(MISSES_PER_MINUTE) } });
    await stopWorker(app);
    reviewer = await adminSession(app, { roleCode: 'strapi-editor', email: `reviewer-${crypto.randomBytes(3).toString('hex')}@example.com` });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.http.get(url).set(headers);
  const apiToken = async (name: string) => {
    const token = await (app.strapi.service('admin::api-token') as any).create({
      name: `${name}-${crypto.randomBytes(3).toString('hex')}`,
      kind: 'content-api',
      type: 'read-only',
      lifespan: null,
    });
    return { Authorization: `Bearer ${token.accessKey}` };
  };
  const varies = (res: { headers: Record<string, string> }) => (res.headers.vary ?? '').split(/\s*,\s*/).map((v) => v.toLowerCase());

  it('keeps answers to a token or a signed-in user out of shared caches, and varies every answer on Authorization', async () => {
    const { product } = await publishedGallery(app, { roles: ['clean'] });
    const one = `${GALLERIES}/${product.slug}`;
    const list = `${GALLERIES}?slugs=${product.slug}`;

    for (const url of [one, list]) {
      const anonymous = await get(url);
      expect(anonymous.status).toBe(200);
      expect(anonymous.headers['cache-control']).toMatch(/^public, max-age=60/);
      expect(varies(anonymous)).toContain('authorization');
    }

    // A storefront's API token.
    const token = await apiToken('storefront');
    // A signed-in shopper (users-permissions JWT), whose role is granted the gallery actions.
    const authenticated = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
    for (const action of ['plugin::product-gallery.gallery.find', 'plugin::product-gallery.gallery.findOne']) {
      await app.strapi.db.query('plugin::users-permissions.permission').create({ data: { action, role: authenticated.id } });
    }
    const user = await app.strapi.db.query('plugin::users-permissions.user').create({
      data: { username: `shopper-${crypto.randomBytes(3).toString('hex')}`, email: `shopper-${crypto.randomBytes(3).toString('hex')}@example.com`, provider: 'local', confirmed: true, blocked: false, role: authenticated.id },
    });
    const jwt = { Authorization: `Bearer ${app.strapi.plugin('users-permissions').service('jwt').issue({ id: user.id })}` };

    for (const [who, auth] of [['api token', token], ['jwt', jwt]] as const) {
      for (const url of [one, list]) {
        const res = await get(url, auth);
        expect([who, url, res.status]).toEqual([who, url, 200]);
        const cacheControl = res.headers['cache-control'];
        expect([who, url, cacheControl]).toEqual([who, url, expect.stringMatching(/^private\b|no-store/)]);
        expect(cacheControl).not.toMatch(/public|s-maxage/);
        expect(varies(res)).toContain('authorization');
        // Revalidation still works for the token holder's own cache.
        const again = await get(url, { ...auth, 'If-None-Match': res.headers.etag });
        expect([who, url, again.status]).toEqual([who, url, 304]);
        expect(again.headers['cache-control']).toBe(cacheControl);
      }
    }
  });

  it('answers a product with nothing published exactly as an unknown slug, in every unpublished state', async () => {
    const file = await uploadPhoto(app);
    const product = await createProduct(app, { sourcePhoto: file.id });
    for (const status of UNPUBLISHED) {
      const role = (['clean', 'model', 'detail', 'lifestyle'] as const)[UNPUBLISHED.indexOf(status) % 4];
      if (status === 'archived') {
        // Published once, then taken down: the product has nothing on its page again.
        const a = await createAsset(app, { product, role, status: 'approved', file });
        await move(app, a.documentId, 'published');
        await move(app, a.documentId, 'archived');
      } else {
        await createAsset(app, { product, role, status, file });
      }
    }
    // An unknown slug of the same length: the answers must not differ even in size.
    const unknown = `${product.slug.slice(0, -4)}zzzz`;
    const hidden = await get(`${GALLERIES}/${product.slug}`);
    const absent = await get(`${GALLERIES}/${unknown}`);
    expect(hidden.status).toBe(404);
    expect(absent.status).toBe(404);
    expect(hidden.text.replace(product.slug, 'SLUG')).toBe(absent.text.replace(unknown, 'SLUG'));
    const headersOf = (res: { headers: Record<string, string> }) =>
      Object.entries(res.headers)
        .filter(([k]) => !['date', 'x-response-time'].includes(k))
        .sort(([a], [b]) => a.localeCompare(b));
    expect(headersOf(hidden)).toEqual(headersOf(absent));
    for (const text of [hidden.text, absent.text]) {
      expect(text).not.toContain(product.sku);
      expect(text).not.toContain(product.title);
      expect(text).not.toContain(product.documentId);
    }

    const listHidden = await get(`${GALLERIES}?slugs=${product.slug}`);
    const listAbsent = await get(`${GALLERIES}?slugs=${unknown}`);
    expect(listHidden.status).toBe(200);
    expect(listHidden.body).toEqual({ data: [], meta: { requested: 1, found: 0 } });
    expect(listHidden.text).toBe(listAbsent.text);
    expect(listHidden.headers.etag).toBe(listAbsent.headers.etag);

    // Once an image is published, the product is there.
    const live = await createAsset(app, { product, role: 'clean', status: 'approved', file });
    await move(app, live.documentId, 'published');
    expect((await get(`${GALLERIES}/${product.slug}`)).status).toBe(200);
  });

  it('shows only published images, for every state, and nothing of their making or their review', async () => {
    const sourcePhoto = await uploadPhoto(app, '11_pendant_product_silver-origami-crane.jpg');
    const product = await createProduct(app, { sourcePhoto: sourcePhoto.id, category: 'pendant' });
    const published = await uploadPhoto(app, '04_pendant_product_turquoise-point-pendant.jpg');
    const secrets = {
      // A failing check: approving needs an override, whose reason is kept on the asset.
      qc: [{ id: 'fidelity.stones', status: 'fail', message: 'SECRET-QC the stone measures 0.4 mm small' }],
      extra: { error: 'SECRET-ERROR the model refused', provenance: { generator: 'replicate', model: 'SECRET-MODEL/x', seed: 424242, predictionId: 'SECRET-PREDICTION' } },
    };
    // Reviewed over the admin API, so the audit trail names the reviewer and holds their notes.
    const review = (documentId: string, to: string, version: number, extra: Record<string, unknown> = {}) =>
      app.http.post(`/product-gallery/assets/${documentId}/transition`).set(reviewer.auth).send({ to, version, ...extra });

    const live = await createAsset(app, { product, role: 'clean', status: 'in_review', file: published, ...secrets });
    const approved = await review(live.documentId, 'approved', 1, { note: 'SECRET-NOTE looks right', override: 'SECRET-OVERRIDE the client signed off' });
    expect(approved.status).toBe(200);
    expect((await review(live.documentId, 'published', 2)).status).toBe(200);

    const hiddenFiles: Array<{ url: string; hash?: string }> = [sourcePhoto];
    const hiddenIds: string[] = [];
    for (const status of UNPUBLISHED) {
      const f = await uploadPhoto(app, '01_necklace_product_bird-chain.jpg');
      hiddenFiles.push(f);
      if (status === 'archived') {
        const old = await createAsset(app, { product, role: 'lifestyle', status: 'approved', file: f, ...secrets });
        await move(app, old.documentId, 'published');
        await move(app, old.documentId, 'archived');
        hiddenIds.push(old.documentId);
        continue;
      }
      const a = await createAsset(app, { product, role: status === 'approved' ? 'detail' : 'model', status: status === 'rejected' ? 'in_review' : status, file: f, ...secrets });
      if (status === 'rejected') expect((await review(a.documentId, 'rejected', 1, { note: 'SECRET-REJECTION the clasp is wrong' })).status).toBe(200);
      hiddenIds.push(a.documentId);
    }

    const answers = [
      await get(`${GALLERIES}/${product.slug}`),
      await get(`${GALLERIES}/${product.slug}?channel=amazon`),
      await get(`${GALLERIES}?slugs=${product.slug}`),
    ];
    for (const res of answers) {
      expect(res.status).toBe(200);
      const text = res.text;
      const gallery = res.body.data.product ? res.body.data : res.body.data[0];
      expect(gallery.slots.map((s: any) => s.role)).toEqual(['clean', 'clean']);
      expect(gallery.slots[0].image.url).toBe((published as any).url);
      for (const f of hiddenFiles) {
        expect(text).not.toContain(f.url);
        if (f.hash) expect(text).not.toContain(f.hash);
      }
      for (const id of [live.documentId, ...hiddenIds]) expect(text).not.toContain(id);
      expect(text).not.toMatch(/SECRET-|flux-kontext|424242/);
      expect(text).not.toContain(reviewer.user.email);
      expect(text).not.toMatch(/"(id|prompt|negativePrompt|cost|qc|qcStatus|provenance|version|galleryVersion|status|sourcePhoto|reference|error|note|override|approvalOverride|actor|predictionId|generationTag)":/);
    }
  });

  it('shows the source photo only where it is itself a published gallery image', async () => {
    const photo = await uploadPhoto(app, '11_pendant_product_silver-origami-crane.jpg');
    const product = await createProduct(app, { sourcePhoto: photo.id, category: 'pendant' });
    const asIs = await createAsset(app, { product, role: 'clean', status: 'approved', file: photo });
    await move(app, asIs.documentId, 'published');
    const res = await get(`${GALLERIES}/${product.slug}`);
    expect(res.body.data.slots[0].image.url).toBe(photo.url);
  });

  it('takes at most a grid page of slugs per request', async () => {
    const page = Array.from({ length: 24 }, (_, i) => `grid-${i}`).join(',');
    const ok = await get(`${GALLERIES}?slugs=${page}`, await apiToken('grid'));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ data: [], meta: { requested: 24, found: 0 } });
    const tooMany = await get(`${GALLERIES}?slugs=${page},grid-24`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/slugs: must name at most 24 slugs/);
  });

  it('refuses a client every lookup once it has looked up too many slugs without a gallery, and no one else', async () => {
    const { product } = await publishedGallery(app, { roles: ['clean'] });
    const guesser = await apiToken('guesser');
    const shop = await apiToken('shop');
    const known = `${GALLERIES}/${product.slug}`;
    const guesses = () => Array.from({ length: 24 }, () => `guess-${crypto.randomBytes(4).toString('hex')}`).join(',');

    // Known galleries never count: a storefront asking for what it sells is never slowed.
    for (let i = 0; i < MISSES_PER_MINUTE + 5; i++) expect((await get(known, guesser)).status).toBe(200);

    // 24 guesses, then 24 more: past the budget of 30, and charged in full.
    expect((await get(`${GALLERIES}?slugs=${guesses()}`, guesser)).body.meta).toEqual({ requested: 24, found: 0 });
    expect((await get(`${GALLERIES}?slugs=${guesses()}`, guesser)).status).toBe(200);

    // Now every lookup of that client is refused, a known one too (else the refusal would tell
    // a guess from a hit), with when to come back.
    for (const url of [known, `${GALLERIES}?slugs=${product.slug}`, `${GALLERIES}/${guesses().split(',')[0]}`]) {
      const refused = await get(url, guesser);
      expect([url, refused.status]).toEqual([url, 429]);
      expect(refused.body.error).toMatchObject({ name: 'RateLimitError', message: expect.stringMatching(/Too many lookups.*Try again in \d+ (seconds|minutes)/) });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.text).not.toContain(product.sku);
    }

    // Other clients are untouched.
    expect((await get(known, shop)).status).toBe(200);
    expect((await get(known)).status).toBe(200);
  });

  // Last here: the anonymous client (this test's address) stays refused for a minute.
  it('refuses an anonymous client the same way, on the route answered before the router', async () => {
    const { product } = await publishedGallery(app, { roles: ['clean'] });
    const known = `${GALLERIES}/${product.slug}`;
    const guesses = () => Array.from({ length: 24 }, () => `guess-${crypto.randomBytes(4).toString('hex')}`).join(',');
    const answered = await get(known);
    expect(answered.status).toBe(200);
    expect((await get(known, { 'If-None-Match': answered.headers.etag })).status).toBe(304);
    expect((await get(`${GALLERIES}?slugs=${guesses()}`)).status).toBe(200);
    expect((await get(`${GALLERIES}?slugs=${guesses()}`)).status).toBe(200);
    for (const url of [known, `${GALLERIES}/${guesses().split(',')[0]}`]) {
      const refused = await get(url);
      expect([url, refused.status]).toEqual([url, 429]);
      expect(refused.body.error).toMatchObject({ name: 'RateLimitError', message: expect.stringMatching(/Too many lookups.*Try again in \d+ (seconds|minutes)/) });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
  });
});

/**
 * With Redis the misses budget is shared by every instance, and a lookup of a known gallery
 * costs no round trip to it: each instance answers those from the client's state as it last saw
 * it, and asks Redis on every miss.
 */
describeWithServices('storefront exposure across instances', ['redis'])('storefront exposure across instances (Redis)', () => {
  const prefix = `pg-test-${crypto.randomBytes(4).toString('hex')}`;
  const env = { GALLERY_MISSES_PER_CLIENT_PER_MINUTE: String(MISSES_PER_MINUTE), REDIS_URL, PRODUCT_GALLERY_QUEUE_PREFIX: prefix, PRODUCT_GALLERY_WORKER: 'false' };
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

  it('refuses a client that guessed on one instance every lookup there at once, and on another from its first miss there', async () => {
    first = await startApp({ env });
    const { product } = await publishedGallery(first, { roles: ['clean'] });
    const apiToken = async (app: TestApp, name: string) => {
      const token = await (app.strapi.service('admin::api-token') as any).create({ name: `${name}-${crypto.randomBytes(3).toString('hex')}`, kind: 'content-api', type: 'read-only', lifespan: null });
      return { Authorization: `Bearer ${token.accessKey}` };
    };
    const guesser = await apiToken(first, 'guesser');
    const shop = await apiToken(first, 'shop');
    const get = (app: TestApp, url: string, headers: Record<string, string> = {}) => app.http.get(url).set(headers);
    const known = `${GALLERIES}/${product.slug}`;
    const guesses = () => Array.from({ length: 24 }, () => `guess-${crypto.randomBytes(4).toString('hex')}`).join(',');

    for (let i = 0; i < MISSES_PER_MINUTE + 5; i++) expect((await get(first, known, guesser)).status).toBe(200);
    expect((await get(first, `${GALLERIES}?slugs=${guesses()}`, guesser)).status).toBe(200);
    expect((await get(first, `${GALLERIES}?slugs=${guesses()}`, guesser)).status).toBe(200);
    // This instance charged the misses: it refuses the next lookup, a known one too.
    const refused = await get(first, known, guesser);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get(first, known, shop)).status).toBe(200);

    // Another instance, on the same database and Redis, that has not seen the client yet.
    const dbEnv = first.dbEnv;
    await first.stop({ keepDatabase: true });
    first = null;
    second = await startApp({ dbEnv, env });
    const guess = await get(second, `${GALLERIES}/${guesses().split(',')[0]}`, guesser);
    expect(guess.status).toBe(429);
    expect(guess.body.error).toMatchObject({ name: 'RateLimitError', message: expect.stringMatching(/Too many lookups/) });
    for (const url of [known, `${GALLERIES}?slugs=${product.slug}`]) expect([url, (await get(second, url, guesser)).status]).toEqual([url, 429]);
    expect((await get(second, known, shop)).status).toBe(200);
  });
});

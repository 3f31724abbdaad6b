import fs from 'node:fs';
import { startCluster, oneMegapixelShots, terminalEvents, type Cluster, type Instance } from '../support/cluster';
import { describeWithServices, REDIS_URL } from '../support/services';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { photoPath } from '../support/photos';

/**
 * Faults under load, each recovered from without a person: PostgreSQL lost and back, Redis down
 * and back, Replicate answering 5xx for a while, the object store refusing writes. The app reaches
 * PostgreSQL and Redis through TCP proxies (tests/support/tcp-proxy.ts) that drop every connection
 * and refuse new ones, as a restart or a network cut does; the real services, and every other
 * suite on them, are never touched. During each fault an editor's request is answered 503 (or
 * 409) with a message, never 500; after it every shot is drafted once, from one prediction.
 *
 * How long Replicate stays down: FAULT_REPLICATE_OUTAGE_MS (default 60000, a minute).
 */
const EDIT_MODEL = 'black-forest-labs/flux-kontext-pro';
const PHOTO = photoPath('01_necklace_product_bird-chain.jpg');
const IMPORT = photoPath('54_');
const PRODUCTS_PER_FAULT = 5;
/** How long PostgreSQL, Redis and the object store are down: a restart, or a short network cut. */
const DOWN_MS = 15_000;
const REPLICATE_OUTAGE_MS = Number(process.env.FAULT_REPLICATE_OUTAGE_MS || 60_000);

type Answer = { what: string; status: number; message: string };

describeWithServices('faults', ['postgres', 'redis'])('faults: database, Redis, Replicate 5xx, object store', () => {
  let cluster: Cluster;
  let pg: TcpProxy;
  let redis: TcpProxy;
  let app: Instance;
  let auth: Record<string, string>;
  let products: string[] = [];
  let asset: string;
  let slug: string;
  let shots = 0;

  beforeAll(async () => {
    pg = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    redis = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) });
    cluster = await startCluster({
      scenario: { latencyMs: 1000 },
      env: { PRODUCT_GALLERY_CONCURRENCY: '4' },
    });
    app = await cluster.start('instance', { DATABASE_URL: pg.through(cluster.dbEnv.DATABASE_URL), REDIS_URL: redis.through(REDIS_URL) });
    await oneMegapixelShots(app, 'necklace');
    auth = await app.child.call('adminAuth');
    const seeded = await app.child.call('seed', { count: 4 * PRODUCTS_PER_FAULT + 1, photo: PHOTO, category: 'necklace', dimensions: { chainLengthMm: 450 } }, 600_000);
    products = seeded.ids;
    // One drafted image for the requests that edit one.
    const [first] = products.splice(0, 1);
    slug = (await app.child.call('adminRequest', { method: 'GET', path: `/product-gallery/products/${first}` })).body.data.product.slug;
    await generate([first], ['model']);
    asset = (await settle()).assets[0].documentId;
  }, 900_000);

  afterAll(async () => {
    await cluster?.close();
    await pg?.close();
    await redis?.close();
  }, 120_000);

  const generate = async (ids: string[], roles = ['model', 'lifestyle']) => {
    const gen = await app.child.call('generate', { ids, roles });
    shots += gen.assets;
    return gen;
  };
  const settle = () => app.child.call('watch', { expected: shots, timeoutMs: 400_000 }, 450_000);
  const edits = () => [...cluster.fake.predictions.values()].filter((p) => p.model === EDIT_MODEL);
  const inFlight = async (n: number) => {
    const deadline = Date.now() + 120_000;
    while (edits().length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  };

  /** What an editor and a storefront do meanwhile, over HTTP; each answer's status and message. */
  const editorRequests = async (product: string): Promise<Answer[]> => {
    const form = new FormData();
    form.set('role', 'model');
    form.set('file', new Blob([fs.readFileSync(IMPORT)], { type: 'image/jpeg' }), 'import.jpg');
    const requests: Array<[string, string, RequestInit?]> = [
      ['workspace', `/product-gallery/products/${product}`],
      ['progress', `/product-gallery/progress`],
      ['alt text', `/product-gallery/assets/${asset}`, { method: 'PUT', body: JSON.stringify({ alt: 'A gold chain necklace on a neck' }), headers: { 'Content-Type': 'application/json' } }],
      ['import', `/product-gallery/products/${product}/assets`, { method: 'POST', body: form }],
      ['storefront', `/api/product-gallery/galleries?slugs=${slug}`],
    ];
    return Promise.all(
      requests.map(async ([what, path, init]) => {
        const res = await fetch(`${app.url}${path}`, { ...init, headers: { ...(what === 'storefront' ? {} : auth), ...(init?.headers as Record<string, string>) } });
        const body = await res.json().catch(() => ({}));
        // An import that went through is one more image in draft.
        if (what === 'import' && res.status === 201) shots++;
        return { what, status: res.status, message: String(body?.error?.message ?? '') };
      })
    );
  };
  /** Never a 500: each answer succeeded, or is a 503/409 that says what happened. */
  const expectNoServerErrors = (answers: Answer[]) => {
    for (const a of answers) {
      if (a.status < 400) continue;
      expect([a.what, [503, 409].includes(a.status), a.message.length > 20]).toEqual([a.what, true, true]);
    }
  };
  /** What exists before a fault: the assets and predictions it must leave as they were. */
  const mark = async () => ({ assets: new Set<string>((await settle()).assets.map((x: any) => x.documentId)), predictions: edits().length });
  /** The fault's batch drafted, each shot once, from one prediction each. */
  const expectRecovered = async (before: { assets: Set<string>; predictions: number }) => {
    const batch = (await settle()).assets.filter((x: any) => !before.assets.has(x.documentId));
    expect(batch.filter((x: any) => x.status !== 'draft').map((x: any) => [x.status, x.error])).toEqual([]);
    const terminals = (await terminalEvents(cluster)).filter((t) => !before.assets.has(t.asset));
    expect(terminals.filter((t) => t.to === 'failed' || t.n !== 1)).toEqual([]);
    expect(terminals).toHaveLength(batch.length);
    const used = batch.map((x: any) => x.predictionId).filter(Boolean);
    expect(new Set(used).size).toBe(used.length);
    expect(edits().length - before.predictions).toBe(used.length);
    return batch;
  };

  it('PostgreSQL lost under load and back: editors get 503 meanwhile, then every shot is drafted once', async () => {
    const batch = products.splice(0, PRODUCTS_PER_FAULT);
    const before = await mark();
    await generate(batch);
    await inFlight(edits().length + 3);
    await pg.down();
    const during = await editorRequests(batch[0]);
    await new Promise((r) => setTimeout(r, DOWN_MS));
    await pg.up();
    expectNoServerErrors(during);
    // Every one of them needs the database: each was told so.
    expect(during.map((a) => [a.what, a.status])).toEqual(during.map((a) => [a.what, 503]));
    expect(during[0].message).toMatch(/database/i);
    await expectRecovered(before);
    expect((await editorRequests(batch[0])).filter((a) => a.status >= 400)).toEqual([]);
  }, 600_000);

  it('Redis down under load and back: requests are answered meanwhile, then every shot is drafted once', async () => {
    const batch = products.splice(0, PRODUCTS_PER_FAULT);
    const before = await mark();
    await generate(batch.slice(0, -1));
    await inFlight(edits().length + 3);
    await redis.down();
    const during = await editorRequests(batch[0]);
    // Work asked for while the queue is down is not lost either.
    const late = await app.child.call('adminRequest', { method: 'POST', path: `/product-gallery/products/${batch.at(-1)}/generate`, body: { roles: ['model', 'lifestyle'] } });
    await new Promise((r) => setTimeout(r, DOWN_MS));
    await redis.up();
    expectNoServerErrors(during);
    expect(late.status).toBe(202);
    shots += late.body.data.assets.length;
    await expectRecovered(before);
  }, 600_000);

  it(`Replicate answering 5xx for ${REPLICATE_OUTAGE_MS / 1000} s: retries back off, then every shot is drafted once`, async () => {
    const batch = products.splice(0, PRODUCTS_PER_FAULT);
    const before = await mark();
    const until = Date.now() + REPLICATE_OUTAGE_MS;
    // Every third creation is carried out before its 5xx: those must be found, not made again.
    cluster.fake.setScenario({ outage: { until, processedEvery: 3 } });
    await generate(batch);
    const during = await editorRequests(batch[0]);
    expectNoServerErrors(during);
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
    const refused = cluster.fake.state.responses.filter((r) => r.status >= 500).length;
    await expectRecovered(before);
    expect(refused).toBeGreaterThan(0);
    expect(edits().length - before.predictions).toBe(2 * PRODUCTS_PER_FAULT);
  }, 600_000);

  it('the object store refusing writes: imports get 503 meanwhile, then every shot is drafted once', async () => {
    const batch = products.splice(0, PRODUCTS_PER_FAULT);
    const before = await mark();
    await generate(batch);
    await inFlight(edits().length + 3);
    cluster.s3.failWrites(true);
    const during = await editorRequests(batch[0]);
    await new Promise((r) => setTimeout(r, DOWN_MS));
    cluster.s3.failWrites(false);
    expectNoServerErrors(during);
    const imported = during.find((a) => a.what === 'import')!;
    expect([imported.status, imported.message]).toEqual([503, expect.stringMatching(/file store/i)]);
    expect(cluster.s3.refusedWrites()).toBeGreaterThan(0);
    await expectRecovered(before);
  }, 600_000);
});

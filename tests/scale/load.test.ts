import { startCluster, oneMegapixelShots, type Cluster, type Instance } from '../support/cluster';
import { describeWithServices } from '../support/services';
import { photoPath } from '../support/photos';

/**
 * The storefront gallery API under load while editors publish and archive on another instance:
 * 64 connections for LOAD_SECONDS (default 60) against instance B, while instance A publishes and
 * then archives one image of each product, one after the other. No request fails, and no answer
 * is older than a publish or an archive that had returned before the request was sent. Prints
 * the figures the README quotes (req/s, latency p50/p99, errors).
 */
const PRODUCTS = 20;
const CONNECTIONS = 64;
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS || 60);
const PHOTO = photoPath('01_necklace_product_bird-chain.jpg');

interface Op {
  slug: string;
  /** Whether the product's model image is published after this operation. */
  model: boolean;
  sentAt: number;
  returnedAt: number;
}

describeWithServices('load', ['postgres', 'redis'])('load: the gallery API under 64 connections while another instance publishes', () => {
  let cluster: Cluster;
  let a: Instance;
  let b: Instance;
  /** Per product: its slug, its model image (approved, to publish) and the version it is at. */
  let targets: Array<{ slug: string; model: string; version: number }> = [];

  const admin = async (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => {
    const res = await a.child.call('adminRequest', { method, path, body });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return res.body.data;
  };
  /** Moves an asset along the review workflow to `to`, as an editor does. */
  const move = async (asset: { documentId: string; version: number }, ...steps: string[]) => {
    let version = asset.version;
    for (const to of steps) version = (await admin('POST', `/product-gallery/assets/${asset.documentId}/transition`, { to, version, override: 'Load test: checked by eye' })).version;
    return version;
  };

  beforeAll(async () => {
    cluster = await startCluster({ scenario: { latencyMs: 200 }, env: { PRODUCT_GALLERY_CONCURRENCY: '8' } });
    a = await cluster.start('publisher');
    b = await cluster.start('storefront');
    await oneMegapixelShots(a, 'necklace');
    const seeded = await a.child.call('seed', { count: PRODUCTS, photo: PHOTO, category: 'necklace', dimensions: { chainLengthMm: 450 } }, 600_000);
    const gen = await a.child.call('generate', { ids: seeded.ids, roles: ['model', 'lifestyle'] });
    const watched = await a.child.call('watch', { expected: gen.assets, timeoutMs: 400_000 }, 450_000);
    expect(watched.assets.map((x: any) => x.status)).toEqual(Array(gen.assets).fill('draft'));
    // Each product keeps a published lifestyle image throughout; its model image is approved, ready to publish.
    for (const id of seeded.ids) {
      const { slug } = (await admin('GET', `/product-gallery/products/${id}`)).product;
      const assets = (await a.child.call('adminRequest', { method: 'GET', path: `/product-gallery/assets?product=${id}` })).body.data;
      const of = (role: string) => assets.find((x: any) => x.role === role);
      await move(of('lifestyle'), 'in_review', 'approved', 'published');
      targets.push({ slug, model: of('model').documentId, version: await move(of('model'), 'in_review', 'approved') });
    }
  }, 1_200_000);

  afterAll(async () => {
    await cluster?.close();
  }, 120_000);

  it(`${CONNECTIONS} connections for ${LOAD_SECONDS} s: no errors, no answer older than a returned publish or archive`, async () => {
    const autocannon = require('autocannon');
    const ops: Op[] = [];
    const stale: Array<{ slug: string; sentAt: number; model: boolean }> = [];
    const seen = new Map<string, { fresh: number; total: number }>();

    const run = autocannon({
      url: b.url,
      connections: CONNECTIONS,
      duration: LOAD_SECONDS,
      requests: targets.map(({ slug }) => ({
        method: 'GET',
        path: `/api/product-gallery/galleries/${slug}`,
        setupRequest: (req: any, context: any) => {
          context.sentAt = Date.now();
          context.slug = slug;
          return req;
        },
        onResponse: (status: number, body: string, context: any) => {
          if (status !== 200) return;
          const model = JSON.parse(body).data.slots.some((s: any) => s.role === 'model');
          // The product's operations that had returned before this request was sent; the last
          // one decides, unless the next one was already under way (then either state is right).
          const mine = ops.filter((o) => o.slug === context.slug);
          const done = mine.filter((o) => o.returnedAt < context.sentAt);
          const allowed = new Set([done.length ? done.at(-1)!.model : false, ...mine.slice(done.length, done.length + 1).map((o) => o.model)]);
          const count = seen.get(context.slug) ?? { fresh: 0, total: 0 };
          count.total++;
          if (!allowed.has(model)) stale.push({ slug: context.slug, sentAt: context.sentAt, model });
          else if (done.length) count.fresh++;
          seen.set(context.slug, count);
        },
      })),
    });

    // Meanwhile on instance A: each product's model image published, then archived, spread over the run.
    const started = Date.now();
    const plan = targets.flatMap((t) => [{ t, to: 'published', model: true }, { t, to: 'archived', model: false }]);
    const spacing = (LOAD_SECONDS * 1000 * 0.85) / plan.length;
    for (const [i, step] of plan.entries()) {
      const wait = started + 2000 + i * spacing - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const sentAt = Date.now();
      // Recorded as under way before it is sent: a response may reflect it from now on.
      const op: Op = { slug: step.t.slug, model: step.model, sentAt, returnedAt: Infinity };
      ops.push(op);
      step.t.version = (await admin('POST', `/product-gallery/assets/${step.t.model}/transition`, { to: step.to, version: step.t.version })).version;
      op.returnedAt = Date.now();
    }
    const result = await run;

    const figures = {
      connections: CONNECTIONS,
      seconds: LOAD_SECONDS,
      requests: result.requests.total,
      reqPerSec: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      publishesAndArchives: ops.length,
      checkedAfterAnOperation: [...seen.values()].reduce((s, c) => s + c.fresh, 0),
    };
    console.log(`[load] ${JSON.stringify(figures)}`);
    expect([result.errors, result.timeouts, result.non2xx]).toEqual([0, 0, 0]);
    expect(stale).toEqual([]);
    expect(ops.every((o) => o.returnedAt < Infinity)).toBe(true);
    // Every product was read after its publish and after its archive had returned.
    expect(figures.checkedAfterAnOperation).toBeGreaterThan(0);
    expect(seen.size).toBe(PRODUCTS);
  }, 600_000);
});

/**
 * One Strapi instance in its own process (one Strapi per process), for the tests and benchmarks
 * that need several instances: booted with the test harness, driven by the parent over IPC (see
 * rpc.ts). It records, from its own event hub, every asset state change it made, so the parent
 * can see how the work split between instances.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startApp, adminSession, ROOT, type TestApp, type AdminSession } from './strapi';
import { uploadPhoto, createProduct } from './products';
import { serveParent } from './rpc';

const ASSET = 'plugin::product-gallery.image-asset';
const PRODUCT = 'plugin::product-gallery.product';

let app: TestApp | null = null;
let admin: AdminSession | null = null;
const transitions: Array<{ asset: string; to: string; from: string; at: number }> = [];

const must = () => {
  if (!app) throw new Error('not booted');
  return app;
};
const plugin = () => must().strapi.plugin('product-gallery');

/** Runs `fn` over `items` with at most `limit` in flight. */
const pool = async <T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>) => {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    })
  );
  return out;
};

/** Statements sent to the database since the dispatcher last started, by text; and how many of them `watch` sent. */
const queries = new Map<string, number>();
let observerQueries = 0;

serveParent({
  async boot({ dbEnv, env }: { dbEnv?: Record<string, string>; env: Record<string, string> }) {
    const started = Date.now();
    app = await startApp({ dbEnv, env });
    // Listen once, so concurrent supertest requests share this server instead of each calling listen().
    await new Promise<void>((resolve) => app!.strapi.server.httpServer.listen(0, '127.0.0.1', () => resolve()));
    app.strapi.eventHub.on('product-gallery.asset.status', (p: any) => {
      transitions.push({ asset: p.asset, to: p.to, from: p.from, at: Date.now() });
    });
    // Stage events: a Replicate shot prepared (its creation is next), or its output secured
    // (downloaded, intaken, stored: QC is next).
    app.strapi.eventHub.on('product-gallery.asset.stage', (p: any) => {
      transitions.push({ asset: p.asset, to: p.stage === 'check' ? 'secured' : 'prepared', from: 'generating', at: p.at });
    });
    // Every statement this process sends to the database (BEGIN and COMMIT included), by text.
    app.strapi.db.connection.client.on('query', (q: any) => {
      const text = String(q.sql).replace(/\$\d+/g, '?').slice(0, 200);
      queries.set(text, (queries.get(text) ?? 0) + 1);
    });
    const { port } = app.strapi.server.httpServer.address() as AddressInfo;
    return { dbEnv: app.dbEnv, owner: plugin().service('dispatch').owner, pid: process.pid, port, bootMs: Date.now() - started };
  },

  /** Where the parent reaches this instance over HTTP, and a super admin's token for it. */
  async session() {
    const a = must();
    admin = admin ?? (await adminSession(a));
    const { port } = a.strapi.server.httpServer.address() as { port: number };
    return { port, token: admin.token };
  },

  /** Own property names of the built-in prototypes, to see that no request added one. */
  prototypeKeys() {
    return Object.fromEntries(
      Object.entries({ Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, String: String.prototype }).map(([name, proto]) => [
        name,
        Object.getOwnPropertyNames(proto).sort(),
      ])
    );
  },

  /** N products through the Content Manager API, all on one uploaded photo (each create analyses it). */
  async seed({ count, photo, category, dimensions, concurrency = 4 }: { count: number; photo: string; category: string; dimensions: Record<string, number>; concurrency?: number }) {
    const a = must();
    admin = admin ?? (await adminSession(a));
    const started = Date.now();
    const file = await uploadPhoto(a, admin, photo);
    // Every product shares this one photo: the first create analyses it for real (intake, cutout,
    // fingerprint in the worker pool); the others reuse that reference instead of re-analysing
    // the same bytes (bench seeding only, so it stays quick on a shared 2-core machine).
    const products = plugin().service('products');
    const analyze = products.analyzeSourcePhoto;
    const memo = new Map<number, Promise<unknown>>();
    products.analyzeSourcePhoto = (fileId: number, label?: string) => {
      if (!memo.has(fileId)) memo.set(fileId, analyze.call(products, fileId, label));
      return memo.get(fileId);
    };
    const ids = await pool(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
      const res = await createProduct(a, admin!, {
        title: `Bench product ${i + 1}`,
        sku: `GEN-BENCH-${String(i + 1).padStart(4, '0')}`,
        category,
        metal: 'yellow-gold',
        sourcePhoto: file.id,
        dimensions,
      });
      if (res.status !== 201) throw new Error(`create product ${i + 1}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      return res.body.data.documentId as string;
    });
    products.analyzeSourcePhoto = analyze;
    const plan = await a.http.get(`/product-gallery/products/${ids[0]}`).set(admin.auth);
    const shots = (plan.body?.data?.plan?.shots ?? []).map((s: any) => ({ role: s.role, generator: s.generator, model: s.model }));
    return { ids, seedMs: Date.now() - started, shots };
  },

  /** POST /product-gallery/products/:id/generate for each product, a few at a time, as the admin does. */
  async generate({ ids, roles, concurrency = 4 }: { ids: string[]; roles: string[]; concurrency?: number }) {
    const a = must();
    admin = admin ?? (await adminSession(a));
    const startedAt = Date.now();
    const counts = await pool(ids, concurrency, async (id) => {
      const res = await a.http.post(`/product-gallery/products/${id}/generate`).set(admin!.auth).send({ roles });
      if (res.status !== 202) throw new Error(`generate ${id}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      return res.body.data.assets.length as number;
    });
    return { startedAt, queuedAt: Date.now(), assets: counts.reduce((s, n) => s + n, 0) };
  },

  /** Waits until no asset is queued or generating (polling the shared database). */
  async watch({ expected, timeoutMs }: { expected: number; timeoutMs: number }) {
    const q = must().strapi.db.query(ASSET);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = await q.count({ where: { status: { $in: ['queued', 'generating'] } } });
      const total = await q.count({});
      observerQueries += 2;
      if (total >= expected && pending === 0) break;
      if (Date.now() > deadline) break;
      // Not faster: this observer runs inside an instance under test.
      await new Promise((r) => setTimeout(r, 250));
    }
    observerQueries += 1;
    const rows = await q.findMany({ select: ['documentId', 'status', 'predictionId', 'attempts', 'error', 'qcStatus', 'provenance', 'predictionIntentAt', 'updatedAt'] });
    return {
      at: Date.now(),
      assets: rows.map((r: any) => ({
        documentId: r.documentId,
        status: r.status,
        predictionId: r.predictionId,
        attempts: r.attempts,
        error: r.error,
        qcStatus: r.qcStatus,
        durationMs: r.provenance?.durationMs ?? null,
        intentAt: r.predictionIntentAt ? new Date(r.predictionIntentAt).getTime() : null,
      })),
    };
  },

  /**
   * An editor's writes while other work runs: each product's title changed through the Content
   * Manager `rounds` times, a few at once. Answers other than 200, with their messages.
   */
  async edits({ ids, rounds }: { ids: string[]; rounds: number }) {
    const a = must();
    admin = admin ?? (await adminSession(a));
    const jobs = Array.from({ length: rounds }, (_, r) => ids.map((id) => ({ id, r }))).flat();
    const answers = await pool(jobs, 4, async ({ id, r }) => {
      const res = await a.http.put(`/content-manager/collection-types/${PRODUCT}/${id}`).set(admin!.auth).send({ title: `Edited ${r} ${id}` });
      return { status: res.status, message: res.body?.error?.message ?? null };
    });
    return { count: answers.length, refused: answers.filter((x) => x.status !== 200) };
  },

  /** Who dispatches instead of this instance (it stands by), or null. */
  async dispatcher() {
    return { standingBy: plugin().service('dispatch').standingBy() };
  },

  /** Stops this instance's dispatcher (so shots can be queued first), or starts it again. */
  async pause() {
    await plugin().service('dispatch').stop();
    return { at: Date.now() };
  },
  async resume() {
    queries.clear();
    observerQueries = 0;
    const at = Date.now();
    await plugin().service('dispatch').start();
    return { at };
  },

  /** This process's own share: state changes it made. */
  async stats() {
    const statements = [...queries].sort((a, b) => b[1] - a[1]);
    const total = statements.reduce((s, [, n]) => s + n, 0) - observerQueries;
    return { pid: process.pid, owner: plugin().service('dispatch').owner, transitions, queries: { total, statements } };
  },

  /**
   * Per-image work measured alone: download of one output, then the same intake + QC +
   * renditions + Media Library store a generated image takes (candidates.checkAndStore), `reps` times.
   */
  async probe({ url, productId, reps }: { url: string; productId: string; reps: number }) {
    const product = await plugin().service('products').get(productId);
    const full = await must().strapi.db.query(PRODUCT).findOne({ where: { id: product.id }, populate: { sourcePhoto: true } });
    const times: number[] = [];
    const downloads: number[] = [];
    let size = { width: 0, height: 0, bytes: 0 };
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      const res = await fetch(url);
      const bytes = Buffer.from(await res.arrayBuffer());
      const t1 = performance.now();
      const fields: any = await plugin()
        .service('candidates')
        .checkAndStore(bytes, { product: full, role: 'model', spec: { role: 'model', aspectRatio: '1:1', minLongEdge: 1000, expectedProductLongSidePx: null }, name: `probe-${i}` });
      times.push(performance.now() - t1);
      downloads.push(t1 - t0);
      size = { width: fields.width, height: fields.height, bytes: bytes.length };
    }
    return { times, downloads, size };
  },

  /** The seeding admin's Authorization header, for requests the parent makes itself. */
  async adminAuth() {
    admin = admin ?? (await adminSession(must()));
    return admin.auth;
  },

  /** One admin API request as the seeding admin: its status and body. */
  async adminRequest({ method, path: url, body }: { method: 'GET' | 'POST' | 'PUT'; path: string; body?: unknown }) {
    const a = must();
    admin = admin ?? (await adminSession(a));
    const req = method === 'GET' ? a.http.get(url) : method === 'PUT' ? a.http.put(url) : a.http.post(url);
    const res = await req.set(admin.auth).send(body as object);
    return { status: res.status, body: res.body };
  },

  /**
   * Every stored file of every image asset (the file and each rendition), read back by this
   * process through the plugin's own read path: whoever stored it, this instance must be able to.
   */
  async readStoredFiles() {
    const rows = await must().strapi.db.query(ASSET).findMany({ where: { file: { id: { $notNull: true } } }, select: ['documentId'], populate: { file: true }, orderBy: { id: 'asc' } });
    const media = plugin().service('media');
    const files: Array<{ asset: string; url: string; bytes: number; sha256: string }> = [];
    for (const row of rows) {
      const urls = [row.file.url, ...Object.values((row.file.formats ?? {}) as Record<string, any>).map((f) => f.url)];
      for (const url of urls) {
        const bytes: Buffer = await media.readFile({ url, provider: row.file.provider });
        files.push({ asset: row.documentId, url, bytes: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') });
      }
    }
    return { files };
  },

  /** Deletes the files this run wrote under public/uploads (the database goes with the schema/file). */
  async cleanupUploads() {
    const files = await must().strapi.db.query('plugin::upload.file').findMany({ select: ['url', 'formats'] });
    let removed = 0;
    const rm = (url?: string | null) => {
      if (!url || !url.startsWith('/uploads/')) return;
      try {
        fs.rmSync(path.join(ROOT, 'public', url));
        removed++;
      } catch {
        /* already gone */
      }
    };
    for (const f of files) {
      rm(f.url);
      for (const v of Object.values((f.formats ?? {}) as Record<string, any>)) rm(v?.url);
    }
    return { removed };
  },

  async exit({ keepDatabase = true }: { keepDatabase?: boolean } = {}) {
    await app?.stop({ keepDatabase });
    app = null;
  },
});

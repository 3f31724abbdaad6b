import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import request from 'supertest';
import sharp from 'sharp';
import { dropDatabase, ROOT } from '../support/strapi';
import { spawnChild, type Child } from '../support/rpc';
import { PRODUCT_CM } from '../support/products';
import { binary } from '../support/http';
import { basePhoto, HOSTILE_FILES, SCRIPT_TAIL, type HostileFile } from '../support/hostile';
import { signWebhook } from '../../plugins/product-gallery/server/src/replicate';

/**
 * Hostile files and payloads against every plugin route that takes input, with the app in its
 * own process so its memory is measured alone. Each gets a 4xx in words or is handled correctly
 * (stored upright, in sRGB, without a tail); never a 500, never a hang; the app answers its
 * health check after each case and its memory stays bounded.
 */

/**
 * The most memory one request may legitimately take: the largest photo intake accepts is 50 MP,
 * decoded once to an 8-bit RGBA working copy (200 MB), plus the encoder's and the allocator's
 * slack. A pixel flood decoded even once (144 MP is 576 MB as RGBA; 400 MP is 1.6 GB) goes past it.
 */
const RSS_BUDGET_MB = 300;

const SECRET = `whsec_${crypto.randomBytes(24).toString('base64')}`;

const readRssMb = (pid: number) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
};

const messageOf = (res: request.Response) => String(res.body?.error?.message ?? '');

/** Bytes of a second payload the corpus hides behind images (a ZIP, a script, HTML). */
const hiddenPayload = (bytes: Buffer) =>
  [SCRIPT_TAIL.subarray(0, 16), Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('<script>', 'latin1')].some((needle) => bytes.includes(needle));

describe('hostile input', () => {
  let child: Child;
  let dbEnv: Record<string, string> | undefined;
  let base: string;
  let auth: { Authorization: string };
  let productId: string;
  let productSlug: string;
  let assetId: string;
  let assetVersion: number;
  let briefId: string;
  let prototypesBefore: Record<string, string[]>;
  const memory = { baseline: 0, peak: 0, samples: 0 };
  let sampler: NodeJS.Timeout | undefined;
  const tally = { files: 0, payloads: 0 };

  const http = () => request(base);
  const sample = () => {
    const { rss } = readRssMb(child.proc.pid!);
    memory.peak = Math.max(memory.peak, rss);
    memory.samples++;
  };

  beforeAll(async () => {
    child = spawnChild('hostile-app', path.join(ROOT, 'tests', 'support', 'app-process.ts'));
    const booted = await child.call('boot', {
      env: {
        REPLICATE_API_TOKEN: '',
        REPLICATE_WEBHOOK_BASE_URL: 'http://127.0.0.1:9',
        REPLICATE_WEBHOOK_SECRET: SECRET,
        PRODUCT_GALLERY_PIPELINE_THREADS: '1',
      },
    }, 180_000);
    dbEnv = booted.dbEnv;
    const session = await child.call('session');
    base = `http://127.0.0.1:${session.port}`;
    auth = { Authorization: `Bearer ${session.token}` };

    // What the hostile requests must not lose: a product with an analysed photo and one image.
    const { jpeg } = await basePhoto();
    const upload = await http().post('/upload').set(auth).attach('files', jpeg, { filename: 'studs.jpg', contentType: 'image/jpeg' });
    expect(upload.status).toBe(201);
    const created = await http()
      .post(PRODUCT_CM)
      .set(auth)
      .send({ title: 'Pearl studs', sku: 'EAR-HOSTILE-1', category: 'earrings', metal: 'silver', sourcePhoto: upload.body[0].id, dimensions: { earringDropMm: 12 } });
    expect(created.status).toBe(201);
    productId = created.body.data.documentId;
    productSlug = created.body.data.slug;
    const imported = await http().post(`/product-gallery/products/${productId}/assets`).set(auth).field('role', 'clean').attach('file', jpeg, { filename: 'clean.jpg', contentType: 'image/jpeg' });
    expect(imported.status).toBe(201);
    assetId = imported.body.data.documentId;
    assetVersion = imported.body.data.version;
    const briefs = await http().get('/product-gallery/briefs').set(auth);
    briefId = briefs.body.data[0].documentId;
    prototypesBefore = await child.call('prototypeKeys');

    // Warmed up (a photo analysed, an image checked, OpenCV loaded in the pipeline thread).
    memory.baseline = readRssMb(child.proc.pid!).rss;
    memory.peak = memory.baseline;
    sampler = setInterval(sample, 50);
  }, 300_000);

  let caseStart = 0;
  const spikes: Array<{ name: string; mb: number }> = [];
  beforeEach(() => {
    caseStart = memory.peak;
  });

  afterEach(async () => {
    if (memory.peak > caseStart + 50) spikes.push({ name: expect.getState().currentTestName ?? '?', mb: Math.round(memory.peak - memory.baseline) });
    // The server keeps serving after every case.
    const health = await http().get('/_health').timeout(10_000);
    expect(health.status).toBe(204);
  });

  afterAll(async () => {
    if (sampler) clearInterval(sampler);
    if (child) {
      await child.call('cleanupUploads').catch(() => undefined);
      await child.close();
    }
    if (dbEnv) await dropDatabase(dbEnv).catch(() => undefined);
  }, 60_000);

  /** A refusal: 4xx, an error body whose message matches, never the bare status text. */
  const expectRefusal = (res: request.Response, message: RegExp) => {
    expect(`${res.status} ${messageOf(res)}`).toMatch(new RegExp(`^4\\d\\d .*(?:${message.source})`, message.flags));
  };

  /** The stored file as served: upright 8-bit sRGB, one frame, no bytes after the image. */
  const expectServedClean = async (url: string, original: HostileFile) => {
    const served = await http().get(url).buffer(true).parse(binary);
    expect(served.status).toBe(200);
    const bytes = served.body as Buffer;
    expect(hiddenPayload(bytes)).toBe(false);
    const meta = await sharp(bytes).metadata();
    expect({ space: meta.space, depth: meta.depth, pages: meta.pages ?? 1, orientation: meta.orientation ?? 1 }).toEqual({
      space: 'srgb',
      depth: 'uchar',
      pages: 1,
      orientation: 1,
    });
    if (/rotated/.test(original.filename)) {
      // Upright: the pixels match the photo the rotated file shows, not the file's raw pixels.
      const { jpeg } = await basePhoto();
      const small = (b: Buffer, rotate: boolean) => (rotate ? sharp(b).rotate() : sharp(b)).resize(32, 32, { fit: 'fill' }).greyscale().raw().toBuffer();
      const [stored, upright] = await Promise.all([small(bytes, false), small(jpeg, false)]);
      const diff = stored.reduce((s, v, i) => s + Math.abs(v - upright[i]), 0) / stored.length;
      expect(diff).toBeLessThan(12);
    }
  };

  const bytesOf = new Map<string, Promise<Buffer>>();
  const make = (file: HostileFile) => {
    if (!bytesOf.has(file.filename)) bytesOf.set(file.filename, basePhoto().then(file.make));
    return bytesOf.get(file.filename)!;
  };

  describe('files imported as a candidate image (POST /product-gallery/products/:documentId/assets)', () => {
    it.each(HOSTILE_FILES.map((f) => [f.name, f] as const))('%s', async (_name, file) => {
      tally.files++;
      const res = await http()
        .post(`/product-gallery/products/${productId}/assets`)
        .set(auth)
        .field('role', 'detail')
        .attach('file', await make(file), { filename: file.filename, contentType: file.mime })
        .timeout(120_000);
      if (file.expect === 'accept') {
        expect({ status: res.status, message: messageOf(res) }).toEqual({ status: 201, message: '' });
        const asset = await http().get(`/product-gallery/assets/${res.body.data.documentId}`).set(auth);
        await expectServedClean(asset.body.data.file.url, file);
      } else {
        expectRefusal(res, file.expect);
      }
    }, 150_000);
  });

  describe("files uploaded to the Media Library, then chosen as a product's source photo", () => {
    it.each(HOSTILE_FILES.map((f) => [f.name, f] as const))('%s', async (_name, file) => {
      tally.files++;
      const upload = await http().post('/upload').set(auth).attach('files', await make(file), { filename: file.filename, contentType: file.mime }).timeout(120_000);
      if (upload.status !== 201) {
        // The Media Library refused it before the plugin saw it: in words, never a 500.
        expectRefusal(upload, /\w+ \w+/);
        return;
      }
      const stored = upload.body[0];
      const res = await http()
        .post(PRODUCT_CM)
        .set(auth)
        .send({ title: `Hostile ${tally.files}`, sku: `HOSTILE-${tally.files}`, category: 'earrings', metal: 'silver', sourcePhoto: stored.id, dimensions: { earringDropMm: 12 } })
        .timeout(120_000);
      // An image with a payload behind it is never kept with it (the Media Library's re-encode drops it).
      if (file.hidesPayload) {
        const served = await http().get(stored.url).buffer(true).parse(binary);
        expect(hiddenPayload(served.body as Buffer)).toBe(false);
      }
      if (file.expect === 'accept' || res.status === 201) {
        // Taken: analysed from a clean copy (the Media Library's re-encode may have dropped a tail).
        expect(`${res.status} ${messageOf(res)}`).toBe('201 ');
        const workspace = await http().get(`/product-gallery/products/${res.body.data.documentId}`).set(auth);
        expect(workspace.body.data.reference.intake.width).toBeGreaterThan(0);
      } else {
        expectRefusal(res, file.expect);
        expect(messageOf(res)).toMatch(/^sourcePhoto: /);
      }
    }, 150_000);
  });

  /** A request the payload corpus sends: ids are filled in once the product, image and brief exist. */
  interface Payload {
    name: string;
    method: 'get' | 'post' | 'put';
    url: (ids: Ids) => string;
    /** An object is sent as JSON; a string is sent as it is (raw JSON). */
    body?: (ids: Ids) => unknown;
    /** Admin routes carry the super admin's token; the storefront routes go anonymous. */
    anonymous?: boolean;
    /** The message the 4xx must carry, or a 2xx status for a request that must be served as if the hostile part were not there. */
    expect: RegExp | 200 | 204;
  }
  interface Ids {
    product: string;
    asset: string;
    brief: string;
    slug: string;
    version: number;
  }

  const UNKNOWN = /Unrecognized key|unknown field|not allowed|does not know/i;
  /** Strapi's JSON parser refuses these keys before any route runs. */
  const FORBIDDEN_PROTO = /forbidden prototype property/;
  const PROTO = { raw: (extra: string) => `{"__proto__":{"polluted":"yes"}${extra}}`, ctor: (extra: string) => `{"constructor":{"prototype":{"polluted":"yes"}}${extra}}` };
  const DOC_ID = /must be (a|an image|a product) ?(document )?id|must be a document id/;

  const PAYLOADS: Payload[] = [
    // Path params: operators, traversal and junk never reach a query.
    { name: 'GET /assets/:documentId with an operator in the path', method: 'get', url: () => '/product-gallery/assets/abc[$ne]=1', expect: DOC_ID },
    { name: 'GET /assets/:documentId with ../ traversal', method: 'get', url: () => `/product-gallery/assets/${encodeURIComponent('../../../.env')}`, expect: DOC_ID },
    { name: 'GET /products/:documentId with an encoded NUL', method: 'get', url: () => '/product-gallery/products/abcdefghij%00', expect: DOC_ID },
    { name: 'GET /briefs/:documentId with $or', method: 'get', url: () => '/product-gallery/briefs/$or', expect: DOC_ID },
    { name: 'GET /products/:documentId/pack with traversal', method: 'get', url: () => `/product-gallery/products/${encodeURIComponent('..%2F..%2Fconfig')}/pack?channel=amazon`, expect: DOC_ID },
    { name: 'GET /galleries/:slug with ../ traversal', method: 'get', url: () => `/api/product-gallery/galleries/${encodeURIComponent('../../.env')}`, anonymous: true, expect: /\bslug: / },
    { name: 'GET /galleries/:slug with an operator', method: 'get', url: () => '/api/product-gallery/galleries/x[$ne]', anonymous: true, expect: /\bslug: / },
    // Query operators in every query parameter.
    { name: 'GET /assets?product[$ne]=', method: 'get', url: () => '/product-gallery/assets?product[$ne]=x', expect: /\bproduct: / },
    { name: 'GET /assets?status[$ne]=', method: 'get', url: () => '/product-gallery/assets?status[$ne]=draft', expect: /\bstatus: / },
    { name: 'GET /assets?role[$gt]=', method: 'get', url: () => '/product-gallery/assets?role[$gt]=a', expect: /\brole: / },
    { name: 'GET /assets?page[$gt]=', method: 'get', url: () => '/product-gallery/assets?page[$gt]=0', expect: /\bpage: / },
    { name: 'GET /assets?pageSize[$ne]=', method: 'get', url: () => '/product-gallery/assets?pageSize[$ne]=1', expect: /\bpageSize: / },
    { name: 'GET /assets?sort[$or]=', method: 'get', url: () => '/product-gallery/assets?sort[$or][0][id]=1', expect: /\bsort: / },
    { name: 'GET /assets?filters[$or] (not a parameter)', method: 'get', url: () => '/product-gallery/assets?filters[$or][0][status]=published', expect: UNKNOWN },
    { name: 'GET /products?category[$ne]=', method: 'get', url: () => '/product-gallery/products?category[$ne]=ring', expect: /\bcategory: / },
    { name: 'GET /products?missing[$ne]=', method: 'get', url: () => '/product-gallery/products?missing[$ne]=hero', expect: /\bmissing: / },
    { name: 'GET /products?awaiting[$ne]=', method: 'get', url: () => '/product-gallery/products?awaiting[$ne]=true', expect: /\bawaiting: / },
    { name: 'GET /products?q[$gt]=', method: 'get', url: () => '/product-gallery/products?q[$gt]=a', expect: /\bq: / },
    { name: 'GET /progress?product[$ne]=', method: 'get', url: () => '/product-gallery/progress?product[$ne]=x', expect: /\bproduct: / },
    { name: 'GET /progress?unknown=', method: 'get', url: () => '/product-gallery/progress?products=x', expect: UNKNOWN },
    { name: 'GET /products/:documentId/pack?channel[$ne]=', method: 'get', url: (i) => `/product-gallery/products/${i.product}/pack?channel[$ne]=amazon`, expect: /\bchannel: / },
    { name: 'GET /galleries?slugs[$ne]=', method: 'get', url: () => '/api/product-gallery/galleries?slugs[$ne]=x', anonymous: true, expect: /\bslugs: / },
    { name: 'GET /galleries?slugs[$or]=', method: 'get', url: () => '/api/product-gallery/galleries?slugs[$or][0][slug]=x', anonymous: true, expect: /\bslugs: / },
    { name: 'GET /galleries?channel[$ne]=', method: 'get', url: (i) => `/api/product-gallery/galleries?slugs=${i.slug}&channel[$ne]=x`, anonymous: true, expect: /\bchannel: / },
    { name: 'GET /galleries/:slug?channel[$gt]=', method: 'get', url: (i) => `/api/product-gallery/galleries/${i.slug}?channel[$gt]=a`, anonymous: true, expect: /\bchannel: / },
    // Prototype pollution through the query string: the keys are dropped, the request served.
    { name: 'GET /assets?__proto__[polluted]=', method: 'get', url: () => '/product-gallery/assets?__proto__[polluted]=yes', expect: 200 },
    { name: 'GET /galleries?constructor[prototype][polluted]=', method: 'get', url: (i) => `/api/product-gallery/galleries?slugs=${i.slug}&constructor[prototype][polluted]=yes`, anonymous: true, expect: 200 },
    // Bodies: unknown fields, wrong types, operators, pollution.
    { name: 'PUT /briefs/:documentId with __proto__', method: 'put', url: (i) => `/product-gallery/briefs/${i.brief}`, body: () => PROTO.raw(',"name":"Hostile"'), expect: FORBIDDEN_PROTO },
    { name: 'PUT /briefs/:documentId with constructor.prototype', method: 'put', url: (i) => `/product-gallery/briefs/${i.brief}`, body: () => PROTO.ctor(',"name":"Hostile"'), expect: UNKNOWN },
    { name: 'PUT /briefs/:documentId with an operator for the name', method: 'put', url: (i) => `/product-gallery/briefs/${i.brief}`, body: () => ({ name: { $ne: null } }), expect: /\bName must be text/ },
    { name: 'PUT /briefs/:documentId with a misspelt role field', method: 'put', url: (i) => `/product-gallery/briefs/${i.brief}`, body: () => ({ roles: [{ role: 'clean', promptTemplat: 'typo' }] }), expect: /Clean has fields a brief does not know: promptTemplat/ },
    { name: 'PUT /briefs/:documentId with __proto__ in a role', method: 'put', url: (i) => `/product-gallery/briefs/${i.brief}`, body: () => '{"roles":[{"role":"clean","__proto__":{"polluted":"yes"}}]}', expect: FORBIDDEN_PROTO },
    { name: 'PUT /briefs/:documentId with roles as a string', method: 'put', url: (i) => `/product-gallery/briefs/${i.brief}`, body: () => ({ roles: 'clean' }), expect: /\bRoles must be a list/ },
    { name: 'PUT /briefs/:documentId with 2 MB of JSON', method: 'put', url: (i) => `/product-gallery/briefs/${i.brief}`, body: () => ({ name: 'x'.repeat(2 * 1024 * 1024) }), expect: /too large|at most/i },
    { name: 'PUT /briefs/:documentId with 100000 nested arrays', method: 'put', url: (i) => `/product-gallery/briefs/${i.brief}`, body: () => `{"roles":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, expect: /roles|role 1|nested|too deep|invalid/i },
    { name: 'PUT /briefs/:documentId with broken JSON', method: 'put', url: (i) => `/product-gallery/briefs/${i.brief}`, body: () => '{"name": "x",', expect: /JSON|body/i },
    { name: 'POST /briefs/:documentId/clone with an unknown field', method: 'post', url: (i) => `/product-gallery/briefs/${i.brief}/clone`, body: () => ({ name: 'Copy', categories: [], isDefault: true }), expect: UNKNOWN },
    { name: 'POST /briefs/:documentId/clone with a name object', method: 'post', url: (i) => `/product-gallery/briefs/${i.brief}/clone`, body: () => ({ name: { $gt: '' } }), expect: /\bName must be text/ },
    { name: 'POST /briefs/:documentId/preview with an operator for the product', method: 'post', url: (i) => `/product-gallery/briefs/${i.brief}/preview`, body: () => ({ product: { $ne: null } }), expect: /\bProduct must be text/ },
    { name: 'POST /briefs/:documentId/preview with __proto__', method: 'post', url: (i) => `/product-gallery/briefs/${i.brief}/preview`, body: (i) => PROTO.raw(`,"product":"${i.product}"`), expect: FORBIDDEN_PROTO },
    { name: 'POST /products/:documentId/generate with roles as an object', method: 'post', url: (i) => `/product-gallery/products/${i.product}/generate`, body: () => ({ roles: { $in: ['clean'] } }), expect: /\broles: / },
    { name: 'POST /products/:documentId/generate with __proto__', method: 'post', url: (i) => `/product-gallery/products/${i.product}/generate`, body: () => PROTO.raw(''), expect: FORBIDDEN_PROTO },
    { name: 'POST /products/:documentId/generate with an unknown role', method: 'post', url: (i) => `/product-gallery/products/${i.product}/generate`, body: () => ({ roles: ['__proto__'] }), expect: /roles\.0/ },
    { name: 'POST /products/:documentId/reference/preview with strokes as a string', method: 'post', url: (i) => `/product-gallery/products/${i.product}/reference/preview`, body: () => ({ strokes: 'keep' }), expect: /\bstrokes: / },
    { name: 'POST /products/:documentId/reference/preview with a point out of range', method: 'post', url: (i) => `/product-gallery/products/${i.product}/reference/preview`, body: () => ({ strokes: [{ mode: 'keep', radius: 0.01, points: [{ x: 1e308, y: -1 }] }] }), expect: /strokes\.0\.points\.0/ },
    { name: 'POST /products/:documentId/reference/preview with 201 strokes of 2000 points', method: 'post', url: (i) => `/product-gallery/products/${i.product}/reference/preview`, body: () => ({ strokes: Array.from({ length: 201 }, () => ({ mode: 'keep', radius: 0.01, points: Array.from({ length: 10 }, () => ({ x: 0.5, y: 0.5 })) })) }), expect: /at most 200 strokes/ },
    { name: 'POST /products/:documentId/reference/confirm with constructor.prototype', method: 'post', url: (i) => `/product-gallery/products/${i.product}/reference/confirm`, body: () => PROTO.ctor(''), expect: UNKNOWN },
    { name: 'POST /products/:documentId/reference/confirm with a note object', method: 'post', url: (i) => `/product-gallery/products/${i.product}/reference/confirm`, body: () => ({ note: { $ne: '' } }), expect: /\bnote: / },
    { name: 'POST /assets/:documentId/transition with an operator for the version', method: 'post', url: (i) => `/product-gallery/assets/${i.asset}/transition`, body: () => ({ to: 'in_review', version: { $gt: 0 } }), expect: /\bversion: / },
    { name: 'POST /assets/:documentId/transition with the version as text', method: 'post', url: (i) => `/product-gallery/assets/${i.asset}/transition`, body: (i) => ({ to: 'in_review', version: String(i.version) }), expect: /\bversion: / },
    { name: 'POST /assets/:documentId/transition with __proto__', method: 'post', url: (i) => `/product-gallery/assets/${i.asset}/transition`, body: (i) => PROTO.raw(`,"to":"in_review","version":${i.version}`), expect: FORBIDDEN_PROTO },
    { name: 'POST /assets/:documentId/transition with an unknown field', method: 'post', url: (i) => `/product-gallery/assets/${i.asset}/transition`, body: (i) => ({ to: 'in_review', version: i.version, status: 'published' }), expect: UNKNOWN },
    { name: 'PUT /assets/:documentId with alt as an array', method: 'put', url: (i) => `/product-gallery/assets/${i.asset}`, body: () => ({ alt: ['a', 'b'] }), expect: /\balt: / },
    { name: 'PUT /assets/:documentId with a focal point of strings', method: 'put', url: (i) => `/product-gallery/assets/${i.asset}`, body: () => ({ focalPoint: { x: '50', y: '50' } }), expect: /\bfocalPoint\.x: / },
    { name: 'PUT /assets/:documentId with a status field', method: 'put', url: (i) => `/product-gallery/assets/${i.asset}`, body: () => ({ alt: 'Pearl studs', status: 'published' }), expect: UNKNOWN },
    { name: 'PUT /assets/:documentId with __proto__', method: 'put', url: (i) => `/product-gallery/assets/${i.asset}`, body: () => PROTO.raw(',"alt":"Pearl studs"'), expect: FORBIDDEN_PROTO },
    { name: 'POST /products (Content Manager) with __proto__ and an operator', method: 'post', url: () => PRODUCT_CM, body: () => '{"__proto__":{"polluted":"yes"},"title":"P","sku":{"$ne":""},"category":"ring","metal":"silver"}', expect: FORBIDDEN_PROTO },
    // The webhook: unsigned, signed with junk, signed with an operator in ?gen=.
    { name: 'POST /replicate/webhook unsigned', method: 'post', url: () => '/api/product-gallery/replicate/webhook', anonymous: true, body: () => ({ id: 'x', status: 'succeeded' }), expect: /signature|webhook/i },
    { name: 'POST /replicate/webhook with broken JSON', method: 'post', url: () => '/api/product-gallery/replicate/webhook', anonymous: true, body: () => '{"id":', expect: /JSON|body|signature|webhook/i },
  ];

  describe('payloads: operators, traversal, unknown fields, wrong types, pollution', () => {
    it.each(PAYLOADS.map((p) => [p.name, p] as const))('%s', async (_name, payload) => {
      tally.payloads++;
      const ids: Ids = { product: productId, asset: assetId, brief: briefId, slug: productSlug, version: assetVersion };
      const send = () => {
        let req = http()[payload.method](payload.url(ids)).timeout(60_000);
        if (!payload.anonymous) req = req.set(auth);
        const body = payload.body?.(ids);
        if (typeof body === 'string') req = req.set('Content-Type', 'application/json').send(body);
        else if (body !== undefined) req = req.send(body as object);
        return req;
      };
      // A server may refuse an oversized body before reading it and close while the client still
      // writes: the client then sees EPIPE, not the answer. Sent again, the answer must be there.
      const res = await send().catch((err: NodeJS.ErrnoException) => {
        if (err?.code !== 'EPIPE' && err?.code !== 'ECONNRESET') throw err;
        return send();
      });
      if (typeof payload.expect === 'number') expect({ status: res.status, message: messageOf(res) }).toEqual({ status: payload.expect, message: '' });
      else expectRefusal(res, payload.expect);
    }, 90_000);

    it('a signed webhook with an operator in ?gen= is refused', async () => {
      tally.payloads++;
      const body = JSON.stringify({ id: 'p_hostile', status: 'succeeded', output: 'https://replicate.delivery/x.png', webhook: 'http://127.0.0.1:9/api/product-gallery/replicate/webhook' });
      const now = Math.floor(Date.now() / 1000);
      const res = await http()
        .post('/api/product-gallery/replicate/webhook?gen[$ne]=nothing')
        .set({ 'Content-Type': 'application/json', 'webhook-id': 'msg_hostile', 'webhook-timestamp': String(now), 'webhook-signature': signWebhook('msg_hostile', now, body, SECRET) })
        .send(body);
      expectRefusal(res, /gen/);
    });

    it('no request added a property to a built-in prototype', async () => {
      expect(await child.call('prototypeKeys')).toEqual(prototypesBefore);
    });
  });

  describe('after the corpus', () => {
    it('lost nothing: the product, its photo analysis and its image are as they were', async () => {
      const asset = await http().get(`/product-gallery/assets/${assetId}`).set(auth);
      expect(asset.status).toBe(200);
      expect(asset.body.data.version).toBe(assetVersion);
      const workspace = await http().get(`/product-gallery/products/${productId}`).set(auth);
      expect(workspace.status).toBe(200);
      expect(workspace.body.data.reference).not.toBeNull();
      const brief = await http().get(`/product-gallery/briefs/${briefId}`).set(auth);
      expect(brief.body.data.name).not.toBe('Hostile');
    });

    it(`ran at least 40 hostile files and payloads, with the app's memory bounded (RSS peak under baseline + ${RSS_BUDGET_MB} MB)`, () => {
      sample();
      const { peak } = readRssMb(child.proc.pid!);
      const report = { files: tally.files, payloads: tally.payloads, baselineMb: Math.round(memory.baseline), sampledPeakMb: Math.round(memory.peak), processPeakMb: Math.round(peak), samples: memory.samples, spikes };
      // eslint-disable-next-line no-console
      console.log(`hostile input: ${JSON.stringify(report)}`);
      expect(tally.files + tally.payloads).toBeGreaterThanOrEqual(40);
      expect(memory.peak - memory.baseline).toBeLessThan(RSS_BUDGET_MB);
    });
  });
});

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { startApp, adminSession, ROOT, type TestApp, type AdminSession } from '../support/strapi';
import { PRODUCT_CM, createProduct as createProductHttp, uploadPhoto } from '../support/products';
import { createAsset, createProduct, stopWorker } from '../support/fixtures';
import { photoPath } from '../support/photos';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';
import { createReplicateGateway, outputUrls } from '../../plugins/product-gallery/server/src/replicate';

const FILE = 'plugin::upload.file';

/** A JPEG no other file has: its pixels are random. */
const uniqueJpeg = (side = 900) =>
  sharp(crypto.randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();

/** Files directly in the temp folder whose bytes are exactly these (koa-body's temp copies of an upload). */
const tempCopiesOf = (bytes: Buffer) => {
  const dir = os.tmpdir();
  return fs.readdirSync(dir).filter((name) => {
    const p = path.join(dir, name);
    try {
      const st = fs.statSync(p);
      return st.isFile() && st.size === bytes.length && fs.readFileSync(p).equals(bytes);
    } catch {
      return false;
    }
  });
};

/**
 * Files the plugin reads back stay inside the upload folder (or come from the provider, bounded);
 * imports leave nothing behind, are measured before they are read, and wait in a bounded line.
 */
describe('files: stored reads, imports and the pipeline line are bounded', () => {
  let app: TestApp;
  let admin: AdminSession;
  let fake: FakeReplicate;
  let product: { id: number; documentId: string };
  const outside = path.join(ROOT, `h14-outside-${crypto.randomBytes(4).toString('hex')}.jpg`);

  beforeAll(async () => {
    fake = await startFakeReplicate({ log: false, scenario: { startDelayMs: 1, latencyMs: 5 } });
    app = await startApp({
      env: {
        ...appEnvFor(fake),
        REPLICATE_POLL_INTERVAL_MS: '50',
        REPLICATE_PREFER_WAIT_SEC: '5',
        PRODUCT_GALLERY_PIPELINE_THREADS: '1',
        PRODUCT_GALLERY_PIPELINE_QUEUE: '1',
        PRODUCT_GALLERY_STORED_READ_TIMEOUT_MS: '2000',
      },
    });
    await stopWorker(app);
    admin = await adminSession(app);
    product = await createProduct(app, { category: 'earrings' });
  });
  afterAll(async () => {
    fs.rmSync(outside, { force: true });
    await app?.stop();
    await fake?.close();
  });

  /**
   * Fills the pipeline's line (one thread and a line of one) with a task holding the thread and one
   * waiting, without timing anything; the returned function lets them finish.
   */
  const fillLine = () => {
    const pipeline = app.strapi.plugin('product-gallery').service('pipeline');
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const held = [pipeline.admit(() => pipeline.run('hold', [flag.buffer])), pipeline.admit(() => pipeline.run('hold', [flag.buffer]))];
    return async () => {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await Promise.all(held);
    };
  };

  const analyze = (documentId: string) => app.http.post(`/product-gallery/products/${documentId}/analyze`).set(admin.auth);
  const importFile = (bytes: Buffer, role = 'lifestyle', filename = 'import.jpg') =>
    app.http.post(`/product-gallery/products/${product.documentId}/assets`).set(admin.auth).field('role', role).attach('file', bytes, { filename, contentType: 'image/jpeg' });

  it('a Media Library file whose name decodes to ../ segments is not read outside the upload folder', async () => {
    // A real photo where the name leads: analysing it would succeed if the path were followed.
    fs.copyFileSync(photoPath('07_'), outside);
    const name = `p.%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F${path.basename(outside).replace('.', '%2E')}`;
    const file = await uploadPhoto(app, admin, photoPath('07_'), name);
    expect(file.url).toContain('%2F%2E%2E');
    const victim = await createProduct(app, { sourcePhoto: file.id });
    const res = await analyze(victim.documentId);
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/points outside the upload folder; it was not read/);
    // A symlink inside the upload folder that leads out of it is refused the same way.
    const link = path.join(ROOT, 'public', 'uploads', `h14-link-${crypto.randomBytes(3).toString('hex')}.jpg`);
    fs.symlinkSync(outside, link);
    try {
      const row = await app.strapi.db.query(FILE).update({ where: { id: file.id }, data: { url: `/uploads/${path.basename(link)}` } });
      expect(row.url).toMatch(/^\/uploads\/h14-link-/);
      const viaLink = await analyze(victim.documentId);
      expect(viaLink.status).toBe(422);
      expect(viaLink.body.error.message).toMatch(/outside the upload folder/);
    } finally {
      fs.rmSync(link, { force: true });
    }
  });

  it('a file from the upload provider is read over HTTP within a byte cap, with clear errors', async () => {
    const gw = createReplicateGateway({ apiToken: fake.token, baseUrl: fake.url, allowedOutputHosts: [fake.outputHost] });
    const remote = async (output: 'normal' | 'oversized' | 'hang') => {
      fake.setScenario({ output, oversizedBytes: 65 * 1024 * 1024 });
      const { prediction } = await gw.createPrediction({ model: 'black-forest-labs/flux-kontext-pro', input: { prompt: output }, tag: `files-${output}`, preferWaitSec: 5 });
      const url = outputUrls(prediction)[0]!;
      const row = await app.strapi.db.query(FILE).create({
        data: { name: `${output}.png`, hash: `remote_${output}_${crypto.randomBytes(3).toString('hex')}`, ext: '.png', mime: 'image/png', size: 1, url, provider: 'aws-s3', width: 1024, height: 1024 },
      });
      return (await createProduct(app, { sourcePhoto: row.id })).documentId;
    };
    // The provider's own URL on loopback over plain http is configuration, not user input: it is read.
    const ok = await analyze(await remote('normal'));
    expect(ok.status).toBe(200);
    expect(ok.body.data.intake.format).toBe('png');
    // Refused by its declared length, before a byte is read (the cap while streaming is readCapped's, tested with downloads).
    const huge = await analyze(await remote('oversized'));
    expect(huge.status).toBe(422);
    expect(huge.body.error.message).toMatch(/is larger than 64 MB; it was not read/);
    // A provider that sends headers and then nothing: the request ends at the deadline, with a 504.
    const hung = await analyze(await remote('hang'));
    expect(hung.status).toBe(504);
    expect(hung.body.error.message).toMatch(/^The upload provider did not deliver http:\/\/127\.0\.0\.1:\d+\/delivery\/hang\/\S+ within 2 s\.$/);
    // Signed URLs carry credentials in their query string: a failure names the file without it.
    const row = await app.strapi.db.query(FILE).create({
      data: { name: 'gone.png', hash: `remote_gone_${crypto.randomBytes(3).toString('hex')}`, ext: '.png', mime: 'image/png', size: 1, url: `${fake.url.replace('/v1', '')}/delivery/normal/nope/out-0.png?X-Amz-Signature=secret`, provider: 'aws-s3' },
    });
    const gone = await analyze((await createProduct(app, { sourcePhoto: row.id })).documentId);
    expect(gone.status).toBe(502);
    expect(gone.body.error.message).toMatch(/answered HTTP 404 for http:\/\/127\.0\.0\.1:\d+\/delivery\/normal\/nope\/out-0\.png\./);
    expect(gone.body.error.message).not.toContain('secret');
    // The server is still serving.
    expect((await app.http.get('/product-gallery/config').set(admin.auth)).status).toBe(200);
  });

  it('an import leaves no temp file behind, whether it is stored or refused', async () => {
    const stored = await uniqueJpeg();
    const ok = await importFile(stored);
    expect(ok.status).toBe(201);
    expect(tempCopiesOf(stored)).toEqual([]);

    const badRole = await uniqueJpeg();
    const refused = await importFile(badRole, 'hero');
    expect(refused.status).toBe(400);
    expect(tempCopiesOf(badRole)).toEqual([]);

    const notImage = Buffer.concat([Buffer.from('<!doctype html><html><body>'), crypto.randomBytes(4096)]);
    const html = await importFile(notImage, 'lifestyle', 'page.jpg');
    expect(html.status).toBe(415);
    expect(tempCopiesOf(notImage)).toEqual([]);

    // A file sent under another field name is deleted too (Strapi deletes only a field named `files`).
    const stray = await uniqueJpeg(600);
    const other = await app.http.post(`/product-gallery/products/${product.documentId}/assets`).set(admin.auth).field('role', 'lifestyle').attach('picture', stray, { filename: 'x.jpg', contentType: 'image/jpeg' });
    expect(other.status).toBe(400);
    expect(other.body.error.message).toMatch(/^file: attach the image to import/);
    expect(tempCopiesOf(stray)).toEqual([]);
  });

  it('an import over 25 MB is refused by its size (413, saying the limit), and leaves nothing behind', async () => {
    const big = Buffer.concat([await uniqueJpeg(), crypto.randomBytes(26 * 1024 * 1024)]);
    const res = await importFile(big);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toBe(`file: The file is ${Math.round(big.length / 1024 / 1024)} MB; the limit is 25 MB. Export the photo at a lower quality or size and upload it again.`);
    expect(tempCopiesOf(big)).toEqual([]);
  });

  it('when the pipeline line is full, an import or a pack is told to come back (503 with Retry-After), then goes through', async () => {
    const release = fillLine();
    try {
      const bytes = await uniqueJpeg();
      const busy = await importFile(bytes);
      expect(busy.status).toBe(503);
      expect(busy.headers['retry-after']).toBe('5');
      expect(busy.body.error.message).toMatch(/The image pipeline is busy with other requests \(1 waiting\)\. Try again in 5 seconds\./);
      expect(tempCopiesOf(bytes)).toEqual([]);
      const pack = await app.http.get(`/product-gallery/products/${product.documentId}/pack?channel=etsy`).set(admin.auth);
      expect(pack.status).toBe(503);
      expect(pack.headers['retry-after']).toBe('5');
    } finally {
      await release();
    }
    const after = await importFile(await uniqueJpeg());
    expect(after.status).toBe(201);
  });

  it('every other request that does image work waits in the same line: 503 with Retry-After when it is full, then goes through', async () => {
    fake.setScenario({ output: 'normal' });
    const photo = await uploadPhoto(app, admin, photoPath('07_'));
    const other = await uploadPhoto(app, admin, photoPath('07_'), 'other-studs.jpg');
    const made = await createProductHttp(app, admin, { title: 'Line studs', sku: `LINE-${crypto.randomBytes(3).toString('hex')}`, category: 'earrings', metal: 'silver', sourcePhoto: photo.id });
    expect([made.status, made.body.error?.message]).toEqual([201, undefined]);
    const documentId = made.body.data.documentId as string;
    const row = await app.strapi.db.query('plugin::product-gallery.product').findOne({ where: { documentId } });
    const asset = await createAsset(app, { product: row, role: 'clean', status: 'in-review', file: photo });

    const requests = {
      analyze: () => analyze(documentId),
      preview: () => app.http.post(`/product-gallery/products/${documentId}/reference/preview`).set(admin.auth).send({ strokes: [{ mode: 'remove', radius: 0.03, points: [{ x: 0.02, y: 0.02 }, { x: 0.06, y: 0.05 }] }] }),
      confirm: () => app.http.post(`/product-gallery/products/${documentId}/reference/confirm`).set(admin.auth).send({}),
      secondOpinion: () => app.http.post(`/product-gallery/products/${documentId}/reference/ai`).set(admin.auth).send({}),
      difference: () => app.http.get(`/product-gallery/assets/${asset.documentId}/difference`).set(admin.auth),
      saveNewPhoto: () => app.http.put(`${PRODUCT_CM}/${documentId}`).set(admin.auth).send({ sourcePhoto: other.id }),
      createWithPhoto: () =>
        createProductHttp(app, admin, { title: 'Line studs two', sku: `LINE-${crypto.randomBytes(3).toString('hex')}`, category: 'earrings', metal: 'silver', sourcePhoto: other.id }),
    };
    const expected = { analyze: 200, preview: 200, confirm: 200, secondOpinion: 200, difference: 200, saveNewPhoto: 200, createWithPhoto: 201 };

    const release = fillLine();
    const refused: Record<string, unknown> = {};
    try {
      for (const [name, send] of Object.entries(requests)) {
        const res = await send();
        refused[name] = [res.status, res.headers['retry-after'], res.body?.error?.message];
      }
    } finally {
      await release();
    }
    const busy = [503, '5', 'The image pipeline is busy with other requests (1 waiting). Try again in 5 seconds.'];
    expect(refused).toEqual(Object.fromEntries(Object.keys(requests).map((name) => [name, busy])));
    // Refused before anything was paid for or saved.
    expect([...fake.state.predictions.values()].filter((p) => p.model === 'recraft-ai/recraft-remove-background')).toHaveLength(0);
    const unchanged = await app.strapi.db.query('plugin::product-gallery.product').findOne({ where: { documentId }, populate: { sourcePhoto: true } });
    expect([unchanged.sourcePhoto.id, Number(unchanged.aiCost ?? 0)]).toEqual([photo.id, 0]);

    const served: Record<string, unknown> = {};
    for (const [name, send] of Object.entries(requests)) {
      const res = await send();
      served[name] = [res.status, res.body?.error?.message];
    }
    expect(served).toEqual(Object.fromEntries(Object.entries(expected).map(([name, status]) => [name, [status, undefined]])));
  });

  it('no plugin route leaves a multipart temp file behind, whatever the field is called and however the request ends', async () => {
    const plugin = app.strapi.plugin('product-gallery') as unknown as { routes: Record<string, { type: string; routes: Array<{ method: string; path: string }> }> };
    const prefix = (type: string) => (type === 'admin' ? '/product-gallery' : '/api/product-gallery');
    // Every route that takes a body (koa-body writes temp files for POST, PUT and PATCH), admin and content API.
    const routes = Object.values(plugin.routes).flatMap((r) => r.routes.filter((route) => ['POST', 'PUT', 'PATCH'].includes(route.method)).map((route) => ({ ...route, type: r.type })));
    expect(routes.some((r) => r.type === 'content-api')).toBe(true);
    expect(routes.length).toBeGreaterThanOrEqual(10);
    const left: Record<string, string[]> = {};
    for (const route of routes) {
      const url = prefix(route.type) + route.path.replace(':documentId', product.documentId);
      for (const auth of [admin.auth, {}]) {
        const bytes = await uniqueJpeg(300);
        const res = await app.http[route.method.toLowerCase() as 'post' | 'put' | 'patch'](url)
          .set(auth)
          .field('note', 'stray')
          .attach('picture', bytes, { filename: 'stray.jpg', contentType: 'image/jpeg' })
          .attach('files', Buffer.from('not a picture'), { filename: 'files.txt', contentType: 'text/plain' });
        expect(res.status).toBeLessThan(500);
        left[`${route.method} ${url}${Object.keys(auth).length ? '' : ' (anonymous)'}`] = tempCopiesOf(bytes);
      }
    }
    expect(left).toEqual(Object.fromEntries(Object.keys(left).map((k) => [k, []])));
  });

  it('an AI second opinion already paid for is not refused when the line fills meanwhile: its mask waits its turn', async () => {
    const pipeline = app.strapi.plugin('product-gallery').service('pipeline');
    fake.setScenario({ output: 'normal' });
    const photo = await uploadPhoto(app, admin, photoPath('07_'));
    const made = await createProductHttp(app, admin, { title: 'Paid studs', sku: `PAID-${crypto.randomBytes(3).toString('hex')}`, category: 'earrings', metal: 'silver', sourcePhoto: photo.id });
    expect(made.status).toBe(201);
    const creations = fake.creationCount();
    // Replicate takes a moment to accept the prediction: the line fills up while it does.
    fake.addFaults({ endpoint: 'create', delayMs: 1000 });
    let settled = false;
    const asking = app.http
      .post(`/product-gallery/products/${made.body.data.documentId}/reference/ai`)
      .set(admin.auth)
      .send({})
      .then((res) => ((settled = true), res));
    // Booked on the product before Replicate is asked: from here on it is paid for.
    const paid = async () => Number((await app.strapi.db.query('plugin::product-gallery.product').findOne({ where: { documentId: made.body.data.documentId }, select: ['aiCost'] })).aiCost ?? 0) > 0;
    while (!settled && !(await paid())) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    const release = fillLine();
    try {
      // The paid answer joins the full line (one waiting before it) instead of being refused.
      while (!settled && pipeline.waiting() < 2) await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
    } finally {
      await release();
    }
    const res = await asking;
    expect([res.status, res.body.error?.message]).toEqual([200, undefined]);
    expect(fake.creationCount()).toBe(creations + 1);
  });
});

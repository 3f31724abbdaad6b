import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { startApp, adminSession, ROOT, type TestApp, type AdminSession } from '../support/strapi';
import { uploadPhoto } from '../support/products';
import { createProduct, stopWorker } from '../support/fixtures';
import { photoPath } from '../support/photos';
import { startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';
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
    app = await startApp({ env: { PRODUCT_GALLERY_PIPELINE_THREADS: '1', PRODUCT_GALLERY_PIPELINE_QUEUE: '1', PRODUCT_GALLERY_STORED_READ_TIMEOUT_MS: '2000' } });
    await stopWorker(app);
    admin = await adminSession(app);
    product = await createProduct(app, { category: 'earrings' });
  });
  afterAll(async () => {
    fs.rmSync(outside, { force: true });
    await app?.stop();
    await fake?.close();
  });

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
    const pipeline = app.strapi.plugin('product-gallery').service('pipeline');
    let release!: () => void;
    const blocker = new Promise<void>((resolve) => (release = resolve));
    // One thread and a line of one: two held requests fill both.
    const held = [pipeline.admit(() => blocker), pipeline.admit(() => blocker)];
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
      release();
      await Promise.all(held);
    }
    const after = await importFile(await uniqueJpeg());
    expect(after.status).toBe(201);
  });
});

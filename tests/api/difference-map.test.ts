/**
 * GET /product-gallery/assets/:documentId/difference over HTTP against the real app: the PNG of
 * the source placed on the image, the places that differ highlighted where they are; a 304 for
 * an unchanged map; what the map found in headers (registered, reason); 404 / 409 / 400 with
 * messages; admin authentication required.
 */
import fs from 'node:fs';
import sharp from 'sharp';
import { makeLocalShot } from '../../plugins/product-gallery/server/src/pipeline';
import { createAsset, createProduct, stopWorker, uploadBuffer, uploadPhoto } from '../support/fixtures';
import { photoPath } from '../support/photos';
import { adminSession, startApp, type AdminSession, type TestApp } from '../support/strapi';

jest.setTimeout(300_000);

const SOURCE = '04_pendant_product_turquoise-point-pendant.jpg';


/** The source photo with the piece's stone recoloured in a known box (source px). */
const recolouredSource = async (bytes: Buffer) => {
  const meta = await sharp(bytes).metadata();
  // The turquoise stone sits left of centre, below the middle of this photo (read off the photo once).
  const box = { left: Math.round(meta.width! * 0.2), top: Math.round(meta.height! * 0.48), width: Math.round(meta.width! * 0.25), height: Math.round(meta.height! * 0.27) };
  const patch = await sharp(bytes).extract(box).modulate({ hue: 180, saturation: 1.8 }).toBuffer();
  return sharp(bytes).composite([{ input: patch, left: box.left, top: box.top }]).jpeg({ quality: 95 }).toBuffer();
};

const magentaCentroid = async (png: Buffer) => {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  let sx = 0, sy = 0, n = 0;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const p = (y * info.width + x) * info.channels;
      if (data[p] > 150 && data[p + 2] > 90 && data[p + 1] < 90) { sx += x; sy += y; n++; }
    }
  }
  return { n, x: n ? sx / n / info.width : NaN, y: n ? sy / n / info.height : NaN };
};

describe('difference map endpoint', () => {
  let app: TestApp;
  let admin: AdminSession;
  let product: { id: number; documentId: string };
  const source = fs.readFileSync(photoPath('04_'));

  beforeAll(async () => {
    app = await startApp();
    await stopWorker(app);
    admin = await adminSession(app);
    const photo = await uploadPhoto(app, SOURCE);
    product = await createProduct(app, { sourcePhoto: photo.id, category: 'pendant' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const get = (documentId: string, headers: Record<string, string> = admin.auth) =>
    app.http.get(`/product-gallery/assets/${documentId}/difference`).set(headers).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });

  /** A local composite (model role) of the given source bytes, stored as an in-review asset with the generator's hints. */
  const composite = async (sourceBytes: Buffer, name: string) => {
    const shot = await makeLocalShot(sourceBytes, { role: 'model', aspectRatio: '1:1', minLongEdge: 1000, scene: { kind: 'surface' }, productLongSideMm: 60 });
    const file = await uploadBuffer(app, shot.buffer, name);
    const asset = await createAsset(app, {
      product,
      role: 'model',
      status: 'in_review',
      file,
      extra: { provenance: { generator: 'local', composite: true, placement: shot.placement, checkHints: { productBox: shot.productBox, sourceRegion: null } } },
    });
    return { asset, shot };
  };

  it('an unchanged composite: a PNG, registered by its placement, nothing highlighted; private, revalidated with its ETag', async () => {
    const { asset, shot } = await composite(source, 'same.jpg');
    const res = await get(asset.documentId);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['cache-control']).toMatch(/private/);
    expect(res.headers['x-difference-registered']).toBe('true');
    expect(res.headers['x-difference-method']).toBe('placement');
    expect(res.headers['x-difference-regions']).toBe('0');
    const meta = await sharp(res.body).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(shot.width);
    expect((await magentaCentroid(res.body)).n).toBeLessThan(50);

    const again = await app.http.get(`/product-gallery/assets/${asset.documentId}/difference`).set({ ...admin.auth, 'If-None-Match': res.headers.etag });
    expect(again.status).toBe(304);
  });

  it('a composite of a recoloured piece: highlighted where the product was placed, at the recoloured stone', async () => {
    const { asset, shot } = await composite(await recolouredSource(source), 'recoloured.jpg');
    const res = await get(asset.documentId);
    expect(res.status).toBe(200);
    expect(Number(res.headers['x-difference-regions'])).toBeGreaterThan(0);
    expect(Number(res.headers['x-difference-changed'])).toBeGreaterThan(0.01);
    const c = await magentaCentroid(res.body);
    expect(c.n).toBeGreaterThan(100);
    // inside the product's placement box, in its lower-left half (where the stone is)
    const box = shot.productBox!;
    const x = c.x * shot.width, y = c.y * shot.height;
    expect(x).toBeGreaterThan(box.x);
    expect(x).toBeLessThan(box.x + box.width * 0.6);
    expect(y).toBeGreaterThan(box.y + box.height * 0.4);
    expect(y).toBeLessThan(box.y + box.height);
  });

  it('an image of another product: not registered, and says why', async () => {
    const file = await uploadPhoto(app, '26_bracelet_product_lava-bead-buddha.jpg');
    const asset = await createAsset(app, { product, role: 'lifestyle', status: 'in_review', file, extra: { provenance: { generator: 'replicate' } } });
    const res = await get(asset.documentId);
    expect(res.status).toBe(200);
    expect(res.headers['x-difference-registered']).toBe('false');
    expect(res.headers['x-difference-method']).toBe('none');
    expect(decodeURIComponent(res.headers['x-difference-reason'])).toMatch(/not found|could not|too small|outside/i);
  });

  it('refuses with a message: unknown asset 404, no file 409, no source photo 409, bad id 400, signed out 401', async () => {
    const unknown = await app.http.get('/product-gallery/assets/abcdefghijklmnopqrstuvwx/difference').set(admin.auth);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/no image asset/i);

    const queued = await createAsset(app, { product, role: 'model', status: 'queued' });
    const noFile = await app.http.get(`/product-gallery/assets/${queued.documentId}/difference`).set(admin.auth);
    expect(noFile.status).toBe(409);
    expect(noFile.body.error.message).toMatch(/no file yet/i);

    const bare = await createProduct(app, { category: 'pendant' });
    const file = await uploadPhoto(app, SOURCE);
    const orphan = await createAsset(app, { product: bare, role: 'model', status: 'in_review', file });
    const noSource = await app.http.get(`/product-gallery/assets/${orphan.documentId}/difference`).set(admin.auth);
    expect(noSource.status).toBe(409);
    expect(noSource.body.error.message).toMatch(/no source photo/i);

    const bad = await app.http.get('/product-gallery/assets/NOT-AN-ID/difference').set(admin.auth);
    expect(bad.status).toBe(400);

    const anonymous = await app.http.get(`/product-gallery/assets/${orphan.documentId}/difference`);
    expect(anonymous.status).toBe(401);
  });
});

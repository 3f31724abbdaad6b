/**
 * Importing an outside image, through the admin API of the real app: the answer says, in words,
 * where the image breaks its role's size and frame rules, and which of the role's images fills
 * the role's slot: an import joins the role as a draft and replaces the image on the page only
 * when it is published (the one it replaces is archived).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, uploadPhoto } from '../support/products';
import { photoPath } from '../support/photos';

jest.setTimeout(300_000);

const SOURCE = '04_pendant_product_turquoise-point-pendant.jpg';

describe('import: rule warnings and which image fills the slot', () => {
  let app: TestApp;
  let admin: AdminSession;
  let productId = '';
  let dir = '';

  /** The product's own source photo, cut to a size: what a photographer might send back. */
  const photoAt = async (width: number, height: number) => {
    const file = path.join(dir, `shot-${width}x${height}.jpg`);
    await sharp(photoPath(SOURCE)).resize(width, height, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(file);
    return file;
  };

  const importAs = (role: string, file: string) =>
    app.http.post(`/product-gallery/products/${productId}/assets`).set(admin.auth).field('role', role).attach('file', file);

  /** Review and publish, as an editor with every right would (approving through the checks with a reason). */
  const publish = async (documentId: string) => {
    for (const to of ['in_review', 'approved', 'published']) {
      const current = await app.http.get(`/product-gallery/assets/${documentId}`).set(admin.auth);
      const res = await app.http
        .post(`/product-gallery/assets/${documentId}/transition`)
        .set(admin.auth)
        .send({ to, version: current.body.data.version, ...(to === 'approved' ? { override: 'The photographer’s shot, checked by eye.' } : {}) });
      if (res.status !== 200) throw new Error(`${to}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  };

  const fillers = async () => {
    const res = await app.http.get(`/product-gallery/products/${productId}/readiness`).set(admin.auth);
    expect(res.status).toBe(200);
    return Object.fromEntries(res.body.data.slots.filter((s: any) => s.state === 'published').map((s: any) => [s.slot, s.asset.documentId]));
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-import-'));
    app = await startApp();
    admin = await adminSession(app);
    const photo = await uploadPhoto(app, admin, SOURCE);
    const res = await createProduct(app, admin, { title: 'Point pendant', sku: 'PEND-IMPORT', category: 'pendant', metal: 'silver', sourcePhoto: photo.id });
    if (res.status !== 201) throw new Error(`product create: ${res.status} ${JSON.stringify(res.body)}`);
    productId = res.body.data.documentId;
  });
  afterAll(async () => {
    await app?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says where a too-small, wrongly framed image breaks its role’s rules, in words, and still takes it as a draft', async () => {
    // The default pendant brief: an on-model shot is 4:5 with at least 1,200 px on its long side.
    const res = await importAs('model', await photoAt(800, 600));
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ role: 'model', status: 'draft' });
    expect(res.body.meta.warnings).toEqual([
      {
        rule: 'minLongEdge',
        required: 1200,
        actual: 800,
        message: 'This image is 800 × 600 px; the model shot needs at least 1,200 px on its long side.',
      },
      {
        rule: 'aspectRatio',
        required: '4:5',
        actual: '4:3',
        message: 'This image has a 4:3 frame; the model shot needs a 4:5 frame, so it would be cropped or letterboxed.',
      },
    ]);
    // The checks flag the same two rules.
    expect(res.body.data.qc.failing).toEqual(expect.arrayContaining(['tech.resolution', 'tech.aspect']));
    // The new draft as the asset list shows it (its checks, this editor's moves), nothing of the record besides.
    const list = await app.http.get(`/product-gallery/assets?product=${productId}&role=model`).set(admin.auth);
    expect(list.body.data).toHaveLength(1);
    expect(res.body.data).toEqual(list.body.data[0]);
    expect(res.body.data.moves).toEqual([{ to: 'in_review', action: 'plugin::product-gallery.submit', permitted: true }]);
  });

  it('has no warnings for an image that keeps the rules', async () => {
    const res = await importAs('detail', await photoAt(1200, 1200));
    expect(res.status).toBe(201);
    expect(res.body.meta.warnings).toEqual([]);
  });

  it('a second import joins the role beside the image on the page, which it replaces only once published', async () => {
    const first = await importAs('clean', await photoAt(2000, 2000));
    expect(first.status).toBe(201);
    const a = first.body.data.documentId;
    expect(first.body.meta.candidates).toMatchObject({ role: 'clean', slots: ['grid', 'hero'], onPage: null, waiting: [] });
    expect(first.body.meta.candidates.message).toBe('This is the first clean image: a draft that fills the clean slot once it is approved and published.');
    await publish(a);
    expect(await fillers()).toMatchObject({ grid: a, hero: a });

    const second = await importAs('clean', await photoAt(900, 700));
    expect(second.status).toBe(201);
    const b = second.body.data.documentId;
    expect(second.body.meta.candidates).toMatchObject({ role: 'clean', onPage: { documentId: a, status: 'published' }, waiting: [] });
    expect(second.body.meta.candidates.message).toBe(
      'The published clean image stays on the page until another clean image is published; this one is a new draft beside it, and publishing it archives the one on the page.'
    );
    expect(second.body.meta.warnings.map((w: any) => w.rule)).toEqual(['minLongEdge', 'aspectRatio']);
    // Imported, not yet published: the first one still fills the slots.
    expect(await fillers()).toMatchObject({ grid: a, hero: a });

    const third = await importAs('clean', await photoAt(2000, 2000));
    expect(third.body.meta.candidates.waiting).toEqual([{ documentId: b, status: 'draft' }]);
    expect(third.body.meta.candidates.message).toMatch(/One other candidate is waiting too \(1 draft\)\.$/);

    await publish(b);
    expect(await fillers()).toMatchObject({ grid: b, hero: b });
    const old = await app.http.get(`/product-gallery/assets/${a}`).set(admin.auth);
    expect(old.body.data.status).toBe('archived');
    expect(old.body.data.history.at(-1)).toMatchObject({ from: 'published', to: 'archived', note: `replaced by ${b}` });
  });

  it('tells the import form what intake refuses before it uploads', async () => {
    const res = await app.http.get('/product-gallery/config').set(admin.auth);
    expect(res.status).toBe(200);
    expect(res.body.data.intake).toEqual({
      types: [
        { label: 'JPEG', mime: 'image/jpeg' },
        { label: 'PNG', mime: 'image/png' },
        { label: 'WebP', mime: 'image/webp' },
        { label: 'AVIF', mime: 'image/avif' },
        { label: 'TIFF', mime: 'image/tiff' },
        { label: 'HEIC', mime: 'image/heic' },
      ],
      maxBytes: 25 * 1024 * 1024,
      maxPixels: 50_000_000,
      minShortSide: 500,
    });
  });
});

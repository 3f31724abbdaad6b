import sharp from 'sharp';
import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, uploadPhoto } from '../support/products';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';
import { photoPath } from '../support/photos';
import { readZip } from '../support/zip';
import { cameraMetadataOf, readLabel } from '../support/xmp';
import { binary } from '../support/http';

const ASSET = 'plugin::product-gallery.image-asset';
const MODEL = 'black-forest-labs/flux-kontext-pro';

/**
 * Every file a generator made says so in its own XMP (IPTC DigitalSourceType): the stored image,
 * each storefront rendition and each channel-pack file, read back with a metadata reader; the
 * storefront API says per image whether it is AI-generated; imported photos lose EXIF and GPS.
 */
describe('what made an image, in the image', () => {
  let fake: FakeReplicate;
  let app: TestApp;
  let admin: AdminSession;
  let product: any;
  const expected: Record<string, { type: string; ai: string | null }> = {
    model: { type: 'compositeWithTrainedAlgorithmicMedia', ai: MODEL },
    clean: { type: 'composite', ai: null },
    detail: { type: 'digitalCapture', ai: null },
  };

  beforeAll(async () => {
    fake = await startFakeReplicate({ log: false, scenario: { startDelayMs: 5, latencyMs: 50 } });
    app = await startApp({ env: { ...appEnvFor(fake), REPLICATE_POLL_INTERVAL_MS: '50', PRODUCT_GALLERY_TICK_MS: '100' } });
    admin = await adminSession(app);
    const photo = await uploadPhoto(app, admin, '11_pendant_product_silver-origami-crane.jpg');
    const res = await createProduct(app, admin, { title: 'Crane labels', sku: 'PEND-LABEL', category: 'pendant', metal: 'silver', sourcePhoto: photo.id, dimensions: { pendantDropMm: 20, chainLengthMm: 450 } });
    expect(res.status).toBe(201);
    product = res.body.data;
    const gen = await app.http.post(`/product-gallery/products/${product.documentId}/generate`).set(admin.auth).send({ roles: ['clean', 'model', 'detail'] });
    expect(gen.status).toBe(202);
    await app.strapi.plugin('product-gallery').service('dispatch').drain(120_000);
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  const assetOf = (role: string) => app.strapi.db.query(ASSET).findOne({ where: { product: { documentId: product.documentId }, role }, populate: { file: true } });
  const download = async (url: string) => {
    const res = await app.http.get(url).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    return res.body as Buffer;
  };

  it.each(Object.keys(expected))('%s: the stored file and every rendition carry its DigitalSourceType', async (role) => {
    const asset = await assetOf(role);
    expect(asset.status).toBe('draft');
    expect(asset.sourceType).toBe(expected[role].type);
    const stored = await readLabel(await download(asset.file.url));
    expect(stored).toEqual({ digitalSourceType: expected[role].type, aiSystem: expected[role].ai });
    expect(asset.renditions.length).toBeGreaterThan(3);
    const formats = new Set<string>();
    for (const r of asset.renditions) {
      formats.add(r.format);
      expect([r.key, (await readLabel(await download(r.url))).digitalSourceType]).toEqual([r.key, expected[role].type]);
    }
    expect([...formats].sort()).toEqual(['avif', 'jpeg', 'webp']);
  });

  it('the storefront gallery says per image whether it is AI-generated, and each pack file keeps the label', async () => {
    for (const role of Object.keys(expected)) {
      let asset = await assetOf(role);
      for (const to of ['in_review', 'approved', 'published']) {
        const res = await app.http
          .post(`/product-gallery/assets/${asset.documentId}/transition`)
          .set(admin.auth)
          .send({ to, version: asset.version, ...(to === 'approved' ? { override: 'checked against the source by hand' } : {}) });
        expect([to, res.status]).toEqual([to, 200]);
        asset = res.body.data;
      }
    }
    const gallery = await app.http.get(`/api/product-gallery/galleries/${product.slug}`);
    expect(gallery.status).toBe(200);
    const seen = new Map<string, any>(gallery.body.data.slots.map((s: any) => [s.role, s.image]));
    for (const [role, e] of Object.entries(expected)) {
      expect(seen.get(role)).toMatchObject({ aiGenerated: e.type === 'compositeWithTrainedAlgorithmicMedia', digitalSourceType: e.type });
    }

    const pack = await app.http.get(`/product-gallery/products/${product.documentId}/pack?channel=amazon`).set(admin.auth).buffer(true).parse(binary);
    expect(pack.status).toBe(200);
    const entries = readZip(pack.body);
    const manifest = JSON.parse(entries.find((e) => e.name === 'manifest.json')!.data.toString('utf8'));
    expect(manifest.files.length).toBe(3);
    for (const f of manifest.files) {
      const label = await readLabel(entries.find((e) => e.name === f.name)!.data);
      expect([f.name, label.digitalSourceType]).toEqual([f.name, expected[f.role].type]);
    }
  });

  it('an imported photo loses its camera EXIF and GPS position; one marked as AI keeps its mark', async () => {
    const withGps = await sharp(photoPath('60_'))
      .withExif({ IFD0: { Make: 'PhoneMaker', Model: 'Phone 9' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 7/1' } })
      .jpeg({ quality: 92 })
      .toBuffer();
    expect(Object.keys(await cameraMetadataOf(withGps)).length).toBeGreaterThan(0);
    const res = await app.http.post(`/product-gallery/products/${product.documentId}/assets`).set(admin.auth).field('role', 'lifestyle').attach('file', withGps, { filename: 'phone.jpg', contentType: 'image/jpeg' });
    expect(res.status).toBe(201);
    const imported = await app.strapi.db.query(ASSET).findOne({ where: { documentId: res.body.data.documentId }, populate: { file: true } });
    expect(imported.sourceType).toBeNull();
    const stored = await download(imported.file.url);
    expect(await cameraMetadataOf(stored)).toEqual({});
    for (const r of imported.renditions) expect(await cameraMetadataOf(await download(r.url))).toEqual({});

    const marked = await sharp(photoPath('60_'))
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"/></rdf:RDF></x:xmpmeta>')
      .jpeg()
      .toBuffer();
    await app.strapi.db.query(ASSET).update({ where: { id: imported.id }, data: { status: 'archived' } });
    const again = await app.http.post(`/product-gallery/products/${product.documentId}/assets`).set(admin.auth).field('role', 'lifestyle').attach('file', marked, { filename: 'ai.jpg', contentType: 'image/jpeg' });
    expect(again.status).toBe(201);
    const ai = await app.strapi.db.query(ASSET).findOne({ where: { documentId: again.body.data.documentId }, populate: { file: true } });
    expect(ai.sourceType).toBe('trainedAlgorithmicMedia');
    expect((await readLabel(await download(ai.file.url))).digitalSourceType).toBe('trainedAlgorithmicMedia');
  });
});

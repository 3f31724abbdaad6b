import path from 'node:path';
import { startApp, adminSession, ROOT, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, uploadPhoto } from '../support/products';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';
import { until } from '../support/until';

const ASSET = 'plugin::product-gallery.image-asset';
const EDIT_MODEL = 'black-forest-labs/flux-kontext-pro';
const UPSCALER = 'nightmareai/real-esrgan';

/**
 * Two dispatchers on one database: the app's own, and a second one built from the same service
 * factory (another owner). The first holds a shot whose prediction Replicate is still running
 * when its lease is taken from it (expired in the database, then claimed by the second): it must
 * stop there, and the stage's result (the upscale, the stored file, the asset's row) is made once.
 */
describe('a dispatcher that lost its lease writes nothing', () => {
  let fake: FakeReplicate;
  let app: TestApp;
  let admin: AdminSession;

  beforeAll(async () => {
    fake = await startFakeReplicate({ log: true });
    app = await startApp({
      env: {
        ...appEnvFor(fake),
        REPLICATE_WEBHOOK_BASE_URL: '',
        REPLICATE_PREFER_WAIT_SEC: '60',
        REPLICATE_POLL_INTERVAL_MS: '100',
        PRODUCT_GALLERY_TICK_MS: '100',
      },
    });
    admin = await adminSession(app);
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  it('the stage result is written exactly once when the first holder is overtaken', async () => {
    const photo = await uploadPhoto(app, admin, '07_earrings_product_double-pearl-studs.jpg');
    const product = await createProduct(app, admin, {
      title: 'Lease studs',
      sku: 'EAR-LEASE-1',
      category: 'earrings',
      metal: 'silver',
      sourcePhoto: photo.id,
      dimensions: { earringDropMm: 12 },
    });
    expect(product.status).toBe(201);
    // The model keeps running until the test lets it finish; the creation's answer is held meanwhile.
    fake.setScenario({ hold: true }, EDIT_MODEL);
    const res = await app.http.post(`/product-gallery/products/${product.body.data.documentId}/generate`).set(admin.auth).send({ roles: ['model'] });
    expect(res.status).toBe(202);
    const documentId = res.body.data.assets[0].documentId;
    const edit = await until('the held prediction', () => [...fake.predictions.values()].find((p) => p.model === EDIT_MODEL && p.status === 'processing'));
    const first = app.strapi.plugin('product-gallery').service('dispatch');
    const row = () => app.strapi.db.query(ASSET).findOne({ where: { documentId } });
    expect((await row()).leaseOwner).toBe(first.owner);

    // The first holder's lease runs out (its renewals failed), and a second dispatcher claims it.
    await app.strapi.db.query(ASSET).updateMany({ where: { documentId }, data: { leaseUntil: new Date(0) } });
    const createDispatch = require(path.join(ROOT, 'plugins/product-gallery/dist/server/services/dispatch')).default;
    const second = createDispatch({ strapi: app.strapi });
    expect(second.owner).not.toBe(first.owner);
    // Started, it stands by (the app's dispatcher holds this database's dispatcher lock) and sweeps
    // nothing itself: it only runs the asset it is handed, as a BullMQ worker would.
    await second.start();
    const secondRun = second.runOne(documentId);
    await until('the second dispatcher to hold the asset', async () => (await row()).leaseOwner === second.owner);

    // Replicate finishes: the first holder's held answer returns now, beside the second's wait.
    fake.release(edit.id);
    await secondRun;
    const done = await until('the draft', async () => {
      const r = await row();
      return ['draft', 'failed'].includes(r.status) && r;
    });
    await second.stop();
    expect([done.status, done.error]).toEqual(['draft', null]);

    // One upscale, one stored output, one prediction of the shot.
    const byModel = (model: string) => [...fake.predictions.values()].filter((p) => p.model === model);
    expect(byModel(EDIT_MODEL)).toHaveLength(1);
    expect(byModel(UPSCALER)).toHaveLength(1);
    const files = await app.strapi.db.query('plugin::upload.file').findMany({ where: { name: { $startsWith: 'ear_lease_1_model' } } });
    expect(files).toHaveLength(1);
    expect((await app.strapi.db.query(ASSET).findOne({ where: { documentId }, populate: { file: true } })).file.id).toBe(files[0].id);
    const audit = await app.strapi.db.query('plugin::product-gallery.audit-event').findMany({ where: { asset: documentId } });
    expect(audit.map((a: any) => a.to)).toEqual(['queued', 'generating', 'draft']);
  }, 180_000);
});

import sharp from 'sharp';
import { createModelRegistry } from '../../plugins/product-gallery/server/src/models';
import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, uploadPhoto } from '../support/products';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';

const PRODUCT = 'plugin::product-gallery.product';
const ASSET = 'plugin::product-gallery.image-asset';
const AUDIT = 'plugin::product-gallery.audit-event';
// A dreamcatcher pendant hung over the arm of a white chair: a lifestyle photo whose automatic
// cutout is uncertain (busy background), as an editor's upload would be.
const UNCERTAIN_PHOTO = '60_pendant_lifestyle_dreamcatcher-on-white-chair.jpg';
const NEEDS_CHECK = "The product cutout of the source photo needs a person's check: open the workspace and confirm or refine it";

// grabCut and the analysis run in the worker pool of a shared 2-core machine.
jest.setTimeout(10 * 60 * 1000);

const pngOf = (dataUri: string) => Buffer.from(dataUri.replace(/^data:image\/png;base64,/, ''), 'base64');

const dreamcatcher = async (app: TestApp, admin: AdminSession, sku: string) => {
  const photo = await uploadPhoto(app, admin, UNCERTAIN_PHOTO);
  const res = await createProduct(app, admin, {
    title: 'Dreamcatcher pendant',
    sku,
    category: 'pendant',
    metal: 'yellow-gold',
    sourcePhoto: photo.id,
    dimensions: { pendantDropMm: 60, chainLengthMm: 500 },
  });
  if (res.status !== 201) throw new Error(`product create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.documentId as string;
};

describe('reference: an uncertain cutout blocks generation until a person confirms or corrects it', () => {
  let app: TestApp;
  let admin: AdminSession;
  let author: AdminSession;
  let productId: string;
  const url = (path: string) => `/product-gallery/products/${productId}${path}`;
  const dbReference = async () => (await app.strapi.db.query(PRODUCT).findOne({ where: { documentId: productId }, select: ['id', 'reference'] })).reference;

  beforeAll(async () => {
    app = await startApp();
    admin = await adminSession(app);
    author = await adminSession(app, { roleCode: 'strapi-author' });
    productId = await dreamcatcher(app, admin, 'PEND-DREAM-1');
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('the workspace shows the photo as needing a check, with the reasons', async () => {
    const res = await app.http.get(url('')).set(admin.auth);
    expect(res.status).toBe(200);
    const { reference } = res.body.data;
    expect(reference.needsReview).toBe(true);
    expect(reference.cutout.confidence).toBeLessThan(0.6);
    expect(reference.cutout.reasons.length).toBeGreaterThan(0);
    expect(reference.mask ?? null).toBeNull();
  });

  it('generate answers 409 naming the cutout, and nothing is queued', async () => {
    const res = await app.http.post(url('/generate')).set(admin.auth).send({});
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain(NEEDS_CHECK);
    expect(res.body.error.message).toMatch(/Why: .*background/i);
    expect(await app.strapi.db.query(ASSET).count({ where: { product: { documentId: productId } } })).toBe(0);
  });

  it('the dispatcher makes no shot for it: a queued image fails with the same reason', async () => {
    const product = await app.strapi.db.query(PRODUCT).findOne({ where: { documentId: productId } });
    const asset = await app.strapi
      .plugin('product-gallery')
      .service('workflow')
      .create({ productId: product.id, role: 'clean', status: 'queued', data: { prompt: 'clean', generationTag: 'tag-blocked-1', attempts: 0, provenance: { generator: 'local' } } }, { kind: 'system', name: 'test' });
    await app.strapi.plugin('product-gallery').service('dispatch').drain(120_000);
    const after = await app.strapi.db.query(ASSET).findOne({ where: { documentId: asset.documentId }, populate: { file: true } });
    expect(after.status).toBe('failed');
    expect(after.error).toContain(NEEDS_CHECK);
    expect(after.file).toBeNull();
  });

  it('bad strokes answer 400 naming the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ strokes: [{ mode: 'erase', radius: 0.02, points: [{ x: 0.5, y: 0.5 }] }] }, /^strokes\.0\.mode: must be keep or remove/],
      [{ strokes: [{ mode: 'keep', radius: 0.02, points: [{ x: 1.5, y: 0.5 }] }] }, /^strokes\.0\.points\.0\.x: x must be at most 1/],
      [{ strokes: [{ mode: 'keep', radius: 3, points: [{ x: 0.5, y: 0.5 }] }] }, /^strokes\.0\.radius: must be at most 0\.25/],
      [{ strokes: [{ mode: 'keep', radius: 0.02, points: [] }] }, /^strokes\.0\.points: a stroke needs at least one point/],
      [{ strokes: [] }, /^strokes: draw at least one/],
      [{ strokes: 'keep' }, /^strokes: /],
    ];
    for (const [body, message] of cases) {
      const res = await app.http.post(url('/reference/preview')).set(admin.auth).send(body as object);
      expect([res.status, res.body.error?.message]).toEqual([400, expect.stringMatching(message)]);
    }
    const confirm = await app.http.post(url('/reference/confirm')).set(admin.auth).send({ strokes: [{ mode: 'keep', radius: 0.02, points: [{ x: 0.5, y: -0.1 }] }] });
    expect([confirm.status, confirm.body.error?.message]).toEqual([400, expect.stringMatching(/^strokes\.0\.points\.0\.y: y must be at least 0/)]);
  });

  it('a refine preview returns the refined mask and its area, and stores nothing', async () => {
    const before = await dbReference();
    const files = await app.strapi.db.query('plugin::upload.file').count();
    // the top left corner of the chair is background; a remove stroke there is a real, cheap refinement
    const res = await app.http
      .post(url('/reference/preview'))
      .set(admin.auth)
      .send({ strokes: [{ mode: 'remove', radius: 0.03, points: [{ x: 0.02, y: 0.02 }, { x: 0.06, y: 0.05 }] }] });
    expect(res.status).toBe(200);
    const { automatic, refined, maskPreview, width, height } = res.body.data;
    expect(automatic.confidence).toBeLessThan(0.6);
    expect(refined.areaFraction).toBeGreaterThan(0.001);
    expect(refined.areaFraction).toBeLessThan(0.5);
    expect(refined.refined).toBe(true);
    const meta = await sharp(pngOf(maskPreview)).metadata();
    expect(meta.format).toBe('png');
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(1024);
    expect(Math.abs(meta.width! / meta.height! - width / height)).toBeLessThan(0.01);
    expect(await dbReference()).toEqual(before);
    expect(await app.strapi.db.query('plugin::upload.file').count()).toBe(files);
  });

  it('an Author may preview but not confirm (403, nothing changes)', async () => {
    const res = await app.http.post(url('/reference/confirm')).set(author.auth).send({});
    expect(res.status).toBe(403);
    expect((await dbReference()).mask ?? null).toBeNull();
  });

  it('the AI second opinion without a Replicate token answers 4xx saying so', async () => {
    const res = await app.http.post(url('/reference/ai')).set(admin.auth).send({});
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/no Replicate API token is configured/);
    const settings = await app.http.get('/product-gallery/config').set(admin.auth);
    expect(settings.body.data.replicateConfigured).toBe(false);
  });

  it('confirming with strokes makes the refined mask the reference: stored, fingerprinted, who and when recorded and audited', async () => {
    const before = await dbReference();
    const started = Date.now();
    const stroke = { mode: 'remove', radius: 0.03, points: [{ x: 0.02, y: 0.02 }, { x: 0.06, y: 0.05 }] };
    const res = await app.http.post(url('/reference/confirm')).set(admin.auth).send({ strokes: [stroke], note: 'chair corner is not the piece' });
    expect([res.status, res.body.error?.message]).toEqual([200, undefined]);
    const reference = await dbReference();
    expect(reference.needsReview).toBe(false);
    expect(reference.mask).toMatchObject({ method: 'refined', confirmedBy: admin.user.email, confirmedById: admin.user.id, strokes: 1, note: 'chair corner is not the piece' });
    expect(Date.parse(reference.mask.confirmedAt)).toBeGreaterThanOrEqual(started - 1000);
    expect(reference.mask.automaticConfidence).toBe(before.cutout.confidence);
    // the automatic cutout's doubt stays on record
    expect(reference.cutout.confidence).toBe(before.cutout.confidence);
    expect(reference.fingerprint).toBeTruthy();
    expect(reference.analyzedAt).not.toBe(before.analyzedAt);
    // the mask is a Media Library file at the source's size
    const file = await app.strapi.db.query('plugin::upload.file').findOne({ where: { id: reference.mask.fileId } });
    expect(file).toMatchObject({ mime: 'image/png', url: reference.mask.url });
    const bytes = await app.strapi.plugin('product-gallery').service('media').readFile(file);
    const meta = await sharp(bytes).metadata();
    expect([meta.width, meta.height]).toEqual([before.intake.width, before.intake.height]);
    // and the audit trail says who confirmed which mask, when
    const events = await app.strapi.db.query(AUDIT).findMany({ where: { product: productId }, orderBy: { id: 'asc' } });
    const confirmed = events.filter((e: any) => e.to === 'confirmed');
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]).toMatchObject({ asset: `reference:${productId}`, from: 'needs-check', actor: admin.user.email, actorId: admin.user.id });
    expect(confirmed[0].note).toContain(`mask file ${reference.mask.fileId}`);
    const history = await app.http.get(url('/reference/history')).set(admin.auth);
    expect(history.status).toBe(200);
    expect(history.body.data.map((e: any) => e.to)).toEqual(['confirmed']);
    // the workspace shows the confirmation, not the fingerprint
    const ws = await app.http.get(url('')).set(admin.auth);
    expect(ws.body.data.reference.mask).toMatchObject({ method: 'refined', confirmedBy: admin.user.email });
    expect(ws.body.data.reference.fingerprint).toBeUndefined();
  });

  it('analysing the same photo again keeps the confirmed mask', async () => {
    const before = await dbReference();
    const res = await app.http.post(url('/analyze')).set(admin.auth).send({});
    expect([res.status, res.body.error?.message]).toEqual([200, undefined]);
    const after = await dbReference();
    expect(after.mask).toEqual(before.mask);
    expect(after.needsReview).toBe(false);
    expect(after.cutout.areaFraction).toBeCloseTo(before.cutout.areaFraction, 4);
  });

  it('generation then works, cut and checked with the confirmed mask', async () => {
    const res = await app.http.post(url('/generate')).set(admin.auth).send({ roles: ['clean'] });
    expect([res.status, res.body.error?.message]).toEqual([202, undefined]);
    expect(res.body.data.assets).toHaveLength(1);
    await app.strapi.plugin('product-gallery').service('dispatch').drain(180_000);
    const asset = await app.strapi.db.query(ASSET).findOne({ where: { documentId: res.body.data.assets[0].documentId }, populate: { file: true } });
    expect([asset.status, asset.error]).toEqual(['draft', null]);
    expect(asset.file.url).toBeTruthy();
    // no "uncertain source cutout" verdict any more: a person confirmed it
    expect(asset.qc.map((c: any) => c.id)).not.toContain('source.cutout');
  });

  it('a confirmation without strokes adopts the automatic cutout as it is (method auto)', async () => {
    const other = await dreamcatcher(app, admin, 'PEND-DREAM-2');
    const res = await app.http.post(`/product-gallery/products/${other}/reference/confirm`).set(admin.auth).send({});
    expect(res.status).toBe(200);
    expect(res.body.data.reference.mask).toMatchObject({ method: 'auto', strokes: 0 });
    expect(res.body.data.reference.needsReview).toBe(false);
    const gen = await app.http.post(`/product-gallery/products/${other}/generate`).set(admin.auth).send({ roles: ['clean'] });
    expect(gen.status).toBe(202);
  });
});

describe('reference: the AI background remover as a second opinion (fake Replicate)', () => {
  let app: TestApp;
  let admin: AdminSession;
  let fake: FakeReplicate;
  let productId: string;

  beforeAll(async () => {
    fake = await startFakeReplicate({ log: true });
    app = await startApp({ env: { ...appEnvFor(fake), REPLICATE_POLL_INTERVAL_MS: '50', REPLICATE_PREFER_WAIT_SEC: '5' } });
    admin = await adminSession(app);
    productId = await dreamcatcher(app, admin, 'PEND-DREAM-AI');
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  it('runs recraft-remove-background with its one input, stores its mask beside ours, and changes nothing else', async () => {
    const settings = await app.http.get('/product-gallery/config').set(admin.auth);
    expect(settings.body.data.replicateConfigured).toBe(true);
    const res = await app.http.post(`/product-gallery/products/${productId}/reference/ai`).set(admin.auth).send({});
    expect([res.status, res.body.error?.message]).toEqual([200, undefined]);
    const predictions = [...fake.state.predictions.values()].filter((p) => p.model === 'recraft-ai/recraft-remove-background');
    expect(predictions).toHaveLength(1);
    expect(Object.keys(predictions[0].input)).toEqual(['image']);
    const { aiMask, maskPreview } = res.body.data;
    expect(aiMask).toMatchObject({ model: 'recraft-ai/recraft-remove-background', predictionId: predictions[0].id });
    // Paid for like any prediction: booked on the product, within the caps.
    const row = await app.strapi.db.query('plugin::product-gallery.product').findOne({ where: { documentId: productId } });
    expect(Number(row.aiCost)).toBeCloseTo(createModelRegistry().require('recraft-ai/recraft-remove-background').price, 6);
    expect(aiMask.areaFraction).toBeGreaterThan(0);
    expect(aiMask.agreement).toBeGreaterThanOrEqual(0);
    expect(aiMask.agreement).toBeLessThanOrEqual(1);
    expect((await sharp(pngOf(maskPreview)).metadata()).format).toBe('png');
    const reference = (await app.strapi.db.query(PRODUCT).findOne({ where: { documentId: productId }, select: ['id', 'reference'] })).reference;
    expect(reference.aiMask).toMatchObject({ fileId: aiMask.fileId });
    // a second opinion decides nothing: generation is still blocked
    expect(reference.needsReview).toBe(true);
    expect((await app.http.post(`/product-gallery/products/${productId}/generate`).set(admin.auth).send({})).status).toBe(409);
  });

  it('the editor adopts the AI mask: method ai, the stored mask is the AI one, generation is allowed', async () => {
    const res = await app.http.post(`/product-gallery/products/${productId}/reference/confirm`).set(admin.auth).send({ from: 'ai' });
    expect([res.status, res.body.error?.message]).toEqual([200, undefined]);
    const reference = (await app.strapi.db.query(PRODUCT).findOne({ where: { documentId: productId }, select: ['id', 'reference'] })).reference;
    expect(reference.mask).toMatchObject({ method: 'ai', confirmedBy: admin.user.email });
    const media = app.strapi.plugin('product-gallery').service('media');
    const [ai, confirmed] = await Promise.all(
      [reference.aiMask.fileId, reference.mask.fileId].map(async (id: number) => {
        const { data } = await sharp(await media.readFile(await media.findFile(id))).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
        return data;
      })
    );
    expect(Buffer.compare(ai, confirmed)).toBe(0);
    expect((await app.http.post(`/product-gallery/products/${productId}/generate`).set(admin.auth).send({ roles: ['clean'] })).status).toBe(202);
  });

  it('a failed prediction is a clear error, not a 500, and stores nothing', async () => {
    fake.setScenario({ outcome: 'failed', errorMessage: 'model crashed' }, 'recraft-ai/recraft-remove-background');
    const res = await app.http.post(`/product-gallery/products/${productId}/reference/ai`).set(admin.auth).send({});
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(600);
    expect(res.status).not.toBe(500);
    expect(res.body.error.message).toMatch(/model crashed|failed/i);
  });
});

import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, uploadPhoto } from '../support/products';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';
import { until } from '../support/until';
import { signWebhook } from '../../plugins/product-gallery/server/src/replicate';
import { freePort } from '../support/http';

const ASSET = 'plugin::product-gallery.image-asset';
const AUDIT = 'plugin::product-gallery.audit-event';
const EDIT_MODEL = 'black-forest-labs/flux-kontext-pro';

/**
 * Replicate's webhooks as they really arrive: raced against the dispatcher's own read, replayed,
 * out of order, forged, stale, signed with another secret, with a tag that is not a tag, or never.
 * The deadline and the safety read are far beyond the test's waits: only the webhook path (or,
 * for the lost delivery, the safety read set short) can finish a shot here.
 */
describe('Replicate webhook faults', () => {
  let fake: FakeReplicate;
  let app: TestApp;
  let admin: AdminSession;
  let photoId: number;
  let products = 0;

  beforeAll(async () => {
    fake = await startFakeReplicate({ log: true });
    const port = await freePort();
    app = await startApp({
      env: {
        ...appEnvFor(fake),
        REPLICATE_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}`,
        REPLICATE_WEBHOOK_SECRET: fake.webhookSecret,
        REPLICATE_PREDICTION_DEADLINE_MS: '600000',
        REPLICATE_WEBHOOK_POLL_MS: '600000',
        REPLICATE_POLL_INTERVAL_MS: '100',
        PRODUCT_GALLERY_TICK_MS: '100',
      },
    });
    await new Promise<void>((r) => app.strapi.server.httpServer.listen(port, '127.0.0.1', () => r()));
    admin = await adminSession(app);
    photoId = (await uploadPhoto(app, admin, '07_earrings_product_double-pearl-studs.jpg')).id;
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });
  afterEach(() => fake.resetScenario());

  const row = (documentId: string) => app.strapi.db.query(ASSET).findOne({ where: { documentId } });
  /** A model shot of a new product (a product plans one live image per role). */
  const generate = async () => {
    products++;
    const product = await createProduct(app, admin, {
      title: `Webhook studs ${products}`,
      sku: `EAR-HOOK-${products}`,
      category: 'earrings',
      metal: 'silver',
      sourcePhoto: photoId,
      dimensions: { earringDropMm: 12 },
    });
    expect(product.status).toBe(201);
    const productId = product.body.data.documentId;
    const res = await app.http.post(`/product-gallery/products/${productId}/generate`).set(admin.auth).send({ roles: ['model'] });
    expect(res.status).toBe(202);
    return res.body.data.assets[0].documentId as string;
  };
  const settled = (documentId: string) =>
    until(`${documentId} to settle`, async () => {
      const r = await row(documentId);
      return ['draft', 'failed'].includes(r.status) && r;
    });
  const post = (body: string, { id = `msg_${Math.random().toString(36).slice(2)}`, at = Math.floor(Date.now() / 1000), secret = fake.webhookSecret, query = '' } = {}) =>
    app.http
      .post(`/api/product-gallery/replicate/webhook${query}`)
      .set({ 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': signWebhook(id, at, body, secret) })
      .send(body);

  let finished: { documentId: string; predictionId: string };

  it('a completion delivered between the dispatcher reading the prediction and parking the shot is not lost', async () => {
    // The read's answer is in flight while the prediction completes and its webhook is delivered.
    fake.setScenario({ hold: true }, EDIT_MODEL);
    fake.addFaults({ endpoint: 'get', staleUntilDelivered: true });
    const documentId = await generate();
    const edit = await until('the running prediction', () => [...fake.predictions.values()].find((p) => p.model === EDIT_MODEL && p.status === 'processing'));
    await until('the dispatcher to read it', () => fake.requests.some((r) => r.method === 'GET' && r.path === `/v1/predictions/${edit.id}`));
    fake.release(edit.id);
    const done = await settled(documentId);
    expect([done.status, done.error]).toEqual(['draft', null]);
    const completions = fake.state.webhookDeliveries.filter((d) => d.predictionId === edit.id);
    expect(completions.map((d) => d.status)).toEqual([204]);
    finished = { documentId, predictionId: edit.id };
  }, 120_000);

  it('a replayed delivery (the same webhook-id) is acknowledged with 200 and not processed again', async () => {
    const original = fake.state.webhookDeliveries.find((d) => d.predictionId === finished.predictionId)!;
    const before = await row(finished.documentId);
    const res = await app.http
      .post(new URL(original.url).pathname + new URL(original.url).search)
      .set({
        'content-type': 'application/json',
        'webhook-id': original.webhookId,
        'webhook-timestamp': String(original.timestamp),
        'webhook-signature': signWebhook(original.webhookId, original.timestamp, original.body, fake.webhookSecret),
      })
      .send(original.body);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ duplicate: true });
    expect(res.body.data.message).toMatch(/not processed again/);
    const after = await row(finished.documentId);
    expect([after.status, after.version]).toEqual([before.status, before.version]);
  });

  it('a "processing" delivered after "succeeded" changes nothing', async () => {
    const before = await row(finished.documentId);
    const late = JSON.parse(fake.state.webhookDeliveries.find((d) => d.predictionId === finished.predictionId)!.body);
    const res = await post(JSON.stringify({ ...late, status: 'processing', output: null, completed_at: null }));
    expect(res.status).toBe(204);
    const after = await row(finished.documentId);
    expect([after.status, after.version, after.predictionId]).toEqual([before.status, before.version, before.predictionId]);
    const audit = await app.strapi.db.query(AUDIT).findMany({ where: { asset: finished.documentId } });
    expect(audit.filter((a: any) => a.to === 'draft')).toHaveLength(1);
  });

  it('duplicated deliveries of a completion finish the shot once', async () => {
    fake.setScenario({ latencyMs: 200, webhook: { duplicates: 2 } });
    const documentId = await generate();
    const done = await settled(documentId);
    expect([done.status, done.error]).toEqual(['draft', null]);
    await until('every copy delivered', () => fake.state.webhookDeliveries.filter((d) => d.predictionId === done.predictionId).length === 3);
    // The first copy is processed (204), its two copies acknowledged as replays (200).
    expect(fake.state.webhookDeliveries.filter((d) => d.predictionId === done.predictionId).map((d) => d.status)).toEqual([204, 200, 200]);
    const audit = await app.strapi.db.query(AUDIT).findMany({ where: { asset: documentId } });
    expect(audit.filter((a: any) => a.to === 'draft')).toHaveLength(1);
  }, 120_000);

  it('refuses forged, wrongly signed and stale deliveries with 401, and records none of them', async () => {
    const body = JSON.stringify({ id: 'p_forged', status: 'succeeded', output: 'x' });
    const id = 'msg_refused_then_genuine';
    const forged = await app.http
      .post('/api/product-gallery/replicate/webhook')
      .set({ 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': signWebhook(id, Math.floor(Date.now() / 1000), body.replace('p_forged', 'p_other'), fake.webhookSecret) })
      .send(body);
    expect(forged.status).toBe(401);
    expect(forged.body.error.message).toMatch(/signature/i);
    const wrong = await post(body, { id, secret: 'whsec_' + Buffer.from('another-secret-entirely').toString('base64') });
    expect(wrong.status).toBe(401);
    const stale = await post(body, { id, at: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    expect(stale.body.error.message).toMatch(/tolerance/i);
    // None was recorded: the genuine delivery with that id is processed, not taken for a replay.
    expect((await post(body, { id })).status).toBe(204);
  });

  it('a gen query that is not a plain tag, or not the signed one, is refused with 400', async () => {
    const tagged = JSON.stringify({ id: 'p_tag', status: 'succeeded', output: 'x', webhook: 'http://127.0.0.1/api/product-gallery/replicate/webhook?gen=0b8a4c4e-7d0e-4f7e-9d7e-3f2b1a0c9d8e' });
    const untagged = JSON.stringify({ id: 'p_untagged', status: 'succeeded', output: 'x' });
    for (const query of ['?gen[$ne]=x', '?gen[$gt]=', '?gen=a&gen=b', '?gen=%27%3B--', '?other=1']) {
      const res = await post(untagged, { query });
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body.error.message).toMatch(/^query/);
    }
    const mismatch = await post(tagged, { query: '?gen=11111111-2222-3333-4444-555555555555' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.message).toMatch(/signed delivery/);
  });

  it('a completion never delivered is found by the safety read of the parked prediction', async () => {
    const raw = app.strapi.config.get('plugin::product-gallery') as any;
    app.strapi.config.set('plugin::product-gallery', { ...raw, replicate: { ...raw.replicate, webhookPollMs: 300 } });
    try {
      fake.setScenario({ latencyMs: 500, webhook: { drop: true } });
      const documentId = await generate();
      const done = await settled(documentId);
      expect([done.status, done.error]).toEqual(['draft', null]);
      expect(fake.state.webhookDeliveries.filter((d) => d.predictionId === done.predictionId)).toEqual([]);
    } finally {
      app.strapi.config.set('plugin::product-gallery', raw);
    }
  }, 120_000);
});

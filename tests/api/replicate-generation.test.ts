import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, uploadPhoto } from '../support/products';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';
import { signWebhook } from '../../plugins/product-gallery/server/src/replicate';
import { createModelRegistry } from '../../plugins/product-gallery/server/src/models';

const registry = createModelRegistry();
const EDIT = registry.require('black-forest-labs/flux-kontext-pro');
const UPSCALER = registry.upscaler();

const ASSET = 'plugin::product-gallery.image-asset';

/**
 * Model shots through the Replicate provider of the real app, against the fake Replicate server:
 * every case ends in a clear final state with a message an editor understands.
 */
describe('generation on Replicate (fake server)', () => {
  let fake: FakeReplicate;
  let app: TestApp;
  let admin: AdminSession;
  let productId: string;

  const generateModel = async () => {
    const res = await app.http.post(`/product-gallery/products/${productId}/generate`).set(admin.auth).send({ roles: ['model'] });
    expect(res.status).toBe(202);
    expect(res.body.data.assets).toHaveLength(1);
    return res.body.data.assets[0].documentId as string;
  };
  const settle = async (documentId: string) => {
    await app.strapi.plugin('product-gallery').service('dispatch').drain(60_000);
    const asset = await app.strapi.db.query(ASSET).findOne({ where: { documentId } });
    expect(['draft', 'failed']).toContain(asset.status);
    return asset;
  };

  beforeAll(async () => {
    fake = await startFakeReplicate({ log: true });
    app = await startApp({
      env: {
        ...appEnvFor(fake),
        REPLICATE_POLL_INTERVAL_MS: '50',
        REPLICATE_REQUEST_TIMEOUT_MS: '1500',
        REPLICATE_DOWNLOAD_TIMEOUT_MS: '1500',
        REPLICATE_PREDICTION_DEADLINE_MS: '4000',
        // A held creation answers within 1 s: a prediction slower than that is polled (covered by
        // 'never finishes'), and a hanging creation times out at 1 s + the 1.5 s request timeout.
        REPLICATE_PREFER_WAIT_SEC: '1',
        REPLICATE_HTTP_ATTEMPTS: '3',
        PRODUCT_GALLERY_BACKOFF_MS: '50',
        PRODUCT_GALLERY_MAX_ATTEMPTS: '2',
        PRODUCT_GALLERY_TICK_MS: '100',
      },
    });
    admin = await adminSession(app);
    const photo = await uploadPhoto(app, admin, '11_pendant_product_silver-origami-crane.jpg');
    const res = await createProduct(app, admin, {
      title: 'Origami crane pendant',
      sku: 'PEND-CRANE',
      category: 'pendant',
      metal: 'silver',
      sourcePhoto: photo.id,
      dimensions: { pendantDropMm: 20, chainLengthMm: 450 },
    });
    expect(res.status).toBe(201);
    productId = res.body.data.documentId;
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });
  beforeEach(() => fake.resetScenario());
  /** Predictions of the editing model (each shot also has its upscale). */
  const shotCreations = () => [...fake.predictions.values()].filter((p) => p.model === EDIT.id).length;

  it('picks Replicate for model shots once a token is configured, with no brief edit', async () => {
    const plan = await app.http.get(`/product-gallery/products/${productId}`).set(admin.auth);
    const model = plan.body.data.plan.shots.find((s: any) => s.role === 'model');
    expect(model).toMatchObject({ generator: 'replicate', model: 'black-forest-labs/flux-kontext-pro' });
    const settings = await app.http.get('/product-gallery/config').set(admin.auth);
    expect(settings.body.data.replicateConfigured).toBe(true);
    expect(JSON.stringify(settings.body)).not.toContain(fake.token);
  });

  it('runs the prediction lifecycle into a checked draft with provenance and cost', async () => {
    const seen = fake.state.requests.length;
    const id = await generateModel();
    const asset = await settle(id);
    expect(asset.status).toBe('draft');
    expect(asset.predictionId).toBeTruthy();
    // Kontext's ~1 MP answer is below the model role's 1200 px: the upscaler ran, and was paid for.
    expect(Number(asset.cost)).toBeCloseTo(EDIT.price + UPSCALER.price);
    expect(asset.provenance).toMatchObject({ generator: 'replicate', model: EDIT.id, predictionId: asset.predictionId, upscale: { model: UPSCALER.id } });
    expect(asset.qc.find((c: any) => c.id === 'tech.resolution').status).toBe('pass');
    expect(fake.creationCount()).toBe(2);
    const body = JSON.stringify(fake.state.creations);
    expect(body).not.toContain(fake.token);
    // No webhook: the creation asked Replicate to hold its answer until done, so the output came
    // with it and nothing was polled.
    const requests = fake.state.requests.slice(seen);
    const creation = requests.find((r) => r.method === 'POST' && r.path.endsWith('/predictions'));
    expect(creation?.headers.prefer).toBe('wait=1');
    expect(requests.filter((r) => r.method === 'GET' && r.path.includes('/predictions/')).map((r) => r.path)).toEqual([]);
    // Archive-free way to let the next case generate again: move it out of the live set.
    await app.strapi.db.query(ASSET).update({ where: { id: asset.id }, data: { status: 'failed' } });
  });

  const failing: Array<[string, () => void, RegExp]> = [
    ['401', () => fake.setScenario({ faults: [{ status: 401 }] }), /token|authenticat/i],
    ['402', () => fake.setScenario({ faults: [{ status: 402 }] }), /credit|billing|payment/i],
    ['422', () => fake.setScenario({ faults: [{ status: 422 }] }), /input|invalid/i],
    ['a failed prediction', () => fake.setScenario({ outcome: 'failed', errorMessage: 'CUDA out of memory' }), /failed.*CUDA out of memory/i],
    ['a canceled prediction', () => fake.setScenario({ outcome: 'canceled' }), /cancel/i],
    ['an aborted prediction', () => fake.setScenario({ outcome: 'aborted' }), /abort|deadline|start/i],
    ['an output on a disallowed host', () => fake.setScenario({ output: 'disallowed-host' }), /host|allowed/i],
    ['an output redirecting to a disallowed host', () => fake.setScenario({ output: 'redirect-disallowed' }), /host|allowed|redirect/i],
    ['an oversized output', () => fake.setScenario({ output: 'oversized', oversizedBytes: 40 * 1024 * 1024 }), /large|size|limit|MB/i],
    ['a corrupt output', () => fake.setScenario({ output: 'corrupt' }), /corrupt|damaged|truncated|decode|not a|could not/i],
    ['an HTML output', () => fake.setScenario({ output: 'html' }), /html|not an image|content/i],
    ['a hanging creation', () => fake.setScenario({ faults: [{ hang: true }, { hang: true }, { hang: true }, { hang: true }, { hang: true }, { hang: true }] }), /did not answer|time|respond/i],
    ['a prediction that never finishes', () => fake.setScenario({ latencyMs: 60_000 }), /did not finish.*canceled/i],
  ];
  it.each(failing)('ends failed with a clear message on %s', async (_name, arrange, message) => {
    arrange();
    const id = await generateModel();
    const asset = await settle(id);
    expect(asset.status).toBe('failed');
    expect(asset.error).toMatch(message);
    expect(asset.error).not.toContain(fake.token);
    expect(asset.leaseOwner).toBeNull();
  });

  it('tells the editor where a generating shot is: at Replicate while it waits', async () => {
    // Only the shot is slow: its upscale shares the 4 s deadline.
    fake.setScenario({ latencyMs: 2000 }, EDIT.id);
    const id = await generateModel();
    const listed = async () => {
      const res = await app.http.get('/product-gallery/assets').query({ product: productId }).set(admin.auth);
      expect(res.status).toBe(200);
      return res.body.data.find((a: any) => a.documentId === id);
    };
    const seen = new Set<string>();
    const deadline = Date.now() + 10_000;
    for (let a = await listed(); a.status === 'queued' || a.status === 'generating'; a = await listed()) {
      if (a.status === 'generating') seen.add(a.stage);
      if (seen.has('replicate') || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen).toContain('replicate');
    const done = await settle(id);
    expect(done.status).toBe('draft');
    expect(await listed()).toMatchObject({ status: 'draft', stage: null });
    await app.strapi.db.query(ASSET).update({ where: { id: done.id }, data: { status: 'failed' } });
  });

  it('retries a failed shot as a new prediction when an editor queues it again', async () => {
    fake.setScenario({ outcome: 'failed', errorMessage: 'CUDA out of memory' });
    const id = await generateModel();
    const failed = await settle(id);
    expect(failed.status).toBe('failed');
    fake.resetScenario();
    const before = shotCreations();
    const res = await app.http.post(`/product-gallery/assets/${id}/transition`).set(admin.auth).send({ to: 'queued', version: failed.version });
    expect(res.status).toBe(200);
    const retried = await settle(id);
    expect([retried.status, retried.error]).toEqual(['draft', null]);
    expect(shotCreations() - before).toBe(1);
    expect(retried.predictionId).not.toBe(failed.predictionId);
    expect(retried.generationTag).not.toBe(failed.generationTag);
    // Both attempts were paid for (the failed one never reached its upscale).
    expect(Number(failed.cost)).toBeCloseTo(EDIT.price, 5);
    expect(Number(retried.cost)).toBeCloseTo(2 * EDIT.price + UPSCALER.price, 5);
    await app.strapi.db.query(ASSET).update({ where: { id: retried.id }, data: { status: 'failed' } });
  });

  it("carries the reviewer's reject note into the regenerated prediction's prompt and the history", async () => {
    const id = await generateModel();
    const draft = await settle(id);
    expect({ status: draft.status, error: draft.error }).toEqual({ status: 'draft', error: null });
    const send = (to: string, version: number, extra: Record<string, unknown> = {}) =>
      app.http.post(`/product-gallery/assets/${id}/transition`).set(admin.auth).send({ to, version, ...extra });
    const submitted = await send('in_review', draft.version);
    expect(submitted.status).toBe(200);
    const note = 'The chain is too thick: keep the fine cable chain of the photo.';
    const rejected = await send('rejected', submitted.body.data.version, { note });
    expect(rejected.status).toBe(200);
    // Regenerate as the workspace button does: no note of its own.
    const requeued = await send('queued', rejected.body.data.version);
    expect(requeued.status).toBe(200);
    const before = new Set(fake.predictions.keys());
    const again = await settle(id);
    expect({ status: again.status, error: again.error }).toEqual({ status: 'draft', error: null });
    const next = [...fake.predictions.values()].filter((p) => p.model === EDIT.id && !before.has(p.id));
    expect(next).toHaveLength(1);
    expect(String(next[0]!.input.prompt)).toContain(note);
    const review = await app.http.get(`/product-gallery/assets/${id}`).set(admin.auth);
    const regenerated = review.body.data.history.find((h: any) => h.from === 'rejected' && h.to === 'queued');
    expect(regenerated?.note).toContain(note);
    await app.strapi.db.query(ASSET).update({ where: { id: again.id }, data: { status: 'failed' } });
  });

  it('waits out a 429 with Retry-After and a 5xx, then succeeds without a duplicate prediction', async () => {
    fake.setScenario({ faults: [{ status: 429, retryAfter: 1 }, { status: 503 }] });
    const before = shotCreations();
    const id = await generateModel();
    const asset = await settle(id);
    expect(asset.status).toBe('draft');
    expect(shotCreations() - before).toBe(1);
    await app.strapi.db.query(ASSET).update({ where: { id: asset.id }, data: { status: 'failed' } });
  });

  it('resumes after a crash between creation and the database write, without creating twice', async () => {
    // The prediction is created, then the answer is lost (a 500 after the effect): the gateway must find it by its tag.
    fake.setScenario({ faults: [{ status: 500, afterEffect: true }] });
    const before = shotCreations();
    const id = await generateModel();
    const asset = await settle(id);
    expect(asset.status).toBe('draft');
    expect(shotCreations() - before).toBe(1);
    await app.strapi.db.query(ASSET).update({ where: { id: asset.id }, data: { status: 'failed' } });
  });

  it('resumes an asset left in generating by a dead process, using its recorded prediction', async () => {
    const id = await generateModel();
    await app.strapi.plugin('product-gallery').service('dispatch').drain(60_000);
    const done = await app.strapi.db.query(ASSET).findOne({ where: { documentId: id } });
    // Simulate the crash: back to generating with an expired lease and the prediction recorded.
    await app.strapi.db.query(ASSET).update({
      where: { id: done.id },
      data: { status: 'generating', leaseUntil: new Date(Date.now() - 1000), leaseOwner: 'dead-process', file: null },
    });
    const before = fake.creationCount();
    const asset = await settle(id);
    expect(asset.status).toBe('draft');
    // Neither the shot nor its upscale is created or paid for again.
    expect(fake.creationCount()).toBe(before);
    expect(Number(asset.cost)).toBeCloseTo(Number(done.cost), 6);
    expect(asset.provenance.upscale.predictionId).toBe(done.provenance.upscale.predictionId);
    await app.strapi.db.query(ASSET).update({ where: { id: asset.id }, data: { status: 'failed' } });
  });

  it("resumes an upscale whose creation answer was lost (a crash after the POST): it is found, not created or paid again", async () => {
    const id = await generateModel();
    await app.strapi.plugin('product-gallery').service('dispatch').drain(60_000);
    const done = await app.strapi.db.query(ASSET).findOne({ where: { documentId: id } });
    expect(done.status).toBe('draft');
    const upscaleId = done.provenance.upscale.predictionId;
    const sent = fake.predictions.get(upscaleId)!;
    // Resumed after the shot's deadline (a loaded machine, a restart minutes later): the upscale
    // already paid for is still looked for, not given up for lack of time. The wait comes first,
    // since the dispatcher picks the row up as soon as it is written.
    const shotCreated = Date.parse(fake.predictions.get(done.provenance.predictionId)!.created_at);
    await new Promise((r) => setTimeout(r, Math.max(0, shotCreated + 4000 + 200 - Date.now())));
    // The row as the crash left it: the upscale booked and its input recorded before the POST,
    // its prediction id never written.
    await app.strapi.db.query(ASSET).update({
      where: { id: done.id },
      data: {
        status: 'generating',
        leaseUntil: new Date(Date.now() - 1000),
        leaseOwner: 'dead-process',
        file: null,
        provenance: { ...done.provenance, upscale: { ...done.provenance.upscale, predictionId: null, input: sent.input, intentAt: Date.parse(sent.created_at) - 100 } },
      },
    });
    const before = fake.creationCount();
    const asset = await settle(id);
    expect({ status: asset.status, error: asset.error }).toEqual({ status: 'draft', error: null });
    expect(fake.creationCount()).toBe(before);
    expect(asset.provenance.upscale.predictionId).toBe(upscaleId);
    expect(Number(asset.cost)).toBeCloseTo(Number(done.cost), 6);
    await app.strapi.db.query(ASSET).update({ where: { id: asset.id }, data: { status: 'failed' } });
  });

  it('checks an output a dead process had already secured: no new prediction, no new download', async () => {
    const id = await generateModel();
    await app.strapi.plugin('product-gallery').service('dispatch').drain(60_000);
    const done = await app.strapi.db.query(ASSET).findOne({ where: { documentId: id }, populate: { file: true } });
    expect(done.status).toBe('draft');
    // Simulate the crash: the output was stored (generation stage done), QC never ran.
    await app.strapi.db.query(ASSET).update({
      where: { id: done.id },
      data: { status: 'generating', leaseUntil: new Date(Date.now() - 1000), leaseOwner: 'dead-process', qc: null, qcStatus: null, renditions: null },
    });
    const creations = fake.creationCount();
    const downloads = fake.state.deliveries;
    const asset = await settle(id);
    const again = await app.strapi.db.query(ASSET).findOne({ where: { id: asset.id }, populate: { file: true } });
    expect(again.status).toBe('draft');
    expect(again.file.id).toBe(done.file.id);
    expect(again.qc.length).toBeGreaterThan(0);
    expect(again.renditions.length).toBeGreaterThan(0);
    expect(fake.creationCount()).toBe(creations);
    expect(fake.state.deliveries).toBe(downloads);
    await app.strapi.db.query(ASSET).update({ where: { id: asset.id }, data: { status: 'failed' } });
  });

  it('verifies webhook signatures: valid deliveries accepted, tampered or stale ones refused', async () => {
    const prediction = { id: 'p-webhook', status: 'processing', webhook: 'https://example.com/hook?gen=none' };
    const body = JSON.stringify(prediction);
    const now = Math.floor(Date.now() / 1000);
    const secret = 'whsec_' + Buffer.from('test-secret-0123456789').toString('base64');
    // The app has no webhook secret configured in this suite: the endpoint says so plainly.
    const none = await app.http.post('/api/product-gallery/replicate/webhook').set('content-type', 'application/json').send(body);
    expect(none.status).toBe(404);
    expect(signWebhook('msg', now, body, secret)).toMatch(/^v1,/);
  });
});

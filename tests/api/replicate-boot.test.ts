import { startApp, adminSession, type TestApp } from '../support/strapi';
import { createProduct, uploadPhoto } from '../support/products';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';
import { signWebhook } from '../../plugins/product-gallery/server/src/replicate';
import { freePort } from '../support/http';

/**
 * Webhook settings are settled at boot, and what each creation tells Replicate: its lifetime
 * (Cancel-After, from the deadline) and a prompt that says what to keep.
 */
describe('Replicate settings checked at boot, and what a creation carries', () => {
  let fake: FakeReplicate;
  let app: TestApp | undefined;

  beforeAll(async () => {
    fake = await startFakeReplicate({ log: true, scenario: { startDelayMs: 5, latencyMs: 50 } });
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    fake.resetScenario();
  });
  afterAll(() => fake.close());

  it('a webhook URL without a secret stops the boot and says what to set, when the secret cannot be fetched', async () => {
    fake.addFaults({ endpoint: 'secret', status: 500 }, { endpoint: 'secret', status: 500 });
    await expect(
      startApp({ env: { ...appEnvFor(fake), REPLICATE_WEBHOOK_BASE_URL: 'https://shop.example.com', REPLICATE_WEBHOOK_SECRET: '', REPLICATE_HTTP_ATTEMPTS: '1' } })
    ).rejects.toThrow(/REPLICATE_WEBHOOK_BASE_URL is set but REPLICATE_WEBHOOK_SECRET is not.*Set REPLICATE_WEBHOOK_SECRET/);
  });

  it("a webhook URL without a secret fetches the account's secret, and deliveries signed with it are accepted", async () => {
    const port = await freePort();
    app = await startApp({ env: { ...appEnvFor(fake), REPLICATE_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}`, REPLICATE_WEBHOOK_SECRET: '', REPLICATE_HTTP_ATTEMPTS: '5' } });
    expect(fake.requests.some((r) => r.path === '/v1/webhooks/default/secret')).toBe(true);
    const body = JSON.stringify({ id: 'p1', status: 'succeeded', output: 'x' });
    const now = Math.floor(Date.now() / 1000);
    const post = (secret: string) =>
      app!.http
        .post('/api/product-gallery/replicate/webhook?gen=unknown')
        .set({ 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': signWebhook('msg_1', now, body, secret) })
        .send(body);
    expect((await post(fake.webhookSecret)).status).toBe(204);
    expect((await post('whsec_' + Buffer.from('someone-else').toString('base64'))).status).toBe(401);
  });

  it('sends Cancel-After from the prediction deadline, and a prompt that says what to keep', async () => {
    // The process env outlives an app: the earlier cases' webhook settings are cleared here.
    app = await startApp({ env: { ...appEnvFor(fake), REPLICATE_WEBHOOK_BASE_URL: '', REPLICATE_HTTP_ATTEMPTS: '5', REPLICATE_PREDICTION_DEADLINE_MS: '90000', REPLICATE_PREFER_WAIT_SEC: '5', PRODUCT_GALLERY_TICK_MS: '100' } });
    const admin = await adminSession(app);
    const photo = await uploadPhoto(app, admin, '11_pendant_product_silver-origami-crane.jpg');
    const product = await createProduct(app, admin, { title: 'Crane', sku: 'PEND-CA', category: 'pendant', metal: 'silver', sourcePhoto: photo.id, dimensions: { pendantDropMm: 20 } });
    const seen = fake.requests.length;
    const res = await app.http.post(`/product-gallery/products/${product.body.data.documentId}/generate`).set(admin.auth).send({ roles: ['model'] });
    expect(res.status).toBe(202);
    await app.strapi.plugin('product-gallery').service('dispatch').drain(60_000);
    const creations = fake.requests.slice(seen).filter((r) => r.method === 'POST' && r.path.endsWith('/predictions'));
    expect(creations.length).toBeGreaterThanOrEqual(1);
    const shot = creations.find((r) => r.path === '/v1/models/black-forest-labs/flux-kontext-pro/predictions')!;
    expect(shot.headers['cancel-after']).toBe('90s');
    const prompt: string = JSON.parse(shot.body).input.prompt;
    expect(prompt).toMatch(/the same stones/);
    // FLUX has no negative prompt: naming what must not appear tends to bring it in.
    expect(prompt).not.toMatch(/\b(do not|don't|avoid|without|no extra)\b/i);
    // Every creation, the upscale's too, has a lifetime on Replicate's side.
    for (const c of creations) expect(c.headers['cancel-after']).toMatch(/^\d+s$/);
  });
});

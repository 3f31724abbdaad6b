import { createReplicateGateway, outputUrls } from '../../plugins/product-gallery/server/src/replicate';
import { existsSync } from 'node:fs';
import { createResponseValidator, OPENAPI_PATH, startFakeReplicate, startWebhookReceiver, type FakeReplicate } from '../support/fake-replicate';

// Replicate's schema is kept beside the repository (../shared/replicate), not in it.
const hasSchema = existsSync(OPENAPI_PATH);
// Straight to stderr: jest prints nothing of a test file's console when all its tests are skipped.
if (!hasSchema) process.stderr.write(`[openapi-conformance] skipped: needs Replicate's OpenAPI schema at ${OPENAPI_PATH}\n`);

/**
 * Every JSON answer the fake sends during a broad run is validated against the response schema
 * openapi.json declares for that operation and status. If the fake drifts from the schema, this fails.
 */
(hasSchema ? describe : describe.skip)(`the fake Replicate conforms to openapi.json${hasSchema ? '' : ' (skipped: needs ../shared/replicate/openapi.json)'}`, () => {
  const validator = hasSchema ? createResponseValidator() : (null as never);
  let fake: FakeReplicate;

  beforeAll(async () => {
    fake = await startFakeReplicate({ pageSize: 2, maxUploadBytes: 64 * 1024, scenario: { latencyMs: 40, startDelayMs: 5 } });
  });
  afterAll(() => fake.close());

  it('the schema loads once the `query` method is stripped and nullable is translated', () => {
    // the raw document's prediction `version` oneOf rejects "hidden" (both branches match): see openapi.ts
    expect(validator.doc.components.schemas.schemas_prediction_response.properties.version.anyOf).toHaveLength(2);
    expect(validator.doc.paths['/models'].query).toBeUndefined();
    const next = validator.doc.paths['/predictions'].get.responses['200'].content['application/json'].schema.properties.next;
    expect(next.type).toEqual(['string', 'null']);
    expect(next.nullable).toBeUndefined();
  });

  it('the validator catches drift (negative control)', () => {
    const errs = validator.validate('predictions.get', 200, { id: 'x', status: 'done' });
    expect(errs!.length).toBeGreaterThan(0);
    expect(validator.validate('predictions.get', 200, { id: 'x', model: 'a/b', version: 'hidden', input: {}, output: null, data_removed: false, error: null, status: 'starting', created_at: 'yesterday', urls: { get: 'u', cancel: 'u', web: 'u' } })!.join()).toMatch(/date-time|uri/);
  });

  it('all responses of a broad run validate', async () => {
    const hooks = await startWebhookReceiver();
    try {
      const gw = createReplicateGateway({ apiToken: fake.token, baseUrl: fake.url, allowedOutputHosts: [fake.outputHost], webhookBaseUrl: hooks.url, pollIntervalMs: 15 });
      const model = 'black-forest-labs/flux-kontext-pro';
      await gw.getWebhookSecret();
      const file = await gw.uploadFile(Buffer.alloc(1000, 3), { contentType: 'image/png', filename: 'a.png', metadata: { gen: 'x' } });
      await fetch(file.urls.get, { headers: { Authorization: `Bearer ${fake.token}` } });
      const a = await gw.createPrediction({ model, input: { prompt: 'a', input_image: file.urls.get }, tag: 'o1', webhook: true, webhookEventsFilter: ['start', 'output', 'logs', 'completed'] });
      await gw.waitForPrediction(a.prediction.id, { deadline: Date.now() + 5000 });
      const b = await gw.createPrediction({ version: 'owner/model:0123456789abcdef', input: { prompt: 'b' }, tag: 'o2', preferWaitSec: 3 });
      await gw.downloadOutput(outputUrls(b.prediction)[0]!);
      fake.setScenario({ outcome: 'failed' });
      const c = await gw.createPrediction({ model, input: { prompt: 'c' }, tag: 'o3', preferWaitSec: 3 });
      expect(c.prediction.status).toBe('failed');
      fake.setScenario({ outcome: 'aborted' });
      const d = await gw.createPrediction({ model, input: { prompt: 'd' }, tag: 'o4' });
      await gw.waitForPrediction(d.prediction.id, { deadline: Date.now() + 5000 });
      fake.setScenario({ outcome: 'succeeded', latencyMs: 5000, outputShape: 'array' });
      const e = await gw.createPrediction({ model, input: { prompt: 'e' }, tag: 'o5' });
      await gw.cancelPrediction(e.prediction.id);
      fake.setScenario({ latencyMs: 40, outputWhileProcessing: true });
      await gw.createPrediction({ model, input: { prompt: 'f' }, tag: 'o6', preferWaitSec: 3 });
      let page = await gw.listPredictions();
      while (page.next) page = await gw.listPredictions({ cursor: page.next });
      // 413 from the files API
      await gw.uploadFile(Buffer.alloc(100 * 1024, 1)).catch(() => undefined);
      await fake.settled(a.prediction.id);
    } finally {
      await hooks.close();
    }

    const checked: string[] = [];
    const failures: string[] = [];
    for (const r of fake.state.responses) {
      if (r.operation === 'delivery' || r.operation === 'unknown') continue;
      const errs = validator.validate(r.operation, r.status, r.body, r.contentType);
      if (errs === undefined) continue; // the schema declares no body for this status (e.g. 401/429)
      checked.push(`${r.operation} ${r.status}`);
      failures.push(...errs);
    }
    // webhook bodies are prediction responses too
    for (const d of fake.state.webhookDeliveries) {
      checked.push('webhook');
      failures.push(...(validator.validate('predictions.get', 200, JSON.parse(d.body)) ?? []));
    }
    expect(failures).toEqual([]);
    for (const op of [
      'models.predictions.create 201',
      'predictions.create 201',
      'predictions.get 200',
      'predictions.list 200',
      'predictions.cancel 200',
      'files.create 201',
      'files.create 413',
      'webhooks.default.secret.get 200',
      'webhook',
    ]) {
      expect(checked).toContain(op);
    }
  });

  it('error bodies follow Replicate’s RFC 7807 shapes', async () => {
    fake.resetScenario();
    fake.addFaults({ status: 402 }, { status: 429 }, { status: 422 });
    const post = () =>
      fetch(`${fake.url}/models/a/b/predictions`, { method: 'POST', headers: { Authorization: `Bearer ${fake.token}`, 'Content-Type': 'application/json' }, body: '{"input":{}}' });
    const unauth = await fetch(`${fake.url}/predictions`, { headers: { Authorization: 'Bearer nope' } });
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toEqual({ title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status: 401 });
    const r402 = await post();
    expect(r402.status).toBe(402);
    expect(await r402.json()).toMatchObject({ status: 402, title: expect.any(String), detail: expect.stringMatching(/credit/) });
    const r429 = await post();
    expect(await r429.json()).toEqual({ detail: 'Request was throttled. Your rate limit resets in ~30s.', status: 429 });
    const r422 = await post();
    const b422 = (await r422.json()) as { status: number; invalid_fields: unknown };
    expect(b422.status).toBe(422);
    expect(Array.isArray(b422.invalid_fields)).toBe(true);
  });
});

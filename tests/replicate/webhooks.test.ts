import {
  createReplicateGateway,
  isNewerState,
  ReplicateError,
  signWebhook,
  tagFromWebhookUrl,
  verifyWebhook,
  type Prediction,
  type ReplicateGateway,
} from '../../plugins/product-gallery/server/src/replicate';
import { startFakeReplicate, startWebhookReceiver, type FakeReplicate, type ReceivedWebhook, type WebhookReceiver } from '../support/fake-replicate';

const MODEL = 'black-forest-labs/flux-kontext-pro';

describe('webhooks signed like Replicate', () => {
  let fake: FakeReplicate;
  let hooks: WebhookReceiver;
  let gw: ReplicateGateway;
  let secret: string;

  beforeAll(async () => {
    fake = await startFakeReplicate({ scenario: { latencyMs: 80, startDelayMs: 10 } });
    hooks = await startWebhookReceiver();
    gw = createReplicateGateway({ apiToken: fake.token, baseUrl: fake.url, webhookBaseUrl: hooks.url, pollIntervalMs: 20 });
    secret = await gw.getWebhookSecret();
  });
  afterAll(async () => {
    await fake.close();
    await hooks.close();
  });
  beforeEach(() => {
    fake.resetScenario();
    hooks.received.length = 0;
  });

  async function runWithWebhook(tag: string, filter?: Array<'start' | 'output' | 'logs' | 'completed'>): Promise<{ prediction: Prediction; deliveries: ReceivedWebhook[] }> {
    const { prediction } = await gw.createPrediction({ model: MODEL, input: { prompt: tag }, tag, webhook: true, webhookEventsFilter: filter });
    await fake.settled(prediction.id);
    return { prediction, deliveries: hooks.received.filter((d) => JSON.parse(d.rawBody).id === prediction.id) };
  }

  it('valid deliveries verify, carry the generation tag, and end with the terminal state', async () => {
    const { prediction, deliveries } = await runWithWebhook('gen-hook-1', ['start', 'output', 'completed']);
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    for (const d of deliveries) {
      expect(tagFromWebhookUrl(`http://x${d.url}`)).toBe('gen-hook-1');
      const v = verifyWebhook({ headers: d.headers, rawBody: d.rawBody, secret });
      expect(v.prediction.id).toBe(prediction.id);
      expect(v.id).toBe(d.headers['webhook-id']);
    }
    const last = verifyWebhook({ headers: deliveries[deliveries.length - 1]!.headers, rawBody: deliveries[deliveries.length - 1]!.rawBody, secret });
    expect(last.prediction.status).toBe('succeeded');
    expect(fake.predictions.get(prediction.id)!.webhook).toBe(`${hooks.url}?gen=gen-hook-1`);
  });

  it('accepts a Headers object and multiple signatures (one of them valid)', async () => {
    const { deliveries } = await runWithWebhook('gen-hook-2', ['completed']);
    const d = deliveries[0]!;
    const headers = new Headers();
    headers.set('webhook-id', String(d.headers['webhook-id']));
    headers.set('webhook-timestamp', String(d.headers['webhook-timestamp']));
    headers.set('webhook-signature', `v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v1,short ${String(d.headers['webhook-signature'])}`);
    expect(verifyWebhook({ headers, rawBody: Buffer.from(d.rawBody), secret }).prediction.status).toBe('succeeded');
  });

  it('rejects a tampered body', async () => {
    const { deliveries } = await runWithWebhook('gen-hook-3', ['completed']);
    const d = deliveries[0]!;
    const tampered = d.rawBody.replace('"succeeded"', '"failed"');
    expect(tampered).not.toBe(d.rawBody);
    expect(() => verifyWebhook({ headers: d.headers, rawBody: tampered, secret })).toThrow(ReplicateError);
    // re-serialising changes bytes too: only the raw body verifies
    const reserialised = JSON.stringify(JSON.parse(d.rawBody), null, 1);
    expect(() => verifyWebhook({ headers: d.headers, rawBody: reserialised, secret })).toThrow(/signature/);
  });

  it('rejects a delivery signed with another secret', async () => {
    fake.setScenario({ webhook: { signWithSecret: `whsec_${Buffer.from('another secret entirely').toString('base64')}` } });
    const { deliveries } = await runWithWebhook('gen-hook-4', ['completed']);
    const d = deliveries[0]!;
    let err: unknown;
    try {
      verifyWebhook({ headers: d.headers, rawBody: d.rawBody, secret });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReplicateError);
    expect((err as ReplicateError).code).toBe('webhook_invalid');
    expect((err as ReplicateError).message).not.toContain(secret);
  });

  it('rejects stale (6 min old) and future (6 min ahead) timestamps; accepts within 5 min both ways', () => {
    const body = JSON.stringify({ id: 'p1', status: 'succeeded', output: null });
    const nowMs = 1_750_000_000_000;
    const at = (offsetSec: number) => {
      const ts = Math.floor(nowMs / 1000) + offsetSec;
      return { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook('msg_1', ts, body, secret) };
    };
    expect(() => verifyWebhook({ headers: at(-360), rawBody: body, secret, now: nowMs })).toThrow(/tolerance/);
    expect(() => verifyWebhook({ headers: at(+360), rawBody: body, secret, now: nowMs })).toThrow(/tolerance/);
    expect(verifyWebhook({ headers: at(-290), rawBody: body, secret, now: nowMs }).prediction.id).toBe('p1');
    expect(verifyWebhook({ headers: at(+290), rawBody: body, secret, now: nowMs }).prediction.id).toBe('p1');
    // a signature over a different timestamp does not verify with the header's timestamp
    const h = at(0);
    h['webhook-timestamp'] = String(Number(h['webhook-timestamp']) + 1);
    expect(() => verifyWebhook({ headers: h, rawBody: body, secret, now: nowMs })).toThrow(/signature/);
  });

  it('rejects missing headers and malformed input without leaking', () => {
    expect(() => verifyWebhook({ headers: {}, rawBody: '{}', secret })).toThrow(/missing/);
    const ts = Math.floor(Date.now() / 1000);
    expect(() => verifyWebhook({ headers: { 'webhook-id': 'm', 'webhook-timestamp': 'abc', 'webhook-signature': 'v1,x' }, rawBody: '{}', secret })).toThrow(/timestamp/);
    const notJson = 'not json';
    expect(() =>
      verifyWebhook({ headers: { 'webhook-id': 'm', 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook('m', ts, notJson, secret) }, rawBody: notJson, secret }),
    ).toThrow(/not JSON/);
  });

  it('duplicate deliveries verify every time (idempotency is the dispatcher’s), isNewerState ignores them', async () => {
    fake.setScenario({ webhook: { duplicates: 2 } });
    const { deliveries } = await runWithWebhook('gen-hook-5', ['start', 'completed']);
    expect(deliveries.length).toBe(6);
    const ids = deliveries.map((d) => d.headers['webhook-id']);
    expect(new Set(ids).size).toBe(2); // duplicates share webhook-id
    let stored: Prediction | undefined;
    let applied = 0;
    for (const d of deliveries) {
      const { prediction } = verifyWebhook({ headers: d.headers, rawBody: d.rawBody, secret });
      if (isNewerState(stored, prediction)) {
        stored = prediction;
        applied++;
      }
    }
    expect(applied).toBe(2);
    expect(stored!.status).toBe('succeeded');
  });

  it('out-of-order deliveries: the terminal state wins whatever the arrival order', async () => {
    fake.setScenario({ webhook: { outOfOrder: true } });
    const { deliveries } = await runWithWebhook('gen-hook-6', ['start', 'logs', 'output', 'completed']);
    const statuses = deliveries.map((d) => (JSON.parse(d.rawBody) as Prediction).status);
    expect(statuses[0]).toBe('succeeded'); // terminal arrived first
    expect(statuses.slice(1)).toContain('processing');
    let stored: Prediction | undefined;
    for (const d of deliveries) {
      const { prediction } = verifyWebhook({ headers: d.headers, rawBody: d.rawBody, secret });
      if (isNewerState(stored, prediction)) stored = prediction;
    }
    expect(stored!.status).toBe('succeeded');
    expect(stored!.output).toBeTruthy();
  });

  it('delayed deliveries still verify within tolerance', async () => {
    fake.setScenario({ webhook: { delayMs: 150 } });
    const { deliveries } = await runWithWebhook('gen-hook-7', ['completed']);
    expect(deliveries).toHaveLength(1);
    expect(verifyWebhook({ headers: deliveries[0]!.headers, rawBody: deliveries[0]!.rawBody, secret }).prediction.status).toBe('succeeded');
  });

  it('only the terminal delivery is retried when our endpoint fails', async () => {
    hooks.respondWith(500);
    try {
      const { prediction } = await runWithWebhook('gen-hook-8', ['start', 'completed']);
      const log = fake.state.webhookDeliveries.filter((d) => d.predictionId === prediction.id);
      expect(log.filter((d) => d.event === 'start')).toHaveLength(1);
      expect(log.filter((d) => d.event === 'completed').length).toBeGreaterThan(1);
    } finally {
      hooks.respondWith(204);
    }
  });

  it('isNewerState orders statuses', () => {
    const s = (status: Prediction['status'], extra: Partial<Prediction> = {}) => ({ status, output: null, logs: '', ...extra }) as Prediction;
    expect(isNewerState(undefined, s('starting'))).toBe(true);
    expect(isNewerState(s('starting'), s('processing'))).toBe(true);
    expect(isNewerState(s('processing'), s('starting'))).toBe(false);
    expect(isNewerState(s('processing'), s('succeeded'))).toBe(true);
    expect(isNewerState(s('succeeded'), s('processing'))).toBe(false);
    expect(isNewerState(s('succeeded'), s('failed'))).toBe(false);
    expect(isNewerState(s('processing'), s('aborted'))).toBe(true);
    expect(isNewerState(s('processing'), s('processing', { output: ['a'] }))).toBe(true);
    expect(isNewerState(s('processing', { output: ['a', 'b'] }), s('processing', { output: ['a'] }))).toBe(false);
    expect(isNewerState(s('processing', { logs: 'a' }), s('processing', { logs: 'ab' }))).toBe(true);
    expect(isNewerState(s('processing'), s('processing'))).toBe(false);
  });
});

import { createReplicateGateway, inputHash, type CreationRecord, type ReplicateGateway } from '../../plugins/product-gallery/server/src/replicate';
import { startFakeReplicate, startWebhookReceiver, type FakeReplicate, type WebhookReceiver } from '../support/fake-replicate';

const MODEL = 'black-forest-labs/flux-kontext-pro';

describe('creation dedupe by generation tag (crash/restart)', () => {
  let fake: FakeReplicate;
  let hooks: WebhookReceiver;

  beforeAll(async () => {
    fake = await startFakeReplicate({ pageSize: 3, scenario: { latencyMs: 50, startDelayMs: 5 } });
    hooks = await startWebhookReceiver();
  });
  afterAll(async () => {
    await fake.close();
    await hooks.close();
  });

  /** A "process": a gateway plus its durable creation log (survives the crash). */
  function processWith(log: CreationRecord[]): ReplicateGateway {
    return createReplicateGateway({
      apiToken: fake.token,
      baseUrl: fake.url,
      webhookBaseUrl: hooks.url,
      recordCreation: (r) => {
        log.push(r);
      },
    });
  }

  it('webhook tag: create, crash before storing the id, restart finds it — no second prediction', async () => {
    const log: CreationRecord[] = [];
    const first = processWith(log);
    const input = { prompt: 'ring on a hand', input_image: 'data:image/png;base64,AAAA' };
    const created = await first.createPrediction({ model: MODEL, input, tag: 'gen-crash-1', webhook: true });
    expect(log.map((r) => r.phase)).toEqual(['intent', 'created']);
    expect(log[0]!.inputHash).toBe(inputHash(input));

    // crash: the 'created' record (with the id) is lost; only the intent survived
    const survived = log.filter((r) => r.phase === 'intent');
    const countBefore = fake.creationCount();
    // some unrelated predictions arrive meanwhile (pagination: page size 3)
    const other = processWith([]);
    for (let i = 0; i < 7; i++) await other.createPrediction({ model: MODEL, input: { prompt: `other ${i}` }, tag: `other-${i}`, webhook: true });

    const restarted = processWith(log);
    const found = await restarted.findPredictionByTag('gen-crash-1', survived[0]!.at - 5_000);
    expect(found?.id).toBe(created.prediction.id);

    const again = await restarted.createPrediction({ model: MODEL, input, tag: 'gen-crash-1', webhook: true, recentWindow: { since: survived[0]!.at - 5_000 } });
    expect(again.reused).toBe(true);
    expect(again.prediction.id).toBe(created.prediction.id);
    expect(fake.creationCount()).toBe(countBefore + 7); // only the unrelated ones
    expect(log[log.length - 1]).toMatchObject({ phase: 'created', predictionId: created.prediction.id, reused: true });
  });

  it('no webhook: falls back to model + exact input equality within the window', async () => {
    const log: CreationRecord[] = [];
    const input = { prompt: 'pendant on a neckline', seed: 1234, aspect_ratio: 'match_input_image' };
    const created = await processWith(log).createPrediction({ model: MODEL, input, tag: 'gen-crash-2' });
    const since = log[0]!.at - 5_000;
    const count = fake.creationCount();
    // key order does not matter
    const sameInput = { aspect_ratio: 'match_input_image', seed: 1234, prompt: 'pendant on a neckline' };
    const again = await processWith([]).createPrediction({ model: MODEL, input: sameInput, tag: 'gen-crash-2', recentWindow: { since } });
    expect(again).toMatchObject({ reused: true, prediction: { id: created.prediction.id } });
    expect(fake.creationCount()).toBe(count);
  });

  it('does not take a prediction claimed by another generation (its webhook tag) or excluded ids', async () => {
    const input = { prompt: 'identical input', seed: 7 };
    const a = await processWith([]).createPrediction({ model: MODEL, input, tag: 'gen-A', webhook: true });
    const gw = processWith([]);
    const since = Date.now() - 60_000;
    // input equal, but its webhook says gen-A: not ours
    expect(await gw.findPredictionByTag('gen-B', since, { model: MODEL, input })).toBeUndefined();
    const b = await gw.createPrediction({ model: MODEL, input: { prompt: 'identical input 2', seed: 7 }, tag: 'gen-C' });
    expect(await gw.findPredictionByTag('gen-D', since, { model: MODEL, input: { prompt: 'identical input 2', seed: 7 } })).toMatchObject({ id: b.prediction.id });
    expect(await gw.findPredictionByTag('gen-D', since, { model: MODEL, input: { prompt: 'identical input 2', seed: 7 }, excludeIds: [b.prediction.id] })).toBeUndefined();
    // other model: no match
    expect(await gw.findPredictionByTag('gen-D', since, { model: 'google/nano-banana', input: { prompt: 'identical input 2', seed: 7 } })).toBeUndefined();
    expect(a.prediction.id).not.toBe(b.prediction.id);
  });

  it('respects the cutoff: predictions created before `since` are not matched', async () => {
    const input = { prompt: 'old one' };
    await processWith([]).createPrediction({ model: MODEL, input, tag: 'gen-old', webhook: true });
    await new Promise((r) => setTimeout(r, 30));
    const since = Date.now();
    const gw = processWith([]);
    expect(await gw.findPredictionByTag('gen-old', since)).toBeUndefined();
    const listCalls = fake.requests.filter((r) => r.path.startsWith('/v1/predictions?created_after='));
    expect(listCalls.length).toBeGreaterThan(0);
  });

  it('crash after the intent but before the POST: lookup finds nothing, creates exactly once', async () => {
    const count = fake.creationCount();
    const r = await processWith([]).createPrediction({ model: MODEL, input: { prompt: 'never sent' }, tag: 'gen-crash-3', webhook: true, recentWindow: { since: Date.now() - 10_000 } });
    expect(r.reused).toBe(false);
    expect(fake.creationCount()).toBe(count + 1);
    expect(fake.predictions.get(r.prediction.id)!.webhook).toContain('gen=gen-crash-3');
  });

  it('a connection cut after the server created the prediction is recovered by the tag', async () => {
    fake.addFaults({ status: 503, afterEffect: true });
    const count = fake.creationCount();
    const r = await processWith([]).createPrediction({ model: MODEL, input: { prompt: 'cut' }, tag: 'gen-crash-4', webhook: true });
    expect(r.reused).toBe(true);
    expect(fake.creationCount()).toBe(count + 1);
  });
});

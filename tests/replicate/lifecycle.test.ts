import sharp from 'sharp';
import {
  createReplicateGateway,
  hasUsableOutput,
  isTerminalStatus,
  outputUrls,
  predictionError,
  ReplicateError,
  type Prediction,
  type ReplicateGateway,
} from '../../plugins/product-gallery/server/src/replicate';
import { startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';

const MODEL = 'black-forest-labs/flux-kontext-pro';

async function sourcePng(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
}

describe('prediction lifecycle against the fake Replicate', () => {
  let fake: FakeReplicate;
  let gw: ReplicateGateway;

  beforeAll(async () => {
    fake = await startFakeReplicate({ scenario: { startDelayMs: 20, latencyMs: 120 } });
    gw = createReplicateGateway({
      apiToken: fake.token,
      baseUrl: fake.url,
      allowedOutputHosts: [fake.outputHost],
      pollIntervalMs: 25,
      requestTimeoutMs: 5000,
    });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.resetScenario());

  it('creates, polls through starting -> processing -> succeeded, downloads a real image', async () => {
    const src = await sourcePng();
    const image = await gw.imageInput(src, 'image/png');
    expect(image.startsWith('data:image/png;base64,')).toBe(true);
    const { prediction, reused } = await gw.createPrediction({ model: MODEL, input: { prompt: 'on a hand', input_image: image, output_format: 'png' }, tag: 'gen-life-1' });
    expect(reused).toBe(false);
    expect(prediction.status).toBe('starting');
    expect(prediction.version).toBe('hidden');
    expect(prediction.urls.get).toBe(`${fake.url}/predictions/${prediction.id}`);

    const seen: string[] = [];
    const done = await gw.waitForPrediction(prediction.id, { deadline: Date.now() + 10_000, onUpdate: (p) => seen.push(p.status) });
    expect(done.status).toBe('succeeded');
    expect(seen).toContain('processing');
    expect(seen[seen.length - 1]).toBe('succeeded');
    expect(typeof done.metrics?.predict_time).toBe('number');
    expect(done.started_at).toBeTruthy();
    expect(done.completed_at).toBeTruthy();

    const [url] = outputUrls(done);
    const out = await gw.downloadOutput(url!);
    expect(out.contentType).toBe('image/png');
    const meta = await sharp(out.bytes).metadata();
    expect(meta.format).toBe('png');
    // Kontext answers about 1 MP whatever the input's size, at the input's ratio by default.
    const source = await sharp(src).metadata();
    expect(meta.width! * meta.height!).toBeGreaterThan(0.9e6);
    expect(meta.width! * meta.height!).toBeLessThan(1.1e6);
    expect(meta.width! / meta.height!).toBeCloseTo(source.width! / source.height!, 1);
  });

  it('uploads large inputs through POST /v1/files and uses the file URL', async () => {
    const big = await sharp({ create: { width: 900, height: 900, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
    expect(big.length).toBeGreaterThan(256 * 1024);
    const url = await gw.imageInput(big, 'image/png');
    expect(url).toMatch(new RegExp(`^${fake.url}/files/`));
    const file = [...fake.state.files.values()].pop()!;
    expect(file.bytes.equals(big)).toBe(true);
    expect(file.contentType).toBe('image/png');
  });

  it('version endpoint: POST /v1/predictions with owner/name:version', async () => {
    const { prediction } = await gw.createPrediction({ version: 'nightmareai/real-esrgan:42fed1c4974146d4d4414e2be2c5277c7fcf05fde3b22e94cee859b8a4a39d44', input: { image: 'data:image/png;base64,AAAA', scale: 2 }, tag: 'gen-ver-1' });
    expect(prediction.model).toBe('nightmareai/real-esrgan');
    expect(prediction.version).toBe('42fed1c4974146d4d4414e2be2c5277c7fcf05fde3b22e94cee859b8a4a39d44');
    const done = await gw.waitForPrediction(prediction.id, { deadline: Date.now() + 10_000 });
    expect(done.status).toBe('succeeded');
  });

  it('Prefer: wait returns a finished prediction in one request', async () => {
    const before = fake.requests.length;
    const { prediction } = await gw.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'gen-wait-1', preferWaitSec: 5 });
    expect(prediction.status).toBe('succeeded');
    expect(outputUrls(prediction)).toHaveLength(1);
    const creates = fake.requests.slice(before).filter((r) => r.method === 'POST');
    expect(creates).toHaveLength(1);
    expect(creates[0]!.headers.prefer).toBe('wait=5');
    // waitForPrediction with the creation answer returns at once, no GET.
    const n = fake.requests.length;
    const done = await gw.waitForPrediction(prediction.id, { initial: prediction });
    expect(done).toBe(prediction);
    expect(fake.requests.length).toBe(n);
  });

  it('Prefer: wait may answer with output while still processing (the real API quirk)', async () => {
    fake.setScenario({ outputWhileProcessing: true, latencyMs: 600 });
    const { prediction } = await gw.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'gen-wait-2', preferWaitSec: 10 });
    expect(prediction.status).toBe('processing');
    expect(prediction.output).toBeTruthy();
    expect(hasUsableOutput(prediction)).toBe(true);
    expect(isTerminalStatus(prediction.status)).toBe(false);
    // The output is downloadable now...
    const out = await gw.downloadOutput(outputUrls(prediction)[0]!);
    expect(out.bytes.length).toBeGreaterThan(100);
    // ...and waiting with returnOnOutput returns it without polling, while the default waits for succeeded.
    const early = await gw.waitForPrediction(prediction.id, { initial: prediction, returnOnOutput: true });
    expect(early.status).toBe('processing');
    const final = await gw.waitForPrediction(prediction.id, { initial: prediction, deadline: Date.now() + 10_000 });
    expect(final.status).toBe('succeeded');
    expect(final.output).toEqual(prediction.output);
  });

  it('a processing prediction with no output is never taken as done (client run() returned null here)', async () => {
    fake.setScenario({ latencyMs: 3000 });
    const { prediction } = await gw.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'gen-wait-3', preferWaitSec: 1 });
    expect(['starting', 'processing']).toContain(prediction.status);
    expect(prediction.output).toBeNull();
    expect(hasUsableOutput(prediction)).toBe(false);
    await gw.cancelPrediction(prediction.id);
  });

  it('Prefer wait outside 1..60 is refused before sending; the fake answers 422 too', async () => {
    await expect(gw.createPrediction({ model: MODEL, input: {}, tag: 't', preferWaitSec: 61 })).rejects.toMatchObject({ code: 'invalid_input' });
    const res = await fetch(`${fake.url}/models/${MODEL}/predictions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${fake.token}`, 'Content-Type': 'application/json', Prefer: 'wait=61' },
      body: JSON.stringify({ input: {} }),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { invalid_fields: unknown[] };
    expect(body.invalid_fields.length).toBeGreaterThan(0);
  });

  it.each([
    ['failed', 'failed'],
    ['canceled', 'canceled'],
    ['aborted', 'aborted'],
  ] as const)('a prediction that ends %s is terminal and maps to a typed error', async (outcome, code) => {
    fake.setScenario({ outcome, errorMessage: 'NSFW content detected' });
    const { prediction } = await gw.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: `gen-${outcome}` });
    const done = await gw.waitForPrediction(prediction.id, { deadline: Date.now() + 10_000 });
    expect(done.status).toBe(outcome);
    if (outcome === 'aborted') expect(done.started_at).toBeUndefined();
    const err = predictionError(done)!;
    expect(err).toBeInstanceOf(ReplicateError);
    expect(err.code).toBe(code);
    expect(err.predictionId).toBe(done.id);
    if (outcome === 'failed') expect(err.message).toContain('NSFW content detected');
    expect(err.retryable).toBe(outcome === 'aborted');
  });

  it('deadline: stops waiting with a timeout error and cancels the prediction remotely', async () => {
    fake.setScenario({ latencyMs: 5000 });
    const { prediction } = await gw.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'gen-deadline' });
    const t0 = Date.now();
    const err = (await gw.waitForPrediction(prediction.id, { deadline: Date.now() + 300 }).catch((e) => e)) as ReplicateError;
    expect(err).toBeInstanceOf(ReplicateError);
    expect(err.code).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(fake.predictions.get(prediction.id)!.status).toBe('canceled');
  });

  it('AbortSignal: aborting the wait cancels the prediction remotely', async () => {
    fake.setScenario({ latencyMs: 5000 });
    const { prediction } = await gw.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'gen-abort' });
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 150);
    const err = (await gw.waitForPrediction(prediction.id, { signal: ctrl.signal, deadline: Date.now() + 10_000 }).catch((e) => e)) as ReplicateError;
    expect(err.code).toBe('canceled');
    expect(fake.predictions.get(prediction.id)!.status).toBe('canceled');
    expect(fake.requests.some((r) => r.method === 'POST' && r.path === `/v1/predictions/${prediction.id}/cancel`)).toBe(true);
  });

  it('abort without remote cancel leaves the prediction running', async () => {
    fake.setScenario({ latencyMs: 5000 });
    const { prediction } = await gw.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'gen-abort-2' });
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(gw.waitForPrediction(prediction.id, { signal: ctrl.signal, cancelOnAbort: false })).rejects.toMatchObject({ code: 'canceled' });
    expect(fake.predictions.get(prediction.id)!.status).not.toBe('canceled');
    await gw.cancelPrediction(prediction.id);
  });

  it('lists predictions newest first with pagination', async () => {
    const small = await startFakeReplicate({ pageSize: 2, scenario: { latencyMs: 10 } });
    try {
      const g = createReplicateGateway({ apiToken: small.token, baseUrl: small.url });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await g.createPrediction({ model: MODEL, input: { prompt: `shot ${i}` }, tag: `l${i}` })).prediction.id);
        await new Promise((r) => setTimeout(r, 5));
      }
      const seen: Prediction[] = [];
      let page = await g.listPredictions();
      seen.push(...page.results);
      while (page.next) {
        page = await g.listPredictions({ cursor: page.next });
        seen.push(...page.results);
      }
      expect(seen.map((p) => p.id)).toEqual([...ids].reverse());
    } finally {
      await small.close();
    }
  });

  it('reads the default webhook secret', async () => {
    const key = await gw.getWebhookSecret();
    expect(key).toBe(fake.webhookSecret);
    expect(key).toMatch(/^whsec_/);
  });
});

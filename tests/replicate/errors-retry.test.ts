import {
  createReplicateGateway,
  parseRetryAfter,
  ReplicateError,
  type GatewayOptions,
  type ReplicateGateway,
} from '../../plugins/product-gallery/server/src/replicate';
import { startFakeReplicate, virtualClock, type FakeReplicate, type VirtualClock } from '../support/fake-replicate';

const MODEL = 'black-forest-labs/flux-kontext-pro';

describe('HTTP errors, retries and timeouts', () => {
  let fake: FakeReplicate;
  let clock: VirtualClock;
  let gw: ReplicateGateway;
  const make = (o: Partial<GatewayOptions> = {}) =>
    createReplicateGateway({ apiToken: fake.token, baseUrl: fake.url, clock, requestTimeoutMs: 3000, pollIntervalMs: 20, ...o });

  beforeAll(async () => {
    fake = await startFakeReplicate({ scenario: { latencyMs: 30, startDelayMs: 5 } });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.resetScenario();
    clock = virtualClock();
    gw = make();
  });

  const creates = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/predictions')).length;

  it('401: wrong token -> unauthenticated, not retried', async () => {
    const bad = createReplicateGateway({ apiToken: 'r8_wrongwrongwrongwrong', baseUrl: fake.url, clock });
    const before = creates();
    const err = (await bad.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'a' }).catch((e) => e)) as ReplicateError;
    expect(err).toBeInstanceOf(ReplicateError);
    expect(err.code).toBe('unauthenticated');
    expect(err.retryable).toBe(false);
    expect(err.status).toBe(401);
    expect(creates() - before).toBe(1);
    expect(clock.sleeps).toEqual([]);
    expect(err.message).not.toContain('r8_wrongwrongwrongwrong');
  });

  it('402: insufficient credit -> typed, not retried', async () => {
    fake.addFaults({ status: 402 });
    const before = creates();
    const createdBefore = fake.creationCount();
    const err = (await gw.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'b' }).catch((e) => e)) as ReplicateError;
    expect(err.code).toBe('insufficient_credit');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/insufficient credit/i);
    expect(creates() - before).toBe(1);
    expect(fake.creationCount()).toBe(createdBefore); // nothing created
  });

  it('422: invalid input -> invalid_input with invalid_fields, not retried', async () => {
    const err = (await gw.createPrediction({ model: MODEL, input: { prompt: 'x', aspect_ratio: '4:7' }, tag: 'c' }).catch((e) => e)) as ReplicateError;
    expect(err.code).toBe('invalid_input');
    expect(err.retryable).toBe(false);
    expect(err.invalidFields?.[0]).toMatchObject({ type: 'enum', field: 'input.aspect_ratio' });
    expect(err.message).toContain('aspect_ratio');
    expect(clock.sleeps).toEqual([]);
  });

  it('429 with Retry-After: waits at least the given seconds (virtual clock), then succeeds', async () => {
    fake.addFaults({ status: 429, retryAfter: 7 });
    const before = fake.creationCount();
    const { prediction } = await gw.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'd' });
    expect(prediction.id).toBeTruthy();
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(7000);
    expect(clock.sleeps[0]).toBeLessThan(7000 + 300);
    expect(fake.creationCount() - before).toBe(1);
  });

  it('429 with Retry-After as an HTTP date is honoured', async () => {
    const when = new Date(clock.now() + 12_000).toUTCString();
    fake.addFaults({ endpoint: 'get', status: 429, retryAfter: when });
    const { prediction } = await gw.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'e' });
    await gw.getPrediction(prediction.id);
    expect(clock.sleeps).toHaveLength(1);
    // HTTP dates have 1 s resolution
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(11_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:30 GMT'))).toBe(30);
    expect(parseRetryAfter('3', 0)).toBe(3);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  it('429 without Retry-After: exponential backoff with full jitter, bounded attempts', async () => {
    fake.addFaults({ status: 429 }, { status: 429 }, { status: 429 }, { status: 429 }, { status: 429 }, { status: 429 });
    const g = make({ retry: { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 }, random: () => 0.999 });
    const before = creates();
    const err = (await g.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'f' }).catch((e) => e)) as ReplicateError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/throttl/i);
    expect(creates() - before).toBe(4);
    expect(clock.sleeps).toHaveLength(3);
    // full jitter ceilings 1000, 2000, 4000 with random ~1
    expect(clock.sleeps[0]).toBeLessThan(1000);
    expect(clock.sleeps[1]).toBeGreaterThan(1000);
    expect(clock.sleeps[2]).toBeGreaterThan(2000);
    fake.resetScenario();
  });

  it('bounded total time: gives up when Retry-After exceeds the budget', async () => {
    fake.addFaults({ status: 429, retryAfter: 600 });
    const g = make({ retry: { maxTotalMs: 60_000 } });
    const err = (await g.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'g' }).catch((e) => e)) as ReplicateError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSec).toBe(600);
    expect(clock.sleeps).toEqual([]);
  });

  it('5xx then success on GET: retried with backoff', async () => {
    const { prediction } = await gw.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'h' });
    fake.addFaults({ endpoint: 'get', status: 500 }, { endpoint: 'get', status: 503 });
    const p = await gw.getPrediction(prediction.id);
    expect(p.id).toBe(prediction.id);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('5xx on creation: looks the tag up before retrying, creates exactly once', async () => {
    fake.addFaults({ status: 503 }, { status: 500 });
    const before = fake.creationCount();
    const { prediction, reused } = await gw.createPrediction({ model: MODEL, input: { prompt: 'five-hundred' }, tag: 'i' });
    expect(reused).toBe(false);
    expect(prediction.id).toBeTruthy();
    expect(fake.creationCount() - before).toBe(1);
    // a list call happened before each retry
    expect(fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/predictions?')).length).toBeGreaterThanOrEqual(2);
  });

  it('5xx after the prediction was actually created: the lookup finds it, no duplicate', async () => {
    fake.addFaults({ status: 500, afterEffect: true });
    const before = fake.creationCount();
    const { prediction, reused } = await gw.createPrediction({ model: MODEL, input: { prompt: 'created-then-500' }, tag: 'j' });
    expect(reused).toBe(true);
    expect(fake.creationCount() - before).toBe(1);
    expect(fake.predictions.has(prediction.id)).toBe(true);
  });

  it('5xx on the creation and on the lookup after it (an outage): nothing is created twice, the error goes up retryable', async () => {
    const g = make({ retry: { maxAttempts: 3 } });
    // The creation is carried out, then answered 500; every lookup that could find it fails too.
    fake.addFaults({ status: 500, afterEffect: true }, { endpoint: 'list', status: 503 }, { endpoint: 'list', status: 503 }, { endpoint: 'list', status: 503 });
    const before = fake.creationCount();
    const err = (await g.createPrediction({ model: MODEL, input: { prompt: 'outage' }, tag: 'outage' }).catch((e) => e)) as ReplicateError;
    expect(err).toBeInstanceOf(ReplicateError);
    expect(err.retryable).toBe(true);
    expect(fake.creationCount() - before).toBe(1);
    // Once Replicate answers again, the caller's next try looks first and finds it.
    fake.resetScenario();
    const { reused } = await g.createPrediction({ model: MODEL, input: { prompt: 'outage' }, tag: 'outage', recentWindow: { since: 0 } });
    expect(reused).toBe(true);
    expect(fake.creationCount() - before).toBe(1);
  });

  it('slow response beyond the request timeout -> timeout error (clear message)', async () => {
    fake.addFaults({ endpoint: 'get', delayMs: 1500 }, { endpoint: 'get', delayMs: 1500 });
    const g = make({ requestTimeoutMs: 200, retry: { maxAttempts: 2 } });
    const t0 = Date.now();
    const err = (await g.getPrediction('nope').catch((e) => e)) as ReplicateError;
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/did not answer within/);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('hanging response (never answers) -> timeout; creation timeout is ambiguous and checked by tag', async () => {
    fake.addFaults({ hang: true });
    const g = make({ requestTimeoutMs: 200, retry: { maxAttempts: 2 } });
    const before = fake.creationCount();
    const { reused } = await g.createPrediction({ model: MODEL, input: { prompt: 'hang' }, tag: 'k' });
    expect(reused).toBe(false);
    expect(fake.creationCount() - before).toBe(1);
    fake.addFaults({ endpoint: 'get', hang: true }, { endpoint: 'get', hang: true });
    const err = (await g.getPrediction('x').catch((e) => e)) as ReplicateError;
    expect(err.code).toBe('timeout');
  });

  it('network error (nothing listening) -> unavailable, retryable', async () => {
    const g = createReplicateGateway({ apiToken: fake.token, baseUrl: 'http://127.0.0.1:1/v1', clock, retry: { maxAttempts: 2 } });
    const err = (await g.getPrediction('x').catch((e) => e)) as ReplicateError;
    expect(err.code).toBe('unavailable');
    expect(err.retryable).toBe(true);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('creation rate limit: beforeCreate hook runs before every creation POST; 429 beyond N/s is retried', async () => {
    fake.setScenario({ creationRateLimit: 2, creationRateLimitRetryAfter: 1 });
    let hookCalls = 0;
    const real = createReplicateGateway({
      apiToken: fake.token,
      baseUrl: fake.url,
      beforeCreate: async () => {
        hookCalls++;
      },
    });
    const results = await Promise.all([0, 1, 2, 3].map((i) => real.createPrediction({ model: MODEL, input: { prompt: `shot ${i}` }, tag: `rl-${i}` })));
    expect(new Set(results.map((r) => r.prediction.id)).size).toBe(4);
    expect(hookCalls).toBeGreaterThanOrEqual(5); // 4 + at least one retry after a 429
    const throttled = fake.state.responses.filter((r) => r.status === 429).length;
    expect(throttled).toBeGreaterThanOrEqual(2);
  });

  it('the API token never appears in any error message, error JSON or request body', async () => {
    const errors: unknown[] = [];
    const cases: Array<() => Promise<unknown>> = [
      async () => {
        fake.addFaults({ status: 401 });
        return gw.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'l1' });
      },
      async () => {
        fake.addFaults({ status: 422, body: { title: 'Input validation failed', detail: `bad token ${fake.token}`, status: 422, invalid_fields: [{ field: 'x', description: fake.token }] } });
        return gw.createPrediction({ model: MODEL, input: { prompt: 'x' }, tag: 'l2' });
      },
      () => createReplicateGateway({ apiToken: fake.token, baseUrl: 'http://127.0.0.1:1/v1', clock, retry: { maxAttempts: 1 } }).getPrediction('x'),
      () => gw.downloadOutput(`https://user:${fake.token}@evil.example/x.png`),
      () => gw.downloadOutput(`http://127.0.0.1:1/${fake.token}`, { allowedHosts: ['127.0.0.1:1'] }),
      () => createReplicateGateway({ apiToken: fake.token, baseUrl: `http://127.0.0.1:1/${fake.token}/v1`, clock, retry: { maxAttempts: 1 } }).getPrediction('x'),
    ];
    for (const c of cases) errors.push(await c().then(() => undefined, (e) => e));
    for (const e of errors) {
      expect(e).toBeInstanceOf(ReplicateError);
      const err = e as ReplicateError;
      expect(err.message).not.toContain(fake.token);
      expect(JSON.stringify(err)).not.toContain(fake.token);
      expect(String(err.stack)).not.toContain(fake.token);
      expect(JSON.stringify((err as { cause?: unknown }).cause ?? null)).not.toContain(fake.token);
    }
    // a full run with uploads too
    await gw.imageInput(Buffer.alloc(300 * 1024, 1), 'image/png');
    await gw.createPrediction({ model: MODEL, input: { prompt: 'x', input_image: 'data:image/png;base64,AAAA' }, tag: 'l3' });
    for (const r of fake.requests) {
      expect(r.body).not.toContain(fake.token);
      expect(r.path).not.toContain(fake.token);
    }
    // only the Authorization header carries it
    expect(fake.requests.filter((r) => String(r.headers.authorization).includes(fake.token)).length).toBeGreaterThan(0);
  });
});

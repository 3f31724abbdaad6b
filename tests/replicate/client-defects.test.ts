import Replicate from 'replicate';
import { startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';

/**
 * Evidence for the design choice in replicate/http.ts: the `replicate` 1.4.0 client, pointed at the
 * fake, shows the defects our gateway avoids. If an upgrade fixes them, these tests tell us.
 */
describe('replicate npm client 1.4.0 defects (why the gateway calls the API itself)', () => {
  let fake: FakeReplicate;
  beforeAll(async () => {
    fake = await startFakeReplicate({ scenario: { latencyMs: 20, startDelayMs: 5 } });
  });
  afterAll(() => fake.close());

  it("fileEncodingStrategy 'data-uri' sends the token inside the prediction input", async () => {
    const client = new Replicate({ auth: fake.token, baseUrl: fake.url, fileEncodingStrategy: 'data-uri' });
    const before = fake.requests.length;
    await client.predictions.create({ model: 'a/b', input: { image: Buffer.from([1, 2, 3]) } }).catch(() => undefined);
    const bodies = fake.requests.slice(before).map((r) => r.body).join('\n');
    expect(bodies).toContain(fake.token);
  });

  it('429 retries do not back off (several POSTs within a few hundred ms)', async () => {
    fake.addFaults(...Array.from({ length: 10 }, () => ({ status: 429, retryAfter: 5 })));
    const client = new Replicate({ auth: fake.token, baseUrl: fake.url });
    const before = fake.requests.length;
    const t0 = Date.now();
    await client.predictions.create({ model: 'a/b', input: { prompt: 'x' } }).catch(() => undefined);
    const posts = fake.requests.slice(before).filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(3);
    expect(Date.now() - t0).toBeLessThan(5000); // Retry-After: 5 was not honoured
    fake.resetScenario();
  });
});

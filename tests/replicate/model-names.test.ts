import { createModelRegistry, BUILT_IN_MODELS } from '../../plugins/product-gallery/server/src/models';
import { createHttpClient, createReplicateGateway, type ReplicateGateway } from '../../plugins/product-gallery/server/src/replicate';
import { replicateErrorOf } from '../support/replicate-error';
import { startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';

/** Names that would put the token on another API path, or are not Replicate names at all. */
const HOSTILE = ['../account', 'owner/..', 'owner/.', '../..', 'owner/name/../../account', 'owner/%2e%2e', 'owner/name%2F..', 'owner/name?x=1', '.hidden/name', 'owner/name#frag', ' owner/name', 'owner\\name/x'];

describe('model names become API paths only when they are owner/name', () => {
  let fake: FakeReplicate;
  let gw: ReplicateGateway;

  beforeAll(async () => {
    fake = await startFakeReplicate({ scenario: { latencyMs: 5, startDelayMs: 1 } });
    gw = createReplicateGateway({ apiToken: fake.token, baseUrl: fake.url, allowedOutputHosts: [fake.outputHost], retry: { maxAttempts: 1 } });
  });
  afterAll(() => fake.close());


  it.each(HOSTILE)('the gateway refuses to build a URL for model %j, and sends nothing', async (model) => {
    const before = fake.requests.length;
    const e = await replicateErrorOf(gw.createPrediction({ model, input: { prompt: 'x' }, tag: 'names' }));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toMatch(/Invalid model name/);
    expect(fake.requests.length).toBe(before);
  });

  it('refuses a version that is neither a version id nor owner/name:version', async () => {
    const before = fake.requests.length;
    for (const version of ['../../account', 'owner/..:' + 'a'.repeat(64), 'v1?x=y']) {
      const e = await replicateErrorOf(gw.createPrediction({ version, input: { prompt: 'x' }, tag: 'names' }));
      expect(e.code).toBe('invalid_input');
    }
    expect(fake.requests.length).toBe(before);
  });

  it('refuses prediction ids that are dot segments (they come from remote answers)', async () => {
    const before = fake.requests.length;
    for (const id of ['..', '.']) {
      expect((await replicateErrorOf(gw.getPrediction(id))).code).toBe('invalid_input');
      expect((await replicateErrorOf(gw.cancelPrediction(id))).code).toBe('invalid_input');
    }
    expect(fake.requests.length).toBe(before);
  });

  it('the HTTP client refuses any API path with a dot segment, plain or encoded, or an encoded slash', async () => {
    const http = createHttpClient({ apiToken: fake.token, baseUrl: fake.url, retry: { maxAttempts: 1 } });
    const before = fake.requests.length;
    for (const path of ['/models/owner/../../account', '/predictions/%2e%2e', '/predictions/%2E', '/models/owner%2F..%2F..%2Faccount/predictions', 'models/./x']) {
      const e = await replicateErrorOf(http.request({ method: 'POST', path, json: {} }));
      expect(e.code).toBe('invalid_input');
    }
    expect(fake.requests.length).toBe(before);
  });

  it('accepts real names with dots, dashes and underscores', async () => {
    const { prediction } = await gw.createPrediction({ model: 'black-forest-labs/flux-kontext-pro', input: { prompt: 'x', input_image: 'https://replicate.delivery/x.png' }, tag: 'names-ok', preferWaitSec: 5 });
    expect(prediction.id).toBeTruthy();
  });

  it('the model registry refuses a host app model whose id is not owner/name', () => {
    const base = BUILT_IN_MODELS.find((m) => m.id === 'black-forest-labs/flux-kontext-pro')!;
    for (const id of ['owner/..', '../account', 'a/b/c']) {
      expect(() => createModelRegistry([{ ...base, id }])).toThrow(/models\[0\]: id: must be a Replicate model such as owner\/name/);
    }
    expect(createModelRegistry([{ ...base, id: 'acme/flux-1.1_custom' }]).get('acme/flux-1.1_custom')).toBeTruthy();
  });
});

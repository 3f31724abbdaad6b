import sharp from 'sharp';
import {
  assertAllowedOutputUrl,
  createReplicateGateway,
  downloadOutput,
  outputUrls,
  ReplicateError,
  type ReplicateGateway,
} from '../../plugins/product-gallery/server/src/replicate';
import { replicateErrorOf } from '../support/replicate-error';
import { startFakeReplicate, type FakeReplicate, type OutputMode } from '../support/fake-replicate';

const MODEL = 'black-forest-labs/flux-kontext-pro';

describe('guarded output download', () => {
  let fake: FakeReplicate;
  let gw: ReplicateGateway;

  beforeAll(async () => {
    fake = await startFakeReplicate({ scenario: { latencyMs: 20, startDelayMs: 5 } });
    gw = createReplicateGateway({ apiToken: fake.token, baseUrl: fake.url, allowedOutputHosts: [fake.outputHost], maxOutputBytes: 1024 * 1024, downloadTimeoutMs: 2000 });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.resetScenario());

  async function outputWith(mode: OutputMode, extra: Parameters<FakeReplicate['setScenario']>[0] = {}): Promise<string> {
    fake.setScenario({ output: mode, ...extra });
    const { prediction } = await gw.createPrediction({ model: MODEL, input: { prompt: mode }, tag: `dl-${mode}`, preferWaitSec: 5 });
    expect(prediction.status).toBe('succeeded');
    return outputUrls(prediction)[0]!;
  }


  it('downloads an allowed output and returns its bytes', async () => {
    const url = await outputWith('normal');
    const out = await gw.downloadOutput(url);
    expect((await sharp(out.bytes).metadata()).format).toBe('png');
    expect(out.finalUrl).toBe(url);
  });

  it('follows one redirect within the allowed hosts', async () => {
    const url = await outputWith('redirect-allowed');
    const out = await gw.downloadOutput(url);
    expect(out.redirects).toBe(1);
    expect(out.finalUrl).toContain('/delivery/normal/');
  });

  it('rejects an output on a disallowed host without fetching it', async () => {
    const url = await outputWith('disallowed-host');
    expect(url).toContain('//localhost:');
    const before = fake.requests.length;
    const e = await replicateErrorOf(gw.downloadOutput(url));
    expect(e.code).toBe('output_rejected');
    expect(e.message).toMatch(/not an allowed output host/);
    expect(fake.requests.length).toBe(before);
  });

  it('rejects a redirect to a disallowed host (redirect: manual, each hop re-checked)', async () => {
    const url = await outputWith('redirect-disallowed');
    const e = await replicateErrorOf(gw.downloadOutput(url));
    expect(e.code).toBe('output_rejected');
    expect(fake.requests.filter((r) => r.headers.host?.toString().startsWith('localhost')).length).toBe(0);
  });

  it('stops after 3 redirects', async () => {
    const url = await outputWith('redirect-loop');
    const e = await replicateErrorOf(gw.downloadOutput(url));
    expect(e.code).toBe('output_rejected');
    expect(e.message).toMatch(/more than 3/);
  });

  it('rejects an oversized output by Content-Length before reading it', async () => {
    const url = await outputWith('oversized', { oversizedBytes: 5 * 1024 * 1024 });
    const e = await replicateErrorOf(gw.downloadOutput(url));
    expect(e.code).toBe('output_rejected');
    expect(e.message).toMatch(/too large \(5242880 bytes/);
  });

  it('enforces the size limit while streaming when there is no Content-Length', async () => {
    const url = await outputWith('oversized-chunked', { oversizedBytes: 5 * 1024 * 1024 });
    const e = await replicateErrorOf(gw.downloadOutput(url));
    expect(e.code).toBe('output_rejected');
    expect(e.message).toMatch(/over 1048576 bytes/);
  });

  it('fails cleanly on a truncated transfer', async () => {
    const url = await outputWith('truncated');
    const e = await replicateErrorOf(gw.downloadOutput(url));
    expect(['unavailable']).toContain(e.code);
    expect(e.message).toMatch(/cut off|could not be downloaded/);
  });

  it('rejects HTML served instead of an image', async () => {
    const url = await outputWith('html');
    const e = await replicateErrorOf(gw.downloadOutput(url));
    expect(e.code).toBe('output_rejected');
    expect(e.message).toMatch(/not an image \(content type text\/html\)/);
  });

  it('returns corrupt image bytes as they are (the intake rejects them), then sharp fails on them', async () => {
    const url = await outputWith('corrupt');
    const out = await gw.downloadOutput(url);
    expect(out.bytes.length).toBe(64 + 512);
    await expect(sharp(out.bytes).toBuffer()).rejects.toThrow();
  });

  it('times out on an output that never finishes', async () => {
    const url = await outputWith('hang');
    const t0 = Date.now();
    const e = await replicateErrorOf(gw.downloadOutput(url, { timeoutMs: 300 }));
    expect(e.code).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('host rules: https required, default replicate.delivery + subdomains, loopback only when listed', () => {
    expect(assertAllowedOutputUrl('https://replicate.delivery/x.png').hostname).toBe('replicate.delivery');
    expect(assertAllowedOutputUrl('https://pbxt.replicate.delivery/abc/out.png').hostname).toBe('pbxt.replicate.delivery');
    const bad = (u: string, hosts?: string[]) => {
      try {
        assertAllowedOutputUrl(u, hosts);
      } catch (e) {
        return (e as ReplicateError).code;
      }
      return 'allowed';
    };
    expect(bad('http://replicate.delivery/x.png')).toBe('output_rejected');
    expect(bad('https://replicate.delivery.evil.com/x.png')).toBe('output_rejected');
    expect(bad('https://evilreplicate.delivery/x.png')).toBe('output_rejected');
    expect(bad('https://127.0.0.1/x.png')).toBe('output_rejected');
    expect(bad('http://localhost:8080/x.png')).toBe('output_rejected');
    expect(bad('http://127.0.0.1:8080/x.png', ['127.0.0.1:8080'])).toBe('allowed');
    expect(bad('http://127.0.0.1:8081/x.png', ['127.0.0.1:8080'])).toBe('output_rejected');
    expect(bad('http://10.0.0.5/x.png', ['10.0.0.5'])).toBe('output_rejected'); // http only for loopback
    expect(bad('https://user:pw@replicate.delivery/x.png')).toBe('output_rejected');
    expect(bad('file:///etc/passwd')).toBe('output_rejected');
    expect(bad('not a url')).toBe('output_rejected');
  });

  it('standalone downloadOutput defaults to replicate.delivery only', async () => {
    const url = await outputWith('normal');
    const e = await replicateErrorOf(downloadOutput(url));
    expect(e.code).toBe('output_rejected');
  });
});

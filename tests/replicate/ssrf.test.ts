import sharp from 'sharp';
import {
  createReplicateGateway,
  downloadOutput,
  forbiddenRange,
  outputUrls,
  type ResolveHost,
} from '../../plugins/product-gallery/server/src/replicate';
import { replicateErrorOf } from '../support/replicate-error';
import { startFakeReplicate, type FakeReplicate, type OutputMode } from '../support/fake-replicate';

const MODEL = 'black-forest-labs/flux-kontext-pro';

/** A resolver answering from a table, counting what it was asked (the seam the gateway's config takes). */
const table = (answers: Record<string, string[]>) => {
  const asked: string[] = [];
  const resolve: ResolveHost = async (host) => {
    asked.push(host);
    const list = answers[host];
    if (!list) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, asked };
};

describe('output downloads go only to public addresses (SSRF)', () => {
  let fake: FakeReplicate;
  let port: string;

  beforeAll(async () => {
    fake = await startFakeReplicate({ scenario: { latencyMs: 20, startDelayMs: 5 } });
    port = fake.outputHost.split(':')[1]!;
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.resetScenario());

  const gateway = (allowedOutputHosts: string[], resolveHost?: ResolveHost) =>
    createReplicateGateway({ apiToken: fake.token, baseUrl: fake.url, allowedOutputHosts, resolveHost, downloadTimeoutMs: 3000 });

  async function outputWith(mode: OutputMode, extra: Parameters<FakeReplicate['setScenario']>[0] = {}): Promise<string> {
    fake.setScenario({ output: mode, ...extra });
    const { prediction } = await gateway([fake.outputHost]).createPrediction({ model: MODEL, input: { prompt: mode }, tag: `ssrf-${mode}`, preferWaitSec: 5 });
    expect(prediction.status).toBe('succeeded');
    return outputUrls(prediction)[0]!;
  }


  const deliveries = () => fake.requests.filter((r) => r.path.startsWith('/delivery/')).length;

  it('classifies addresses: only public unicast passes, IPv4-mapped IPv6 judged as its IPv4', () => {
    const verdicts = Object.fromEntries(
      [
        '8.8.8.8',
        '151.101.1.1',
        '2606:4700::1111',
        '::ffff:8.8.8.8',
        '127.0.0.1',
        '127.1.2.3',
        '10.0.0.1',
        '172.16.5.4',
        '192.168.1.1',
        '100.64.0.1',
        '169.254.169.254',
        '0.0.0.0',
        '::1',
        '::',
        'fe80::1',
        'fd00::1',
        'fc00::1',
        '::ffff:127.0.0.1',
        '::ffff:a9fe:a9fe',
        '::ffff:10.0.0.1',
        'not-an-ip',
      ].map((a) => [a, forbiddenRange(a)])
    );
    expect(verdicts).toEqual({
      '8.8.8.8': null,
      '151.101.1.1': null,
      '2606:4700::1111': null,
      '::ffff:8.8.8.8': null,
      '127.0.0.1': 'loopback',
      '127.1.2.3': 'loopback',
      '10.0.0.1': 'private',
      '172.16.5.4': 'private',
      '192.168.1.1': 'private',
      '100.64.0.1': 'carrierGradeNat',
      '169.254.169.254': 'linkLocal',
      '0.0.0.0': 'unspecified',
      '::1': 'loopback',
      '::': 'unspecified',
      'fe80::1': 'linkLocal',
      'fd00::1': 'uniqueLocal',
      'fc00::1': 'uniqueLocal',
      '::ffff:127.0.0.1': 'loopback',
      '::ffff:a9fe:a9fe': 'linkLocal',
      '::ffff:10.0.0.1': 'private',
      'not-an-ip': 'invalid',
    });
  });

  it.each([
    ['127.0.0.1', /loopback/],
    ['10.0.0.1', /private network/],
    ['169.254.169.254', /link-local/],
    ['fd12:3456::1', /unique-local/],
    ['::ffff:127.0.0.1', /loopback/],
    ['::ffff:169.254.169.254', /link-local/],
    ['0.0.0.0', /unspecified/],
  ])('refuses an allowed name that resolves to %s, before connecting', async (address, words) => {
    const dns = table({ 'x.replicate.delivery': [address] });
    const before = deliveries();
    const e = await replicateErrorOf(gateway(['replicate.delivery', '*.replicate.delivery'], dns.resolve).downloadOutput(`https://x.replicate.delivery:${port}/delivery/normal/a/out-0.png`));
    expect(e.code).toBe('output_rejected');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(words);
    expect(e.message).toContain('x.replicate.delivery');
    expect(dns.asked).toEqual(['x.replicate.delivery']);
    expect(deliveries()).toBe(before);
  });

  it('refuses a name with one public and one private address (no choosing between them)', async () => {
    const dns = table({ 'x.replicate.delivery': ['151.101.1.1', '10.0.0.1'] });
    const e = await replicateErrorOf(downloadOutput('https://x.replicate.delivery/out.png', { resolve: dns.resolve }));
    expect(e.code).toBe('output_rejected');
    expect(e.message).toMatch(/private network/);
  });

  it('refuses the metadata address even when it is listed as an allowed host', async () => {
    const dns = table({});
    const e = await replicateErrorOf(downloadOutput('https://169.254.169.254/latest/meta-data/iam', { allowedHosts: ['169.254.169.254'], resolve: dns.resolve, timeoutMs: 3000 }));
    expect(e.code).toBe('output_rejected');
    expect(e.message).toMatch(/link-local/);
    expect(dns.asked).toEqual([]);
  });

  it('refuses a redirect from an allowed host to a name that resolves to a private address', async () => {
    const url = await outputWith('redirect-to', { redirectLocation: 'https://cdn.replicate.delivery/latest/meta-data/' });
    const dns = table({ 'cdn.replicate.delivery': ['10.0.0.1'] });
    const before = deliveries();
    const e = await replicateErrorOf(gateway([fake.outputHost, '*.replicate.delivery'], dns.resolve).downloadOutput(url));
    expect(e.code).toBe('output_rejected');
    expect(e.message).toMatch(/cdn\.replicate\.delivery resolves to a private network address/);
    // The first hop was fetched (the allowed, listed loopback host), the redirect's target never.
    expect(deliveries()).toBe(before + 1);
    expect(dns.asked).toEqual(['cdn.replicate.delivery']);
  });

  it('refuses a redirect to the metadata service by address', async () => {
    const url = await outputWith('redirect-to', { redirectLocation: 'http://169.254.169.254/latest/meta-data/' });
    const e = await replicateErrorOf(gateway([fake.outputHost, '169.254.169.254']).downloadOutput(url));
    expect(e.code).toBe('output_rejected');
  });

  it('connects to the address it checked: a listed loopback name is resolved once per hop, by the seam only', async () => {
    // `pinned.localhost` exists only in this resolver: a second lookup by the system would fail.
    const dns = table({ 'pinned.localhost': ['127.0.0.1'] });
    const url = (await outputWith('redirect-allowed')).replace('127.0.0.1', 'pinned.localhost');
    const out = await gateway([`pinned.localhost:${port}`], dns.resolve).downloadOutput(url);
    expect((await sharp(out.bytes).metadata()).format).toBe('png');
    expect(out.redirects).toBe(1);
    expect(dns.asked).toEqual(['pinned.localhost', 'pinned.localhost']);
  });

  it('re-checks every hop: a name that rebinds to a private address after the first hop is refused', async () => {
    let calls = 0;
    const rebinding: ResolveHost = async () => [{ address: calls++ === 0 ? '127.0.0.1' : '10.0.0.1', family: 4 }];
    const url = (await outputWith('redirect-allowed')).replace('127.0.0.1', 'pinned.localhost');
    const before = deliveries();
    const e = await replicateErrorOf(gateway([`pinned.localhost:${port}`], rebinding).downloadOutput(url));
    expect(e.code).toBe('output_rejected');
    expect(e.message).toMatch(/private network/);
    expect(deliveries()).toBe(before + 1);
  });

  it('a loopback address listed exactly still works (the fake server), and a listed loopback name may not lead to a private address', async () => {
    const url = await outputWith('normal');
    const out = await gateway([fake.outputHost]).downloadOutput(url);
    expect(out.bytes.length).toBeGreaterThan(0);
    const dns = table({ 'pinned.localhost': ['192.168.0.10'] });
    const e = await replicateErrorOf(gateway([`pinned.localhost:${port}`], dns.resolve).downloadOutput(url.replace('127.0.0.1', 'pinned.localhost')));
    expect(e.message).toMatch(/private network/);
  });
});

import { gatewayFromConfig, parseConfig, redactedConfig, ReplicateError, scrubSecrets } from '../../plugins/product-gallery/server/src/replicate';
import { startFakeReplicate } from '../support/fake-replicate';

describe('parseConfig / redactedConfig', () => {
  const token = 'r8_ConfigTestToken0123456789abcdef';
  const secret = `whsec_${Buffer.from('webhook signing key 32 bytes!!!!').toString('base64')}`;

  it('applies defaults', () => {
    const c = parseConfig({ REPLICATE_API_TOKEN: token });
    expect(c.baseUrl).toBe('https://api.replicate.com/v1');
    expect(c.allowedOutputHosts).toEqual(['replicate.delivery', '*.replicate.delivery']);
    expect(c.webhookBaseUrl).toBeUndefined();
    expect(c.requestTimeoutMs).toBe(30_000);
    expect(c.preferWaitSec).toBe(0);
  });

  it('parses every key, strings or numbers', () => {
    const c = parseConfig({
      REPLICATE_API_TOKEN: ` ${token} `,
      REPLICATE_BASE_URL: 'http://127.0.0.1:9999/v1/',
      REPLICATE_ALLOWED_OUTPUT_HOSTS: 'replicate.delivery, 127.0.0.1:9999 ,',
      REPLICATE_WEBHOOK_BASE_URL: 'https://shop.example.com/api/product-gallery/webhooks/replicate',
      REPLICATE_WEBHOOK_SECRET: secret,
      REPLICATE_REQUEST_TIMEOUT_MS: '5000',
      REPLICATE_PREFER_WAIT_SEC: 30,
      UNRELATED: 'ignored',
    });
    expect(c.apiToken).toBe(token);
    expect(c.baseUrl).toBe('http://127.0.0.1:9999/v1');
    expect(c.allowedOutputHosts).toEqual(['replicate.delivery', '127.0.0.1:9999']);
    expect(c.requestTimeoutMs).toBe(5000);
    expect(c.preferWaitSec).toBe(30);
    expect(c.webhookSecret).toBe(secret);
  });

  it('rejects invalid values with the key names and never the token', () => {
    let err: unknown;
    try {
      parseConfig({ REPLICATE_API_TOKEN: token, REPLICATE_BASE_URL: 'ftp://x', REPLICATE_PREFER_WAIT_SEC: '61', REPLICATE_WEBHOOK_SECRET: 'nope' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReplicateError);
    const msg = (err as ReplicateError).message;
    expect((err as ReplicateError).code).toBe('config_invalid');
    expect(msg).toContain('REPLICATE_BASE_URL');
    expect(msg).toContain('REPLICATE_PREFER_WAIT_SEC');
    expect(msg).toContain('REPLICATE_WEBHOOK_SECRET');
    expect(msg).not.toContain(token);
  });

  it('redactedConfig shows only whether secrets are configured', () => {
    const r = redactedConfig(parseConfig({ REPLICATE_API_TOKEN: token, REPLICATE_WEBHOOK_SECRET: secret }));
    expect(r.apiToken).toEqual({ configured: true });
    expect(r.webhookSecret).toEqual({ configured: true });
    const json = JSON.stringify(r);
    expect(json).not.toContain(token);
    expect(json).not.toContain(secret);
    expect(redactedConfig(parseConfig({})).apiToken).toEqual({ configured: false });
  });

  it('scrubSecrets masks registered and token-shaped secrets', () => {
    parseConfig({ REPLICATE_API_TOKEN: token });
    expect(scrubSecrets(`failed with ${token}`)).toBe('failed with [redacted]');
    expect(scrubSecrets('Authorization: Bearer r8_abcdefghijklmnop')).not.toContain('r8_abcdefghijklmnop');
  });

  it('gatewayFromConfig talks to the configured base URL', async () => {
    const fake = await startFakeReplicate();
    try {
      const gw = gatewayFromConfig(parseConfig({ REPLICATE_API_TOKEN: fake.token, REPLICATE_BASE_URL: fake.url }));
      expect(await gw.getWebhookSecret()).toBe(fake.webhookSecret);
      expect(() => gatewayFromConfig(parseConfig({}))).toThrow(/No Replicate API token/);
    } finally {
      await fake.close();
    }
  });
});

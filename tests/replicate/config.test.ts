import pluginConfig, { configSchema } from '../../plugins/product-gallery/server/src/config';
import { configFromEnv } from '../../plugins/product-gallery/server/src/config/env';
import {
  createReplicateGateway,
  DEFAULT_ALLOWED_OUTPUT_HOSTS,
  DEFAULT_BASE_URL,
  registerSecret,
  scrubSecrets,
} from '../../plugins/product-gallery/server/src/replicate';
import { startFakeReplicate } from '../support/fake-replicate';

/** The gateway is configured by the plugin's one config schema, from the environment or config/plugins.ts. */
describe('Replicate settings: the plugin config is the one schema', () => {
  const token = 'r8_ConfigTestToken0123456789abcdef';

  it('defaults to the gateway’s own defaults', () => {
    const { replicate } = configSchema.parse({});
    expect(replicate.baseUrl).toBe(DEFAULT_BASE_URL);
    expect(replicate.allowedOutputHosts).toEqual([...DEFAULT_ALLOWED_OUTPUT_HOSTS]);
  });

  it('reads every Replicate variable from the environment, lists comma-separated', () => {
    const { replicate } = configSchema.parse(
      configFromEnv({
        REPLICATE_API_TOKEN: ` ${token} `,
        REPLICATE_BASE_URL: 'http://127.0.0.1:9999/v1',
        REPLICATE_ALLOWED_OUTPUT_HOSTS: 'replicate.delivery, 127.0.0.1:9999 ,',
        UNRELATED: 'ignored',
      })
    );
    expect(replicate.apiToken).toBe(token);
    expect(replicate.baseUrl).toBe('http://127.0.0.1:9999/v1');
    expect(replicate.allowedOutputHosts).toEqual(['replicate.delivery', '127.0.0.1:9999']);
  });

  it('refuses a base URL that is not one, naming the setting and never the token', () => {
    expect(() => pluginConfig.validator({ replicate: { apiToken: token, baseUrl: 'not a url' } })).toThrow(/replicate\.baseUrl/);
    try {
      pluginConfig.validator({ replicate: { apiToken: token, baseUrl: 'not a url' } });
    } catch (e) {
      expect((e as Error).message).not.toContain(token);
    }
  });

  it('scrubSecrets masks registered and token-shaped secrets', () => {
    registerSecret(token);
    expect(scrubSecrets(`failed with ${token}`)).toBe('failed with [redacted]');
    expect(scrubSecrets('Authorization: Bearer r8_abcdefghijklmnop')).not.toContain('r8_abcdefghijklmnop');
  });

  it('a gateway built from the parsed settings talks to the configured base URL', async () => {
    const fake = await startFakeReplicate();
    try {
      const { replicate } = configSchema.parse(configFromEnv({ REPLICATE_API_TOKEN: fake.token, REPLICATE_BASE_URL: fake.url }));
      const gw = createReplicateGateway({ apiToken: replicate.apiToken, baseUrl: replicate.baseUrl });
      expect(await gw.getWebhookSecret()).toBe(fake.webhookSecret);
    } finally {
      await fake.close();
    }
  });
});

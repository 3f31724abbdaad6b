import { startApp, type TestApp } from '../support/strapi';
import { getConfig } from '../../plugins/product-gallery/server/src/utils/get-service';

/**
 * The plugin reads its own settings from the environment: the app's config/plugins.ts maps none of
 * them, as a host app that pasted the README's entry would not.
 */
describe("the plugin's settings from the environment", () => {
  let app: TestApp | undefined;
  const set: string[] = [];
  const env = (vars: Record<string, string>) => {
    set.push(...Object.keys(vars));
    return vars;
  };

  afterEach(async () => {
    await app?.stop();
    app = undefined;
    for (const name of set.splice(0)) delete process.env[name];
  });

  it('GALLERY_PUBLIC=false keeps galleries closed to the Public role', async () => {
    app = await startApp({ env: env({ GALLERY_PUBLIC: 'false' }) });
    const res = await app.http.get('/api/product-gallery/galleries/no-such-product');
    expect(res.status).toBe(403);
  });

  it('galleries are open to the Public role when it is not set (an unknown slug is a 404, not a 403)', async () => {
    app = await startApp();
    const res = await app.http.get('/api/product-gallery/galleries/no-such-product');
    expect(res.status).toBe(404);
  });

  it('a malformed number stops the boot and names the variable', async () => {
    await expect(startApp({ env: env({ PRODUCT_GALLERY_CONCURRENCY: 'four' }) })).rejects.toThrow(
      /PRODUCT_GALLERY_CONCURRENCY must be a whole number, not "four"/
    );
  });

  it('a list is read from comma-separated hosts, and replaces the default list whole', async () => {
    app = await startApp({ env: env({ REPLICATE_ALLOWED_OUTPUT_HOSTS: 'cdn.example.com, *.example.net' }) });
    expect(getConfig(app.strapi).replicate.allowedOutputHosts).toEqual(['cdn.example.com', '*.example.net']);
  });
});

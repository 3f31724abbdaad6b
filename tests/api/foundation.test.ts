import { startApp, adminSession, type TestApp } from '../support/strapi';

describe('foundation: the app boots with the plugin', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('registers the content types with their fields', () => {
    const product = app.strapi.contentType('plugin::product-gallery.product');
    expect(Object.keys(product.attributes)).toEqual(
      expect.arrayContaining(['title', 'slug', 'sku', 'category', 'metal', 'stones', 'dimensions', 'description', 'sourcePhoto', 'brief', 'assets'])
    );
  });

  it('seeds briefs', async () => {
    const s = await adminSession(app);
    const res = await app.http.get('/product-gallery/briefs').set(s.auth);
    expect(res.status).toBe(200);
    expect(res.body.data.map((b: any) => b.name).sort()).toEqual(['Bracelets', 'Earrings', 'Necklaces', 'Pendants', 'Rings']);
  });
});

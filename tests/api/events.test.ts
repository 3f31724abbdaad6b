import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createAsset, createProduct, move, stopWorker, uploadPhoto } from '../support/fixtures';

interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: any;
}

describe('events: Strapi webhooks receive product-gallery events', () => {
  let app: TestApp;
  let admin: AdminSession;
  let server: http.Server;
  let url: string;
  const deliveries: Delivery[] = [];
  const waiters: Array<() => void> = [];

  const waitFor = async (pred: (d: Delivery[]) => boolean, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!pred(deliveries)) {
      if (Date.now() > deadline) throw new Error(`no matching delivery; got ${JSON.stringify(deliveries.map((d) => d.body))}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        deliveries.push({ headers: req.headers, body: JSON.parse(raw || 'null') });
        res.writeHead(200).end('ok');
        waiters.splice(0).forEach((w) => w());
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    app = await startApp();
    await stopWorker(app);
    admin = await adminSession(app);
  });
  afterAll(async () => {
    await app?.stop();
    await new Promise((r) => server.close(r));
  });

  it('offers the events to webhooks and rejects unknown ones', async () => {
    const store = app.strapi.get('webhookStore') as any;
    expect(store.listAllowedEvents()).toEqual(
      expect.arrayContaining(['PRODUCT_GALLERY_ASSET_PUBLISHED', 'PRODUCT_GALLERY_ASSET_ARCHIVED', 'PRODUCT_GALLERY_GALLERY_CHANGED'])
    );
    const bad = await app.http
      .post('/admin/webhooks')
      .set(admin.auth)
      .send({ name: 'bad', url, headers: {}, events: ['product-gallery.asset.exploded'] });
    expect(bad.status).toBe(400);
  });

  it('delivers asset.published, asset.archived and gallery.changed to a webhook made in the admin', async () => {
    const created = await app.http
      .post('/admin/webhooks')
      .set(admin.auth)
      .send({
        name: 'storefront revalidate',
        url,
        headers: { 'x-secret': 'shh' },
        events: ['product-gallery.asset.published', 'product-gallery.asset.archived', 'product-gallery.gallery.changed'],
      });
    expect(created.status).toBe(201);

    const file = await uploadPhoto(app);
    const product = await createProduct(app, { sourcePhoto: file.id });
    const first = await createAsset(app, { product, role: 'clean', status: 'approved', file });
    const pub = await app.http.post(`/product-gallery/assets/${first.documentId}/transition`).set(admin.auth).send({ to: 'published', version: 1 });
    expect(pub.status).toBe(200);
    await waitFor((d) => d.some((x) => x.body.event === 'product-gallery.gallery.changed'));
    const published = deliveries.find((d) => d.body.event === 'product-gallery.asset.published')!;
    expect(published.headers['x-strapi-event']).toBe('product-gallery.asset.published');
    expect(published.headers['x-secret']).toBe('shh');
    expect(published.body).toMatchObject({ asset: first.documentId, product: product.documentId, role: 'clean', from: 'approved', to: 'published' });
    expect(new Date(published.body.createdAt).toString()).not.toBe('Invalid Date');
    const changed = deliveries.find((d) => d.body.event === 'product-gallery.gallery.changed')!;
    expect(changed.body).toMatchObject({ product: product.documentId, slug: product.slug });

    // Replacing it archives the first one: its archive is delivered too.
    deliveries.length = 0;
    const second = await createAsset(app, { product, role: 'clean', status: 'approved', file });
    await move(app, second.documentId, 'published');
    await waitFor((d) => d.some((x) => x.body.event === 'product-gallery.asset.archived') && d.some((x) => x.body.event === 'product-gallery.gallery.changed'));
    expect(deliveries.find((d) => d.body.event === 'product-gallery.asset.archived')!.body).toMatchObject({
      asset: first.documentId,
      product: product.documentId,
      to: 'archived',
    });

    // A plain status change (submit) is not a gallery event.
    deliveries.length = 0;
    const draft = await createAsset(app, { product, role: 'model', status: 'draft', file });
    await move(app, draft.documentId, 'in_review');
    await new Promise((r) => setTimeout(r, 500));
    expect(deliveries).toEqual([]);
  });

  it('delivers media.create for a file the plugin stores as Strapi does for its own uploads: without private fields', async () => {
    const created = await app.http.post('/admin/webhooks').set(admin.auth).send({ name: 'media', url, headers: {}, events: ['media.create'] });
    expect(created.status).toBe(201);
    deliveries.length = 0;
    const photo = await uploadPhoto(app);
    // Saving a product with a source photo stores its cutout preview in the Media Library.
    const product = await app.http
      .post('/content-manager/collection-types/plugin::product-gallery.product')
      .set(admin.auth)
      .send({ title: 'Media event studs', sku: 'MEDIA-EVENT-1', category: 'earrings', metal: 'silver', sourcePhoto: photo.id });
    expect(product.status).toBe(201);
    const media = () => deliveries.filter((d) => d.body.event === 'media.create').map((d) => d.body.media);
    await waitFor(() => media().some((m) => m.id === photo.id) && media().some((m) => m.id !== photo.id));
    const own = media().find((m) => m.id === photo.id);
    const stored = media().find((m) => m.id !== photo.id);
    expect(stored.caption).toBe('product-gallery cutout preview');
    expect(own).not.toHaveProperty('folderPath');
    expect(stored).not.toHaveProperty('folderPath');
  });
});

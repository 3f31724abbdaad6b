import { startApp, adminSession, type TestApp } from '../support/strapi';
import { demoHost, ensureDemoAdmin } from '../../scripts/demo/admin';
import { seedDemo, DEMO_STAGES } from '../../scripts/demo/seed';

/**
 * `npm run demo` makes a super admin: nobody may know its password in advance, and the demo is
 * reachable from this machine only unless HOST says otherwise.
 */
describe('the demo admin', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  const login = (email: string, password: string) => app.http.post('/admin/login').send({ email, password });

  it('gets a random password, shown once, that logs in; the old fixed one does not', async () => {
    const created = await ensureDemoAdmin(app.strapi, {});
    expect(created.email).toBe('admin@example.com');
    expect(created.password).toEqual(expect.any(String));
    expect(created.password).not.toBe('Admin-1234');
    expect(created.password!.length).toBeGreaterThanOrEqual(16);
    expect((await login(created.email, created.password!)).status).toBe(200);
    expect((await login(created.email, 'Admin-1234')).status).toBe(400);
    // On the next start the admin exists: no password to show, and it is unchanged.
    expect(await ensureDemoAdmin(app.strapi, {})).toEqual({ email: created.email, password: null });
    expect((await login(created.email, created.password!)).status).toBe(200);
  });

  it('takes ADMIN_EMAIL and ADMIN_PASSWORD when they are set, and never the same random password twice', async () => {
    await app.strapi.db.query('admin::user').deleteMany({});
    const chosen = await ensureDemoAdmin(app.strapi, { ADMIN_EMAIL: 'owner@example.com', ADMIN_PASSWORD: 'Chosen-Pass-42' });
    expect(chosen).toEqual({ email: 'owner@example.com', password: 'Chosen-Pass-42' });
    expect((await login('owner@example.com', 'Chosen-Pass-42')).status).toBe(200);

    await app.strapi.db.query('admin::user').deleteMany({});
    const first = (await ensureDemoAdmin(app.strapi, {})).password;
    await app.strapi.db.query('admin::user').deleteMany({});
    const second = (await ensureDemoAdmin(app.strapi, {})).password;
    expect(first).not.toBe(second);
  });

  it('listens on 127.0.0.1 unless HOST is set', () => {
    expect(demoHost({})).toBe('127.0.0.1');
    expect(demoHost({ HOST: '' })).toBe('127.0.0.1');
    expect(demoHost({ HOST: '0.0.0.0' })).toBe('0.0.0.0');
  });

  it('seeds one product with a published gallery the storefront serves, and the others approved, in review and in draft', async () => {
    // twenty shots made and checked offline, on whatever cores the machine spares
    const seeded = await seedDemo(app.strapi);
    expect(seeded.sort()).toEqual(Object.keys(DEMO_STAGES).sort());
    const products = await app.strapi.db.query('plugin::product-gallery.product').findMany({ populate: { assets: { select: ['role', 'status'] } } });
    const statuses = (sku: string) => new Set(products.find((p: any) => p.sku === sku).assets.map((a: any) => a.status));
    for (const [sku, stage] of Object.entries(DEMO_STAGES)) expect([sku, statuses(sku).has(stage)]).toEqual([sku, true]);

    const published = products.find((p: any) => DEMO_STAGES[p.sku] === 'published');
    const gallery = await app.http.get(`/api/product-gallery/galleries/${published.slug}`);
    expect(gallery.status).toBe(200);
    // every slot a required role fills: the size guide stands in gallery-2 for the model shot, a scene preview
    expect(gallery.body.data.slots.map((s: any) => [s.slot, s.role])).toEqual([
      ['grid', 'clean'],
      ['hero', 'clean'],
      ['gallery-2', 'size'],
      ['gallery-3', 'detail'],
    ]);
    const admin = await adminSession(app);
    const readiness = await app.http.get(`/product-gallery/products/${published.documentId}/readiness`).set(admin.auth);
    expect(readiness.body.data.summary.ready).toBe(true);
    // the others have nothing published: the storefront does not know them
    for (const p of products.filter((x: any) => DEMO_STAGES[x.sku] !== 'published')) {
      expect([p.sku, (await app.http.get(`/api/product-gallery/galleries/${p.slug}`)).status]).toEqual([p.sku, 404]);
    }
    // a second start seeds nothing again
    expect(await seedDemo(app.strapi)).toEqual([]);
  }, 15 * 60_000);
});

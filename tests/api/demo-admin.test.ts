import { startApp, type TestApp } from '../support/strapi';
import { demoHost, ensureDemoAdmin } from '../../scripts/demo/admin';

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
});

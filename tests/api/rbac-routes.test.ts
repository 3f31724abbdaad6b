import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createAsset, createProduct, stopWorker, uploadPhoto } from '../support/fixtures';
import adminRoutes from '../../plugins/product-gallery/server/src/routes/admin';
import { ACTIONS } from '../../plugins/product-gallery/server/src/bootstrap/permissions-setup';

interface Variant {
  route: string;
  method: string;
  path: string;
  /** Every action the request needs. */
  needs: string[];
  body: Record<string, unknown>;
}

const policiesOf = (route: any): any[] => route.config?.policies ?? [];
const policy = (route: any, name: string) => policiesOf(route).find((p) => typeof p === 'object' && p.name === name);

/**
 * The table is read from routes/admin itself, so a route added there is checked here without
 * anyone remembering to: its RBAC action (admin::hasPermissions) and, for a route whose
 * authorization depends on the body (can-transition), one variant per target with that target's
 * action.
 */
const variants: Variant[] = adminRoutes.routes.flatMap((route: any): Variant[] => {
  const base = policy(route, 'admin::hasPermissions')?.config?.actions ?? [];
  const id = `${route.method} ${route.path}`;
  const transition = policy(route, 'plugin::product-gallery.can-transition');
  if (transition) {
    return Object.entries(transition.config.actions as Record<string, string>).map(([to, action]) => ({
      route: `${id} to ${to}`,
      method: route.method,
      path: route.path,
      needs: [...new Set([...base, action])],
      body: { to, version: 1, note: 'a note' },
    }));
  }
  // A body-dependent route must declare its checks here: one left to its controller would look,
  // from the table, as if the route's own action were enough.
  const body = route.path.endsWith('/transition') ? { to: 'in_review', version: 1 } : {};
  return [{ route: id, method: route.method, path: route.path, needs: base, body }];
});

const ALL = Object.values(ACTIONS);

describe('rbac: every admin route, every action, every role', () => {
  let app: TestApp;
  const sessions: Array<{ label: string; session: AdminSession; has: Set<string> }> = [];
  let ids: Record<string, string>;

  const roleWith = async (name: string, actions: string[]) => {
    const roles = app.strapi.service('admin::role') as any;
    const role = await roles.create({ name, description: name });
    if (actions.length) await roles.addPermissions(role.id, actions.map((action) => ({ action, subject: null, properties: {}, conditions: [] })));
    const { code } = await app.strapi.db.query('admin::role').findOne({ where: { id: role.id } });
    return adminSession(app, { roleCode: code });
  };
  const actionsOf = async (code: string) => {
    const role = await app.strapi.db.query('admin::role').findOne({ where: { code } });
    const perms = await app.strapi.db.query('admin::permission').findMany({ where: { role: role.id }, select: ['action'] });
    return new Set<string>(perms.map((p: { action: string }) => p.action));
  };

  beforeAll(async () => {
    app = await startApp();
    await stopWorker(app);
    // A product with no source photo: the routes that would analyse or generate answer at once
    // (422), which is all this test needs to tell "allowed" from "forbidden".
    const product = await createProduct(app);
    const file = await uploadPhoto(app);
    const asset = await createAsset(app, { product, role: 'clean', status: 'draft', file });
    const briefs = await app.strapi.plugin('product-gallery').service('briefs').list();
    ids = { products: product.documentId, assets: asset.documentId, briefs: briefs[0].documentId };

    for (const action of ALL) {
      sessions.push({ label: `only ${action}`, session: await roleWith(`Only ${action}`, [action]), has: new Set([action]) });
      const rest = ALL.filter((a) => a !== action);
      sessions.push({ label: `all but ${action}`, session: await roleWith(`All but ${action}`, rest), has: new Set(rest) });
    }
    for (const code of ['strapi-author', 'strapi-editor', 'strapi-super-admin']) {
      sessions.push({ label: code, session: await adminSession(app, { roleCode: code }), has: await actionsOf(code) });
    }
  });
  afterAll(async () => {
    await app?.stop();
  });

  const url = (v: Variant) => `/product-gallery${v.path.replace(':documentId', ids[v.path.split('/')[1]])}`;
  const send = (v: Variant, auth?: Record<string, string>) => {
    const req = (app.http as any)[v.method.toLowerCase()](url(v));
    return (auth ? req.set(auth) : req).send(v.body);
  };

  it('reads a table of every admin route from the routes file, each with its actions', () => {
    expect(variants.length).toBeGreaterThanOrEqual(adminRoutes.routes.length);
    for (const v of variants) {
      expect([v.route, v.needs.length > 0]).toEqual([v.route, true]);
      for (const a of v.needs) expect([v.route, ALL]).toEqual([v.route, expect.arrayContaining([a])]);
    }
    // Moving an image needs the target's action, declared on the route.
    expect(variants.filter((v) => v.path.endsWith('/transition')).map((v) => v.body.to).sort()).toEqual(['approved', 'archived', 'in_review', 'published', 'queued', 'rejected']);
  });

  it('gives 403 to every role that lacks a route action, and lets every role that has them through', async () => {
    const outcomes: string[] = [];
    for (const v of variants) {
      for (const { label, session, has } of sessions) {
        const allowed = v.needs.every((a) => has.has(a));
        const res = await send(v, session.auth);
        const ok = allowed ? ![401, 403].includes(res.status) : res.status === 403;
        if (!ok) outcomes.push(`${v.route} as ${label}: ${res.status} (${allowed ? 'should pass' : 'should be 403'}) ${res.body?.error?.message ?? ''}`);
        if (!allowed && res.status === 403) expect([v.route, label, typeof res.body?.error?.message]).toEqual([v.route, label, 'string']);
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('says which action a transition needs', async () => {
    const author = sessions.find((s) => s.label === 'strapi-author')!;
    const res = await send(variants.find((v) => v.body.to === 'published')!, author.session.auth);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/may not move images to published \(needs plugin::product-gallery\.publish\)/);
  });

  it('answers 401 to every route without a session', async () => {
    for (const v of variants) expect([v.route, (await send(v)).status]).toEqual([v.route, 401]);
  });
});

import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createAsset, createProduct, stopWorker, uploadPhoto, UID } from '../support/fixtures';

describe('rbac: every review/publishing route checks the plugin actions', () => {
  let app: TestApp;
  let author: AdminSession;
  let editor: AdminSession;
  let file: { id: number; width: number; height: number };
  let product: { id: number; documentId: string };

  beforeAll(async () => {
    app = await startApp();
    await stopWorker(app);
    author = await adminSession(app, { roleCode: 'strapi-author' });
    editor = await adminSession(app, { roleCode: 'strapi-editor' });
    file = await uploadPhoto(app);
    product = await createProduct(app, { sourcePhoto: file.id });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const transition = (s: AdminSession, documentId: string, body: Record<string, unknown>) =>
    app.http.post(`/product-gallery/assets/${documentId}/transition`).set(s.auth).send(body);
  const row = (documentId: string) => app.strapi.db.query(UID.asset).findOne({ where: { documentId } });

  it('an Author can read and submit, but gets 403 on approve, reject, publish and archive (nothing changes)', async () => {
    const a = await createAsset(app, { product, role: 'clean', status: 'draft', file });
    expect((await app.http.get('/product-gallery/assets').set(author.auth)).status).toBe(200);
    expect((await app.http.get(`/product-gallery/assets/${a.documentId}`).set(author.auth)).status).toBe(200);
    expect((await app.http.get(`/product-gallery/products/${product.documentId}/readiness`).set(author.auth)).status).toBe(200);

    const submit = await transition(author, a.documentId, { to: 'in_review', version: 1 });
    expect(submit.status).toBe(200);
    expect(submit.body.data).toMatchObject({ status: 'in_review', version: 2 });

    const review = await app.http.get(`/product-gallery/assets/${a.documentId}`).set(author.auth);
    expect(review.body.data.moves).toEqual([
      expect.objectContaining({ to: 'approved', permitted: false }),
      expect.objectContaining({ to: 'rejected', permitted: false }),
    ]);

    const approve = await transition(author, a.documentId, { to: 'approved', version: 2 });
    expect(approve.status).toBe(403);
    const reject = await transition(author, a.documentId, { to: 'rejected', version: 2, note: 'no' });
    expect(reject.status).toBe(403);
    expect(await row(a.documentId)).toMatchObject({ status: 'in_review', version: 2 });

    const approved = await createAsset(app, { product, role: 'clean', status: 'approved', file });
    const publish = await transition(author, approved.documentId, { to: 'published', version: 1 });
    expect(publish.status).toBe(403);
    expect(await row(approved.documentId)).toMatchObject({ status: 'approved', version: 1 });

    const published = await createAsset(app, { product, role: 'detail', status: 'published', file });
    expect((await transition(author, published.documentId, { to: 'archived', version: 1 })).status).toBe(403);
    const audits = await app.strapi.db.query(UID.audit).findMany({ where: { actor: author.user.email } });
    expect(audits.map((e: any) => e.to)).toEqual(['in_review']);
  });

  it('an Author can send a rejected or failed image back to the queue (generate)', async () => {
    const a = await createAsset(app, { product, role: 'model', status: 'failed', file });
    expect((await transition(author, a.documentId, { to: 'queued', version: 1 })).status).toBe(200);
  });

  it('an Editor can submit, approve, publish and archive', async () => {
    const a = await createAsset(app, { product, role: 'lifestyle', status: 'draft', file });
    expect((await transition(editor, a.documentId, { to: 'in_review', version: 1 })).status).toBe(200);
    expect((await transition(editor, a.documentId, { to: 'approved', version: 2 })).status).toBe(200);
    const pub = await transition(editor, a.documentId, { to: 'published', version: 3 });
    expect(pub.status).toBe(200);
    expect(pub.body.data).toMatchObject({ status: 'published', slot: 'campaign' });
    expect((await transition(editor, a.documentId, { to: 'archived', version: 4 })).status).toBe(200);
    const trail = await app.strapi.db.query(UID.audit).findMany({ where: { asset: a.documentId }, orderBy: [{ id: 'asc' }] });
    expect(trail.slice(1).map((e: any) => [e.to, e.actor])).toEqual([
      ['in_review', editor.user.email],
      ['approved', editor.user.email],
      ['published', editor.user.email],
      ['archived', editor.user.email],
    ]);
  });

  it('a role without the plugin read action gets 403 on every admin route; no token gets 401', async () => {
    const role = await app.strapi.service('admin::role').create({ name: 'Nobody', description: 'no plugin permissions' });
    const code = (await app.strapi.db.query('admin::role').findOne({ where: { id: role.id } })).code;
    const nobody = await adminSession(app, { roleCode: code });
    const a = await createAsset(app, { product, role: 'clean', status: 'draft', file });
    const routes: Array<[string, string]> = [
      ['get', '/product-gallery/assets'],
      ['get', `/product-gallery/assets/${a.documentId}`],
      ['post', `/product-gallery/assets/${a.documentId}/transition`],
      ['get', '/product-gallery/products'],
      ['get', `/product-gallery/products/${product.documentId}/readiness`],
      ['get', `/product-gallery/products/${product.documentId}/pack?channel=amazon`],
    ];
    for (const [method, url] of routes) {
      const res = await (app.http as any)[method](url).set(nobody.auth).send({ to: 'in_review', version: 1 });
      expect([url, res.status]).toEqual([url, 403]);
      const anon = await (app.http as any)[method](url).send({ to: 'in_review', version: 1 });
      expect([url, anon.status]).toEqual([url, 401]);
    }
    expect(await row(a.documentId)).toMatchObject({ status: 'draft', version: 1 });
  });
});

import { adminSession } from '../support/strapi';
import { createAsset, UID } from '../support/fixtures';
import { reviewSuite } from '../support/review-suite';

describe('rbac: every review/publishing route checks the plugin actions', () => {
  const suite = reviewSuite();

  const row = (documentId: string) => suite.app.strapi.db.query(UID.asset).findOne({ where: { documentId } });

  it('an Author can read and submit, but gets 403 on approve, reject, publish and archive (nothing changes)', async () => {
    const a = await createAsset(suite.app, { product: suite.product, role: 'clean', status: 'draft', file: suite.file });
    expect((await suite.app.http.get('/product-gallery/assets').set(suite.author.auth)).status).toBe(200);
    expect((await suite.app.http.get(`/product-gallery/assets/${a.documentId}`).set(suite.author.auth)).status).toBe(200);
    expect((await suite.app.http.get(`/product-gallery/products/${suite.product.documentId}/readiness`).set(suite.author.auth)).status).toBe(200);

    const submit = await suite.transition(suite.author, a.documentId, { to: 'in_review', version: 1 });
    expect(submit.status).toBe(200);
    expect(submit.body.data).toMatchObject({ status: 'in_review', version: 2 });

    const review = await suite.app.http.get(`/product-gallery/assets/${a.documentId}`).set(suite.author.auth);
    expect(review.body.data.moves).toEqual([
      expect.objectContaining({ to: 'approved', permitted: false }),
      expect.objectContaining({ to: 'rejected', permitted: false }),
    ]);
    // The review page shows an Author no decision at all: the server says the role makes none.
    expect(review.body.data.decisions).toEqual(review.body.data.moves);

    const approve = await suite.transition(suite.author, a.documentId, { to: 'approved', version: 2 });
    expect(approve.status).toBe(403);
    const reject = await suite.transition(suite.author, a.documentId, { to: 'rejected', version: 2, note: 'no' });
    expect(reject.status).toBe(403);
    expect(await row(a.documentId)).toMatchObject({ status: 'in_review', version: 2 });

    const approved = await createAsset(suite.app, { product: suite.product, role: 'clean', status: 'approved', file: suite.file });
    const publish = await suite.transition(suite.author, approved.documentId, { to: 'published', version: 1 });
    expect(publish.status).toBe(403);
    expect(await row(approved.documentId)).toMatchObject({ status: 'approved', version: 1 });

    const published = await createAsset(suite.app, { product: suite.product, role: 'detail', status: 'published', file: suite.file });
    expect((await suite.transition(suite.author, published.documentId, { to: 'archived', version: 1 })).status).toBe(403);
    const audits = await suite.app.strapi.db.query(UID.audit).findMany({ where: { actor: suite.author.user.email } });
    expect(audits.map((e: any) => e.to)).toEqual(['in_review']);
  });

  it('an Author can send a rejected or failed image back to the queue (generate)', async () => {
    const a = await createAsset(suite.app, { product: suite.product, role: 'model', status: 'failed', file: suite.file });
    expect((await suite.transition(suite.author, a.documentId, { to: 'queued', version: 1 })).status).toBe(200);
  });

  it('an Editor can submit, approve, publish and archive', async () => {
    const a = await createAsset(suite.app, { product: suite.product, role: 'lifestyle', status: 'draft', file: suite.file });
    expect((await suite.transition(suite.editor, a.documentId, { to: 'in_review', version: 1 })).status).toBe(200);
    expect((await suite.transition(suite.editor, a.documentId, { to: 'approved', version: 2 })).status).toBe(200);
    const pub = await suite.transition(suite.editor, a.documentId, { to: 'published', version: 3 });
    expect(pub.status).toBe(200);
    expect(pub.body.data).toMatchObject({ status: 'published', slot: 'campaign' });
    expect((await suite.transition(suite.editor, a.documentId, { to: 'archived', version: 4 })).status).toBe(200);
    // Out of review, an Editor's decisions stay allowed (the review page keeps them in place) and none is offered as a move.
    const review = (await suite.app.http.get(`/product-gallery/assets/${a.documentId}`).set(suite.editor.auth)).body.data;
    expect(review.decisions).toEqual([
      { to: 'approved', action: 'plugin::product-gallery.review', permitted: true },
      { to: 'rejected', action: 'plugin::product-gallery.review', permitted: true },
    ]);
    expect(review.moves).toEqual([]);
    const trail = await suite.app.strapi.db.query(UID.audit).findMany({ where: { asset: a.documentId }, orderBy: [{ id: 'asc' }] });
    expect(trail.slice(1).map((e: any) => [e.to, e.actor])).toEqual([
      ['in_review', suite.editor.user.email],
      ['approved', suite.editor.user.email],
      ['published', suite.editor.user.email],
      ['archived', suite.editor.user.email],
    ]);
  });

  it('a role without the plugin read action gets 403 on every admin route; no token gets 401', async () => {
    const role = await suite.app.strapi.service('admin::role').create({ name: 'Nobody', description: 'no plugin permissions' });
    const code = (await suite.app.strapi.db.query('admin::role').findOne({ where: { id: role.id } })).code;
    const nobody = await adminSession(suite.app, { roleCode: code });
    const a = await createAsset(suite.app, { product: suite.product, role: 'clean', status: 'draft', file: suite.file });
    const routes: Array<[string, string]> = [
      ['get', '/product-gallery/assets'],
      ['get', `/product-gallery/assets/${a.documentId}`],
      ['post', `/product-gallery/assets/${a.documentId}/transition`],
      ['get', '/product-gallery/products'],
      ['get', `/product-gallery/products/${suite.product.documentId}/readiness`],
      ['get', `/product-gallery/products/${suite.product.documentId}/pack?channel=amazon`],
    ];
    for (const [method, url] of routes) {
      const res = await (suite.app.http as any)[method](url).set(nobody.auth).send({ to: 'in_review', version: 1 });
      expect([url, res.status]).toEqual([url, 403]);
      const anon = await (suite.app.http as any)[method](url).send({ to: 'in_review', version: 1 });
      expect([url, anon.status]).toEqual([url, 401]);
    }
    expect(await row(a.documentId)).toMatchObject({ status: 'draft', version: 1 });
  });
});

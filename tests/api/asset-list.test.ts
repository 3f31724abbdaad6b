/**
 * The asset list is what the workspace's shot cards show without asking for each asset again:
 * every row carries its checks, the moves this editor may make (as the review payload offers
 * them, with the editor's permissions), and what its audit trail says (which image it is, why it
 * was rejected, who overrode its checks). The workspace says each planned role's status.
 */
import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createAsset, createProduct, stopWorker, uploadPhoto, FAILING_QC, PASSING_QC } from '../support/fixtures';

describe('asset list: checks, moves and trail facts in every row', () => {
  let app: TestApp;
  let admin: AdminSession;
  let author: AdminSession;
  let file: { id: number; width: number; height: number };
  let product: { id: number; documentId: string };

  beforeAll(async () => {
    app = await startApp();
    await stopWorker(app);
    admin = await adminSession(app);
    author = await adminSession(app, { roleCode: 'strapi-author' });
    file = await uploadPhoto(app);
    product = await createProduct(app, { sourcePhoto: file.id });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const list = async (s: AdminSession) => {
    const res = await app.http.get(`/product-gallery/assets?product=${product.documentId}&pageSize=100`).set(s.auth);
    expect(res.status).toBe(200);
    return new Map<string, any>(res.body.data.map((a: any) => [a.documentId, a]));
  };
  const review = async (s: AdminSession, documentId: string) => (await app.http.get(`/product-gallery/assets/${documentId}`).set(s.auth)).body.data;
  const transition = (s: AdminSession, documentId: string, body: Record<string, unknown>) =>
    app.http.post(`/product-gallery/assets/${documentId}/transition`).set(s.auth).send(body);

  it('carries each asset’s checks and the moves its review offers, for each editor', async () => {
    const draft = await createAsset(app, { product, role: 'clean', status: 'draft', file });
    const failing = await createAsset(app, { product, role: 'model', status: 'in_review', file, qc: FAILING_QC });
    const approved = await createAsset(app, { product, role: 'detail', status: 'approved', file });
    const published = await createAsset(app, { product, role: 'lifestyle', status: 'published', file });

    for (const session of [admin, author]) {
      const rows = await list(session);
      for (const asset of [draft, failing, approved, published]) {
        const row = rows.get(asset.documentId);
        const full = await review(session, asset.documentId);
        // one view of the checks and one of the moves: the list says what the review says
        expect(row.qc).toEqual(full.qc);
        expect(row.moves).toEqual(full.moves);
      }
    }

    const asAdmin = await list(admin);
    expect(asAdmin.get(failing.documentId).qc).toMatchObject({
      status: 'fail',
      checks: FAILING_QC,
      failing: ['fidelity.stones'],
      overrideRequired: true,
    });
    expect(asAdmin.get(draft.documentId).qc).toMatchObject({ status: 'pass', checks: PASSING_QC, overrideRequired: false });
    expect(asAdmin.get(approved.documentId).moves).toEqual([{ to: 'published', action: 'plugin::product-gallery.publish', permitted: true }]);

    // An Author may submit but neither review nor publish: the server says so in every row.
    const asAuthor = await list(author);
    expect(asAuthor.get(draft.documentId).moves).toEqual([{ to: 'in_review', action: 'plugin::product-gallery.submit', permitted: true }]);
    expect(asAuthor.get(failing.documentId).moves).toEqual([
      { to: 'approved', action: 'plugin::product-gallery.review', permitted: false },
      { to: 'rejected', action: 'plugin::product-gallery.review', permitted: false },
    ]);
    expect(asAuthor.get(approved.documentId).moves).toEqual([{ to: 'published', action: 'plugin::product-gallery.publish', permitted: false }]);
    expect(asAuthor.get(published.documentId).moves).toEqual([{ to: 'archived', action: 'plugin::product-gallery.publish', permitted: false }]);
  });

  it('says which image a shot is, why it was rejected and who overrode its checks, as its review does', async () => {
    const rejected = await createAsset(app, { product, role: 'clean', status: 'in_review', file });
    const reason = 'The clasp is missing on the left.';
    expect((await transition(admin, rejected.documentId, { to: 'rejected', version: 1, note: reason })).status).toBe(200);
    const overridden = await createAsset(app, { product, role: 'model', status: 'in_review', file, qc: FAILING_QC });
    const why = 'Compared with the source: the stone is there, hidden by the light.';
    expect((await transition(admin, overridden.documentId, { to: 'approved', version: 1, override: why })).status).toBe(200);

    const rows = await list(admin);
    const name = `Test strapi-super-admin`;
    expect(rows.get(rejected.documentId)).toMatchObject({
      status: 'rejected',
      imageNumber: 1,
      rejection: { note: reason, actorName: name, actor: admin.user.email, system: null },
      overrideBy: null,
    });
    expect(rows.get(overridden.documentId)).toMatchObject({
      status: 'approved',
      approvalOverride: { reason: why },
      overrideBy: { actorName: name, actor: admin.user.email, system: null },
      rejection: null,
    });
    for (const id of [rejected.documentId, overridden.documentId]) {
      const { imageNumber, rejection, overrideBy } = rows.get(id);
      expect({ imageNumber, rejection, overrideBy }).toEqual(
        (({ imageNumber, rejection, overrideBy }: any) => ({ imageNumber, rejection, overrideBy }))(await review(admin, id))
      );
    }
  });

  it('the workspace plans each role with the status of its latest asset that is not archived', async () => {
    const res = await app.http.get(`/product-gallery/products/${product.documentId}`).set(admin.auth);
    expect(res.status).toBe(200);
    const { plan } = res.body.data;
    const status = Object.fromEntries(plan.shots.map((s: any) => [s.role, s.status]));
    // the latest of each role above: a rejected clean, an approved model, the detail and lifestyle as made
    expect(status).toMatchObject({ clean: 'rejected', model: 'approved', detail: 'approved', lifestyle: 'published' });
    expect(plan.missingRoles).toEqual(plan.shots.filter((s: any) => s.status === 'missing').map((s: any) => s.role));
  });
});

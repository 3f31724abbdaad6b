/**
 * The asset list is what the workspace's shot cards show without asking for each asset again:
 * every row carries its checks, the moves this editor may make (as the review payload offers
 * them, with the editor's permissions), and what its audit trail says (which image it is, why it
 * was rejected, who overrode its checks). The workspace says each planned role's status.
 */
import type { AdminSession } from '../support/strapi';
import { createAsset, FAILING_QC, PASSING_QC } from '../support/fixtures';
import { reviewSuite } from '../support/review-suite';

describe('asset list: checks, moves and trail facts in every row', () => {
  const suite = reviewSuite();

  const list = async (s: AdminSession) => {
    const res = await suite.app.http.get(`/product-gallery/assets?product=${suite.product.documentId}&pageSize=100`).set(s.auth);
    expect(res.status).toBe(200);
    return new Map<string, any>(res.body.data.map((a: any) => [a.documentId, a]));
  };
  const review = async (s: AdminSession, documentId: string) => (await suite.app.http.get(`/product-gallery/assets/${documentId}`).set(s.auth)).body.data;

  it('carries each asset’s checks and the moves its review offers, for each editor', async () => {
    const draft = await createAsset(suite.app, { product: suite.product, role: 'clean', status: 'draft', file: suite.file });
    const failing = await createAsset(suite.app, { product: suite.product, role: 'model', status: 'in_review', file: suite.file, qc: FAILING_QC });
    const approved = await createAsset(suite.app, { product: suite.product, role: 'detail', status: 'approved', file: suite.file });
    const published = await createAsset(suite.app, { product: suite.product, role: 'lifestyle', status: 'published', file: suite.file });

    for (const session of [suite.admin, suite.author]) {
      const rows = await list(session);
      for (const asset of [draft, failing, approved, published]) {
        const row = rows.get(asset.documentId);
        const full = await review(session, asset.documentId);
        // one view of the checks and one of the moves: the list says what the review says
        expect(row.qc).toEqual(full.qc);
        expect(row.moves).toEqual(full.moves);
      }
    }

    const asAdmin = await list(suite.admin);
    expect(asAdmin.get(failing.documentId).qc).toMatchObject({
      status: 'fail',
      checks: FAILING_QC,
      failing: ['fidelity.stones'],
      overrideRequired: true,
    });
    expect(asAdmin.get(draft.documentId).qc).toMatchObject({ status: 'pass', checks: PASSING_QC, overrideRequired: false });
    expect(asAdmin.get(approved.documentId).moves).toEqual([{ to: 'published', action: 'plugin::product-gallery.publish', permitted: true }]);

    // An Author may submit but neither review nor publish: the server says so in every row.
    const asAuthor = await list(suite.author);
    expect(asAuthor.get(draft.documentId).moves).toEqual([{ to: 'in_review', action: 'plugin::product-gallery.submit', permitted: true }]);
    expect(asAuthor.get(failing.documentId).moves).toEqual([
      { to: 'approved', action: 'plugin::product-gallery.review', permitted: false },
      { to: 'rejected', action: 'plugin::product-gallery.review', permitted: false },
    ]);
    expect(asAuthor.get(approved.documentId).moves).toEqual([{ to: 'published', action: 'plugin::product-gallery.publish', permitted: false }]);
    expect(asAuthor.get(published.documentId).moves).toEqual([{ to: 'archived', action: 'plugin::product-gallery.publish', permitted: false }]);
  });

  it('says which image a shot is, why it was rejected and who overrode its checks, as its review does', async () => {
    const rejected = await createAsset(suite.app, { product: suite.product, role: 'clean', status: 'in_review', file: suite.file });
    const reason = 'The clasp is missing on the left.';
    expect((await suite.transition(suite.admin, rejected.documentId, { to: 'rejected', version: 1, note: reason })).status).toBe(200);
    const overridden = await createAsset(suite.app, { product: suite.product, role: 'model', status: 'in_review', file: suite.file, qc: FAILING_QC });
    const why = 'Compared with the source: the stone is there, hidden by the light.';
    expect((await suite.transition(suite.admin, overridden.documentId, { to: 'approved', version: 1, override: why })).status).toBe(200);

    const rows = await list(suite.admin);
    const name = `Test strapi-super-admin`;
    expect(rows.get(rejected.documentId)).toMatchObject({
      status: 'rejected',
      imageNumber: 1,
      rejection: { note: reason, actorName: name, actor: suite.admin.user.email, system: null },
      overrideBy: null,
    });
    expect(rows.get(overridden.documentId)).toMatchObject({
      status: 'approved',
      approvalOverride: { reason: why },
      overrideBy: { actorName: name, actor: suite.admin.user.email, system: null },
      rejection: null,
    });
    for (const id of [rejected.documentId, overridden.documentId]) {
      const { imageNumber, rejection, overrideBy } = rows.get(id);
      expect({ imageNumber, rejection, overrideBy }).toEqual(
        (({ imageNumber, rejection, overrideBy }: any) => ({ imageNumber, rejection, overrideBy }))(await review(suite.admin, id))
      );
    }
  });

  it('the workspace plans each role with the status of its latest asset that is not archived', async () => {
    const res = await suite.app.http.get(`/product-gallery/products/${suite.product.documentId}`).set(suite.admin.auth);
    expect(res.status).toBe(200);
    const { plan } = res.body.data;
    const status = Object.fromEntries(plan.shots.map((s: any) => [s.role, s.status]));
    // the latest of each role above: a rejected clean, an approved model, the detail and lifestyle as made
    expect(status).toMatchObject({ clean: 'rejected', model: 'approved', detail: 'approved', lifestyle: 'published' });
    expect(plan.missingRoles).toEqual(plan.shots.filter((s: any) => s.status === 'missing').map((s: any) => s.role));
  });
});

import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createAsset, createProduct, move, stopWorker, uploadPhoto, FAILING_QC, SYSTEM, UID } from '../support/fixtures';

const STATUSES = ['queued', 'generating', 'draft', 'in_review', 'approved', 'rejected', 'published', 'archived', 'failed'] as const;
const LEGAL: Record<string, string[]> = {
  queued: ['generating'],
  generating: ['draft', 'failed'],
  draft: ['in_review'],
  in_review: ['approved', 'rejected'],
  approved: ['published'],
  published: ['archived'],
  rejected: ['queued', 'archived'],
  failed: ['queued'],
  archived: [],
};
const WORKER_ONLY = new Set(['generating', 'draft', 'failed']);

describe('workflow: server-enforced transitions, optimistic concurrency, audit, publishing', () => {
  let app: TestApp;
  let admin: AdminSession;
  let file: { id: number; width: number; height: number };
  let product: { id: number; documentId: string; slug: string };

  beforeAll(async () => {
    app = await startApp();
    await stopWorker(app);
    admin = await adminSession(app);
    file = await uploadPhoto(app);
    product = await createProduct(app, { sourcePhoto: file.id });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const transition = (documentId: string, body: Record<string, unknown>, session = admin) =>
    app.http.post(`/product-gallery/assets/${documentId}/transition`).set(session.auth).send(body);
  const row = (documentId: string) => app.strapi.db.query(UID.asset).findOne({ where: { documentId } });
  const audits = (documentId: string) =>
    app.strapi.db.query(UID.audit).findMany({ where: { asset: documentId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });

  it('allows exactly the legal editor transitions over HTTP, and refuses the rest with 422', async () => {
    const results: string[] = [];
    for (const from of STATUSES) {
      for (const to of STATUSES) {
        // Each pair on a product of its own, so publishing never archives another pair's asset.
        const p = from === 'approved' && to === 'published' ? await createProduct(app) : product;
        const asset = await createAsset(app, { product: p, role: 'detail', status: from, file });
        const res = await transition(asset.documentId, { to, version: asset.version, note: 'because' });
        const legal = LEGAL[from].includes(to) && !WORKER_ONLY.has(to);
        const expected = legal ? 200 : 422;
        if (res.status !== expected) results.push(`${from} -> ${to}: ${res.status} ${JSON.stringify(res.body?.error ?? res.body)}`);
        const after = await row(asset.documentId);
        if (legal) {
          expect(res.body.data).toMatchObject({ documentId: asset.documentId, status: to, version: asset.version + 1 });
          expect(after.status).toBe(to);
        } else {
          expect(after).toMatchObject({ status: from, version: asset.version });
          expect(res.body.error?.message).toEqual(expect.any(String));
        }
      }
    }
    expect(results).toEqual([]);
  });

  it('lets the worker make its own moves (queued -> generating -> draft | failed -> queued) and audits them as system', async () => {
    const workflow = app.strapi.plugin('product-gallery').service('workflow');
    const a = await createAsset(app, { product, role: 'model', status: 'queued' });
    await workflow.transition({ documentId: a.documentId, to: 'generating', actor: SYSTEM });
    await workflow.transition({ documentId: a.documentId, to: 'failed', actor: SYSTEM, patch: { error: 'timeout' } });
    await workflow.transition({ documentId: a.documentId, to: 'queued', actor: SYSTEM });
    await workflow.transition({ documentId: a.documentId, to: 'generating', actor: SYSTEM });
    const done = await workflow.transition({ documentId: a.documentId, to: 'draft', actor: SYSTEM });
    expect(done).toMatchObject({ status: 'draft', version: 6 });
    const trail = await audits(a.documentId);
    expect(trail.map((e: any) => `${e.from}>${e.to}`)).toEqual(['null>queued', 'queued>generating', 'generating>failed', 'failed>queued', 'queued>generating', 'generating>draft']);
    expect(trail.every((e: any) => e.actor === 'system:test')).toBe(true);
  });

  it('refuses worker-only targets from editors and validates the body with field names', async () => {
    const a = await createAsset(app, { product, role: 'detail', status: 'queued' });
    const worker = await transition(a.documentId, { to: 'generating', version: 1 });
    expect(worker.status).toBe(422);
    const bad = await transition(a.documentId, { to: 'nowhere', version: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/to:/);
    expect(bad.body.error.message).toMatch(/version:/);
    const extra = await transition(a.documentId, { to: 'in_review', version: 1, sneaky: true });
    expect(extra.status).toBe(400);
    const badId = await transition('NOT-AN-ID', { to: 'in_review', version: 1 });
    expect(badId.status).toBe(400);
    const missing = await transition('abcdefghijklmnopqrstuvwx', { to: 'in_review', version: 1 });
    expect(missing.status).toBe(404);
  });

  it('gives 409 to a stale version and changes nothing', async () => {
    const a = await createAsset(app, { product, role: 'detail', status: 'draft', file });
    const ok = await transition(a.documentId, { to: 'in_review', version: 1 });
    expect(ok.status).toBe(200);
    const before = await audits(a.documentId);
    const stale = await transition(a.documentId, { to: 'approved', version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/version 1.*version 2/);
    expect(await row(a.documentId)).toMatchObject({ status: 'in_review', version: 2 });
    expect(await audits(a.documentId)).toHaveLength(before.length);
  });

  it('lets only one of two concurrent moves with the same version win', async () => {
    const a = await createAsset(app, { product, role: 'detail', status: 'in_review', file });
    const [x, y] = await Promise.all([
      transition(a.documentId, { to: 'approved', version: 1 }),
      transition(a.documentId, { to: 'rejected', version: 1, note: 'blurry' }),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    const after = await row(a.documentId);
    expect(after.version).toBe(2);
    expect((await audits(a.documentId)).filter((e: any) => e.from === 'in_review')).toHaveLength(1);
  });

  it('needs a reason to reject, and puts the note into the next prompt on regenerate', async () => {
    const a = await createAsset(app, { product, role: 'model', status: 'in_review', file });
    const noNote = await transition(a.documentId, { to: 'rejected', version: 1 });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.message).toMatch(/note/);
    expect((await transition(a.documentId, { to: 'rejected', version: 1, note: 'hand is too large' })).status).toBe(200);
    expect((await transition(a.documentId, { to: 'queued', version: 2, note: 'make the hand smaller' })).status).toBe(200);
    expect((await row(a.documentId)).prompt).toMatch(/Reviewer's note to fix: make the hand smaller/);
  });

  it('refuses to approve failing QC without an override (422), and audits an override with its reason', async () => {
    const a = await createAsset(app, { product, role: 'clean', status: 'in_review', file, qc: FAILING_QC });
    const refused = await transition(a.documentId, { to: 'approved', version: 1 });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/fidelity\.stones/);
    expect(refused.body.error.message).toMatch(/override/);
    const blank = await transition(a.documentId, { to: 'approved', version: 1, override: '   ' });
    expect(blank.status).toBe(422);
    expect(await row(a.documentId)).toMatchObject({ status: 'in_review', version: 1 });

    const ok = await transition(a.documentId, { to: 'approved', version: 1, override: 'the stone is hidden by the angle, checked by hand', note: 'ok to use' });
    expect(ok.status).toBe(200);
    const last = (await audits(a.documentId)).pop();
    expect(last).toMatchObject({ from: 'in_review', to: 'approved', override: true, actor: admin.user.email, actorId: admin.user.id });
    expect(last.note).toMatch(/override: the stone is hidden by the angle, checked by hand/);
    expect(last.note).toMatch(/ok to use/);
    expect(last.qc).toEqual(FAILING_QC);
  });

  it('audits every change: who, when, from, to, note and a QC snapshot', async () => {
    const a = await createAsset(app, { product, role: 'detail', status: 'draft', file });
    const t0 = Date.now();
    await transition(a.documentId, { to: 'in_review', version: 1, note: 'please look' });
    await transition(a.documentId, { to: 'approved', version: 2, note: 'sharp and true' });
    const trail = await audits(a.documentId);
    expect(trail.map((e: any) => [e.from, e.to])).toEqual([
      [null, 'draft'],
      ['draft', 'in_review'],
      ['in_review', 'approved'],
    ]);
    for (const e of trail.slice(1)) {
      expect(e.actor).toBe(admin.user.email);
      expect(e.actorId).toBe(admin.user.id);
      expect(new Date(e.at).getTime()).toBeGreaterThanOrEqual(t0 - 1000);
      expect(e.qc).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'tech.resolution' })]));
      expect(e.product).toBe(product.documentId);
    }
    expect(trail[1].note).toBe('please look');
    expect(trail[2].note).toBe('sharp and true');
    // Append-only: the audit log can't be edited through the document service.
    await expect(
      app.strapi.documents(UID.audit as any).update({ documentId: trail[1].documentId, data: { note: 'rewritten' } as any })
    ).rejects.toThrow(/append-only/);
  });

  it('publishing puts the asset in its slot and archives the one it replaces, atomically', async () => {
    const p = await createProduct(app, { sourcePhoto: file.id });
    const first = await createAsset(app, { product: p, role: 'clean', status: 'approved', file });
    const r1 = await transition(first.documentId, { to: 'published', version: 1 });
    expect(r1.status).toBe(200);
    expect(r1.body.data).toMatchObject({ status: 'published', slot: 'grid' });
    const model = await createAsset(app, { product: p, role: 'model', status: 'approved', file });
    expect((await transition(model.documentId, { to: 'published', version: 1 })).body.data.slot).toBe('gallery-2');
    const v1 = (await app.strapi.db.query(UID.product).findOne({ where: { id: p.id } })).galleryVersion;

    const second = await createAsset(app, { product: p, role: 'clean', status: 'approved', file });
    const r2 = await transition(second.documentId, { to: 'published', version: 1 });
    expect(r2.status).toBe(200);
    expect(await row(second.documentId)).toMatchObject({ status: 'published', slot: 'grid' });
    expect(await row(first.documentId)).toMatchObject({ status: 'archived', slot: null, version: 3 });
    expect(await row(model.documentId)).toMatchObject({ status: 'published' });
    const archivedAudit = (await audits(first.documentId)).pop();
    expect(archivedAudit).toMatchObject({ from: 'published', to: 'archived', actor: admin.user.email });
    expect(archivedAudit.note).toMatch(new RegExp(`replaced by ${second.documentId}`));
    expect((await app.strapi.db.query(UID.product).findOne({ where: { id: p.id } })).galleryVersion).toBeGreaterThan(v1);

    // Same transaction: if the publish fails after the archive, the old one stays published.
    const third = await createAsset(app, { product: p, role: 'clean', status: 'approved', file });
    const unsubscribe = app.strapi.db.lifecycles.subscribe({
      models: [UID.audit],
      // The audit entry is written with createMany (one insert).
      beforeCreateMany(event: any) {
        if (event.params.data.some((d: any) => d.to === 'published' && d.asset === third.documentId)) throw new Error('disk full');
      },
    } as any) as unknown as () => void;
    const failed = await transition(third.documentId, { to: 'published', version: 1 });
    expect(failed.status).toBe(500);
    unsubscribe();
    expect(await row(second.documentId)).toMatchObject({ status: 'published', slot: 'grid', version: 2 });
    expect(await row(third.documentId)).toMatchObject({ status: 'approved', version: 1 });
    expect((await audits(second.documentId)).pop()).toMatchObject({ to: 'published' });
  });

  it('archiving a published asset empties its slot', async () => {
    const p = await createProduct(app);
    const a = await createAsset(app, { product: p, role: 'detail', status: 'approved', file });
    await move(app, a.documentId, 'published');
    const res = await transition(a.documentId, { to: 'archived', version: 2, note: 'discontinued look' });
    expect(res.status).toBe(200);
    expect(await row(a.documentId)).toMatchObject({ status: 'archived', slot: null });
  });

  it('returns the review payload: source, candidate, QC, provenance, history and allowed moves', async () => {
    const a = await createAsset(app, { product, role: 'clean', status: 'in_review', file, qc: FAILING_QC });
    const res = await app.http.get(`/product-gallery/assets/${a.documentId}`).set(admin.auth);
    expect(res.status).toBe(200);
    const d = res.body.data;
    expect(d).toMatchObject({ documentId: a.documentId, status: 'in_review', version: 1, role: 'clean' });
    expect(d.source).toMatchObject({ id: file.id, url: expect.stringMatching(/^\/uploads\//) });
    expect(d.candidate).toMatchObject({ id: file.id, width: expect.any(Number), height: expect.any(Number) });
    expect(d.qc).toMatchObject({ status: 'fail', failing: ['fidelity.stones'], overrideRequired: true });
    expect(d.provenance).toMatchObject({ model: 'black-forest-labs/flux-kontext-pro' });
    expect(d.history).toEqual([expect.objectContaining({ from: null, to: 'in_review', actor: 'system:test' })]);
    expect(d.moves).toEqual([
      { to: 'approved', action: 'plugin::product-gallery.review', permitted: true },
      { to: 'rejected', action: 'plugin::product-gallery.review', permitted: true },
    ]);
    expect(d.product).toMatchObject({ documentId: product.documentId, slug: product.slug });
  });

  it('the review history names people: the admin by name, moves the plugin made by itself by what made them', async () => {
    const a = await createAsset(app, { product, role: 'detail', status: 'in_review', file });
    const moved = await transition(a.documentId, { to: 'rejected', version: a.version, note: 'Clasp is missing' });
    expect(moved.status).toBe(200);
    const res = await app.http.get(`/product-gallery/assets/${a.documentId}`).set(admin.auth);
    expect(res.status).toBe(200);
    const [created, rejected] = res.body.data.history;
    expect(created).toMatchObject({ to: 'in_review', system: 'test', actorName: null });
    expect(rejected).toMatchObject({ to: 'rejected', note: 'Clasp is missing', system: null, actorName: `Test ${'strapi-super-admin'}`, actorId: admin.user.id });
  });

  it('lists assets filtered by product, status and role, paginated', async () => {
    const p = await createProduct(app);
    for (const [role, status] of [
      ['clean', 'draft'],
      ['clean', 'in_review'],
      ['model', 'in_review'],
      ['detail', 'failed'],
    ] as const) {
      await createAsset(app, { product: p, role, status, file });
    }
    const all = await app.http.get(`/product-gallery/assets?product=${p.documentId}`).set(admin.auth);
    expect(all.status).toBe(200);
    expect(all.body.meta.pagination).toMatchObject({ total: 4, page: 1 });
    const review = await app.http.get(`/product-gallery/assets?product=${p.documentId}&status=in_review&role=clean,model`).set(admin.auth);
    expect(review.body.data.map((a: any) => a.role).sort()).toEqual(['clean', 'model']);
    expect(review.body.data.every((a: any) => a.product.documentId === p.documentId && a.status === 'in_review')).toBe(true);
    const paged = await app.http.get(`/product-gallery/assets?product=${p.documentId}&pageSize=3&page=2`).set(admin.auth);
    expect(paged.body.data).toHaveLength(1);
    expect(paged.body.meta.pagination).toMatchObject({ page: 2, pageSize: 3, pageCount: 2, total: 4 });
    const bad = await app.http.get('/product-gallery/assets?status=lost&pageSize=1000').set(admin.auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/status/);
    expect(bad.body.error.message).toMatch(/pageSize/);
  });

  it('reports readiness per slot in the brief order, and per role the latest status', async () => {
    const p = await createProduct(app, { category: 'ring' });
    const clean = await createAsset(app, { product: p, role: 'clean', status: 'approved', file });
    await move(app, clean.documentId, 'published');
    await createAsset(app, { product: p, role: 'model', status: 'in_review', file });
    const res = await app.http.get(`/product-gallery/products/${p.documentId}/readiness`).set(admin.auth);
    expect(res.status).toBe(200);
    const d = res.body.data;
    expect(d.slots.map((s: any) => s.slot)).toEqual(['grid', 'hero', 'gallery-2', 'gallery-3', 'campaign']);
    expect(d.slots[0]).toMatchObject({ state: 'published', role: 'clean', asset: { documentId: clean.documentId } });
    expect(d.slots[1]).toMatchObject({ state: 'published', role: 'clean' });
    // gallery-2 is the model shot's: not on the page yet, and said to be in review.
    expect(d.slots[2]).toMatchObject({ state: 'in_review', role: 'model', asset: 'missing' });
    expect(d.slots[3]).toMatchObject({ state: 'missing', role: null, asset: 'missing' });
    const roles = Object.fromEntries(d.roles.map((r: any) => [r.role, r]));
    expect(roles.clean.status).toBe('published');
    expect(roles.model.status).toBe('in_review');
    expect(roles.detail.status).toBeNull();
    expect(d.summary).toMatchObject({ filled: 2, total: 5, missing: ['gallery-2', 'gallery-3', 'campaign'], awaitingReview: 1 });

    const list = await app.http.get(`/product-gallery/products?category=ring&awaiting=true`).set(admin.auth);
    expect(list.status).toBe(200);
    expect(list.body.data.map((x: any) => x.documentId)).toContain(p.documentId);
    expect(list.body.meta.counts).toMatchObject({ total: expect.any(Number), awaitingReview: expect.any(Number) });
    const missingHero = await app.http.get(`/product-gallery/products?missing=hero&category=ring`).set(admin.auth);
    expect(missingHero.body.data.map((x: any) => x.documentId)).not.toContain(p.documentId);
    const missingCampaign = await app.http.get(`/product-gallery/products?missing=campaign&category=ring`).set(admin.auth);
    expect(missingCampaign.body.data.map((x: any) => x.documentId)).toContain(p.documentId);
    expect((await app.http.get(`/product-gallery/products?missing=attic`).set(admin.auth)).status).toBe(400);
  });

  it('a check that could not decide (cannot verify) blocks approval like a failure: the 422 names it, the override is kept and shown', async () => {
    const UNVERIFIED_QC = [
      { id: 'tech.resolution', status: 'pass', message: 'ok' },
      { id: 'fidelity.registration', status: 'unverified', message: 'The product could not be found in this image with confidence.' },
    ];
    const a = await createAsset(app, { product, role: 'model', status: 'in_review', file, qc: UNVERIFIED_QC, qcStatus: 'unverified' as any });
    const review = await app.http.get(`/product-gallery/assets/${a.documentId}`).set(admin.auth);
    expect(review.body.data.qc).toMatchObject({ status: 'unverified', failing: [], unverified: ['fidelity.registration'], overrideRequired: true });

    const refused = await transition(a.documentId, { to: 'approved', version: 1 });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/could not verify it: The product could not be found in this image with confidence \(fidelity\.registration\)/);
    expect(refused.body.error.message).toMatch(/override/);
    expect(refused.body.error.details).toMatchObject({ failing: [], unverified: ['fidelity.registration'] });
    expect(await row(a.documentId)).toMatchObject({ status: 'in_review', version: 1, approvalOverride: null });

    const ok = await transition(a.documentId, { to: 'approved', version: 1, override: 'worn on the hand, checked against the source by eye' });
    expect(ok.status).toBe(200);
    const shown = { reason: 'worn on the hand, checked against the source by eye', by: admin.user.email, at: expect.any(String) };
    expect(ok.body.data.approvalOverride).toEqual(shown);
    expect((await audits(a.documentId)).pop()).toMatchObject({ to: 'approved', override: true, note: 'override: worn on the hand, checked against the source by eye' });
    const listed = await app.http.get(`/product-gallery/assets?product=${product.documentId}&status=approved`).set(admin.auth);
    expect(listed.body.data.find((x: any) => x.documentId === a.documentId).approvalOverride).toEqual(shown);
    expect((await app.http.get(`/product-gallery/assets/${a.documentId}`).set(admin.auth)).body.data.approvalOverride).toEqual(shown);

    // A passing image needs no override and shows none; a regenerated one forgets the old override.
    const clean = await createAsset(app, { product, role: 'detail', status: 'in_review', file });
    const plain = await transition(clean.documentId, { to: 'approved', version: 1 });
    expect(plain.status).toBe(200);
    expect(plain.body.data.approvalOverride).toBeNull();
    const both = await createAsset(app, { product, role: 'clean', status: 'in_review', file, qc: [...FAILING_QC, UNVERIFIED_QC[1]] });
    const msg = (await transition(both.documentId, { to: 'approved', version: 1 })).body.error.message;
    expect(msg).toMatch(/failed a check: a stone is missing \(fidelity\.stones\), and a check could not verify it/);
  });

  it('alt text and focal point change through PUT /assets/:documentId: validated, audited, live on the page when published', async () => {
    const p = await createProduct(app, { sourcePhoto: file.id });
    const a = await createAsset(app, { product: p, role: 'clean', status: 'approved', file });
    await move(app, a.documentId, 'published');
    const put = (documentId: string, body: unknown, session = admin) => app.http.put(`/product-gallery/assets/${documentId}`).set(session.auth).send(body as any);
    const before = await row(a.documentId);

    for (const [body, field] of [
      [{}, /send alt, focalPoint or both/],
      [{ alt: '' }, /alt: must not be empty/],
      [{ alt: 'x'.repeat(301) }, /alt: must be at most 300/],
      [{ focalPoint: { x: 120, y: 40 } }, /focalPoint\.x: must be at most 100/],
      [{ focalPoint: { x: '50', y: 40 } }, /focalPoint\.x: must be a number/],
      [{ status: 'published' }, /Unrecognized key/],
    ] as const) {
      const res = await put(a.documentId, body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      expect(res.body.error.message).toMatch(field);
    }
    expect((await put('nosuchdocument0000', { alt: 'x' })).status).toBe(404);
    expect(await row(a.documentId)).toEqual(before);

    // On the product page, the publish action is needed: an Author may not change it.
    const author = await adminSession(app, { roleCode: 'strapi-author' });
    const denied = await put(a.documentId, { alt: 'by an author' }, author);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/on the product page/);

    const pageBefore = await app.http.get(`/api/product-gallery/galleries/${p.slug}`);
    const res = await put(a.documentId, { alt: 'Silver pearl studs, front view', focalPoint: { x: 40, y: 55.5 } });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ alt: 'Silver pearl studs, front view', focalPoint: { x: 40, y: 55.5 }, status: 'published', version: before.version, changed: ['alt', 'focalPoint'] });
    const trail = (await audits(a.documentId)).pop();
    expect(trail).toMatchObject({ from: 'published', to: 'published', actor: admin.user.email, override: false });
    expect(trail.note).toBe('alt text: "alt clean" → "Silver pearl studs, front view"; focal point: 50%, 45% → 40%, 55.5%');
    const page = await app.http.get(`/api/product-gallery/galleries/${p.slug}`);
    expect(page.body.data.slots[0].image).toMatchObject({ alt: 'Silver pearl studs, front view', focalPoint: { x: 40, y: 55.5 } });
    expect(page.headers.etag).not.toBe(pageBefore.headers.etag);

    // Nothing changed, nothing recorded; back to the automatic focal point.
    const count = (await audits(a.documentId)).length;
    expect((await put(a.documentId, { alt: 'Silver pearl studs, front view' })).body.data.changed).toEqual([]);
    expect((await audits(a.documentId)).length).toBe(count);
    expect((await put(a.documentId, { focalPoint: null })).body.data.focalPoint).toBeNull();

    // An Author edits a draft; nobody edits an image still being made.
    const d = await createAsset(app, { product: p, role: 'detail', status: 'draft', file });
    expect((await put(d.documentId, { alt: 'Clasp detail' }, author)).status).toBe(200);
    const q = await createAsset(app, { product: p, role: 'model', status: 'queued', file: null });
    const making = await put(q.documentId, { alt: 'too early' });
    expect(making.status).toBe(422);
    expect(making.body.error.message).toMatch(/still being made/);
  });
});

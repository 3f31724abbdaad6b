import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createAsset, createProduct, publishedGallery, stopWorker, uploadPhoto, UID } from '../support/fixtures';
import { photoPath } from '../support/photos';

/**
 * The review workflow is the only way an image reaches a shopper: the Content Manager and the
 * documents API (other plugins, app code) may read image assets and audit events but never write
 * them, whatever the role, and a product's computed fields are the plugin's alone.
 */
const CM = (uid: string) => `/content-manager/collection-types/${uid}`;
const ASSET_REFUSED = /Product gallery workspace/;
const AUDIT_REFUSED = /append-only/;

describe('bypass: only the plugin writes image assets, audit events and computed product fields', () => {
  let app: TestApp;
  let sessions: Record<'Author' | 'Editor' | 'Super Admin', AdminSession>;
  let file: { id: number; width: number; height: number };
  let gallery: { product: { id: number; documentId: string; slug: string }; assets: Record<string, { id: number; documentId: string }> };
  let draft: { id: number; documentId: string };
  let auditEvent: { id: number; documentId: string };

  beforeAll(async () => {
    app = await startApp();
    await stopWorker(app);
    sessions = {
      Author: await adminSession(app, { roleCode: 'strapi-author' }),
      Editor: await adminSession(app, { roleCode: 'strapi-editor' }),
      'Super Admin': await adminSession(app),
    };
    file = await uploadPhoto(app);
    gallery = (await publishedGallery(app, { file, roles: ['clean'] })) as any;
    draft = await createAsset(app, { product: gallery.product, role: 'detail', status: 'draft', file });
    auditEvent = await app.strapi.db.query(UID.audit).findOne({ where: { asset: draft.documentId } });
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** Everything a bypass could change: the public page, the asset and audit rows, the product's computed fields. */
  const snapshot = async () => {
    const page = await app.http.get(`/api/product-gallery/galleries/${gallery.product.slug}`);
    const assets = await app.strapi.db.query(UID.asset).findMany({ orderBy: { id: 'asc' }, populate: { product: { select: ['id'] }, file: { select: ['id'] } } });
    const audits = await app.strapi.db.query(UID.audit).findMany({ orderBy: { id: 'asc' } });
    const products = await app.strapi.db.query(UID.product).findMany({
      orderBy: { id: 'asc' },
      select: ['id', 'documentId', 'galleryVersion', 'reference'],
      populate: { assets: { select: ['id'] } },
    });
    return { page: { status: page.status, body: page.body }, assets, audits, products };
  };

  const expectRefused = (res: { status: number; body: any }, what: string, message?: RegExp) => {
    expect([what, res.status >= 400 && res.status < 500 ? '4xx' : res.status]).toEqual([what, '4xx']);
    if (message) expect([what, res.body?.error?.message]).toEqual([what, expect.stringMatching(message)]);
  };

  const newAssetBody = () => ({ role: 'clean', status: 'published', slot: 'grid', file: file.id, product: gallery.product.id, alt: 'sneaked in', qcStatus: 'pass', version: 1 });

  describe.each(['Author', 'Editor', 'Super Admin'] as const)('as %s, through the Content Manager', (who) => {
    it('every write action on an image asset answers 4xx with what to do, and changes nothing', async () => {
      const s = sessions[who];
      const before = await snapshot();
      // Authors may only edit what they created (the Content Manager's own rule): their
      // update/delete/clone may be refused before the guard; creation reaches it for every role.
      const ours = who === 'Author' ? undefined : ASSET_REFUSED;
      const pub = gallery.assets.clean.documentId;
      const http = app.http;
      const cases: Array<[string, () => Promise<any>, RegExp | undefined]> = [
        ['create', () => http.post(CM(UID.asset)).set(s.auth).send(newAssetBody()), ASSET_REFUSED],
        ['create and publish', () => http.post(`${CM(UID.asset)}/actions/publish`).set(s.auth).send(newAssetBody()), ASSET_REFUSED],
        ['update status', () => http.put(`${CM(UID.asset)}/${draft.documentId}`).set(s.auth).send({ status: 'published', slot: 'hero' }), ours],
        ['update qc', () => http.put(`${CM(UID.asset)}/${draft.documentId}`).set(s.auth).send({ qcStatus: 'pass', qc: [] }), ours],
        ['update file', () => http.put(`${CM(UID.asset)}/${pub}`).set(s.auth).send({ file: null }), ours],
        ['update alt', () => http.put(`${CM(UID.asset)}/${pub}`).set(s.auth).send({ alt: 'edited around the workflow' }), ours],
        ['move to another product', () => http.put(`${CM(UID.asset)}/${pub}`).set(s.auth).send({ product: null }), ours],
        ['delete', () => http.delete(`${CM(UID.asset)}/${pub}`).set(s.auth), ours],
        ['clone', () => http.post(`${CM(UID.asset)}/clone/${pub}`).set(s.auth).send({ status: 'published' }), ours],
        ['auto-clone', () => http.post(`${CM(UID.asset)}/auto-clone/${pub}`).set(s.auth).send({}), undefined],
        ['publish', () => http.post(`${CM(UID.asset)}/${draft.documentId}/actions/publish`).set(s.auth).send({}), ASSET_REFUSED],
        ['unpublish', () => http.post(`${CM(UID.asset)}/${pub}/actions/unpublish`).set(s.auth).send({}), ASSET_REFUSED],
        ['discard draft', () => http.post(`${CM(UID.asset)}/${pub}/actions/discard`).set(s.auth).send({}), ASSET_REFUSED],
        ['bulk delete', () => http.post(`${CM(UID.asset)}/actions/bulkDelete`).set(s.auth).send({ documentIds: [pub, draft.documentId] }), ours],
        ['bulk publish', () => http.post(`${CM(UID.asset)}/actions/bulkPublish`).set(s.auth).send({ documentIds: [draft.documentId] }), ASSET_REFUSED],
        ['bulk unpublish', () => http.post(`${CM(UID.asset)}/actions/bulkUnpublish`).set(s.auth).send({ documentIds: [pub] }), ASSET_REFUSED],
      ];
      for (const [what, call, message] of cases) expectRefused(await call(), `${who}: ${what}`, message);
      expect(await snapshot()).toEqual(before);
      // Reading is still allowed (the Content Manager shows them, read-only).
      if (who !== 'Author') expect((await http.get(`${CM(UID.asset)}/${pub}`).set(s.auth)).status).toBe(200);
    });

    it('audit events cannot be created, edited or deleted', async () => {
      const s = sessions[who];
      const before = await snapshot();
      const ours = who === 'Author' ? undefined : AUDIT_REFUSED;
      const http = app.http;
      const id = auditEvent.documentId;
      const cases: Array<[string, () => Promise<any>, RegExp | undefined]> = [
        ['create', () => http.post(CM(UID.audit)).set(s.auth).send({ asset: draft.documentId, to: 'approved', at: new Date().toISOString(), actor: 'someone' }), AUDIT_REFUSED],
        ['update', () => http.put(`${CM(UID.audit)}/${id}`).set(s.auth).send({ note: 'rewritten' }), ours],
        ['delete', () => http.delete(`${CM(UID.audit)}/${id}`).set(s.auth), ours],
        ['clone', () => http.post(`${CM(UID.audit)}/clone/${id}`).set(s.auth).send({ to: 'published' }), ours],
        ['bulk delete', () => http.post(`${CM(UID.audit)}/actions/bulkDelete`).set(s.auth).send({ documentIds: [id] }), ours],
      ];
      for (const [what, call, message] of cases) expectRefused(await call(), `${who}: audit ${what}`, message);
      expect(await snapshot()).toEqual(before);
    });

    it("a product's computed fields are refused, naming the field; its own fields still save", async () => {
      const s = sessions[who];
      const p = await createProduct(app, { sourcePhoto: file.id });
      const other = await createAsset(app, { product: p, role: 'model', status: 'draft', file });
      const before = await snapshot();
      const put = (data: Record<string, unknown>) => app.http.put(`${CM(UID.product)}/${p.documentId}`).set(s.auth).send(data);
      const cases: Array<[string, Record<string, unknown>, string]> = [
        ['galleryVersion', { galleryVersion: 999 }, 'galleryVersion'],
        ['reference', { reference: { sourceFileId: file.id, hash: 'forged' } }, 'reference'],
        ['assets: take the published one', { assets: { connect: [gallery.assets.clean.documentId] } }, 'assets'],
        ['assets: drop its own', { assets: { disconnect: [other.documentId] } }, 'assets'],
        ['assets: set', { assets: { set: [] } }, 'assets'],
      ];
      const outcomes: string[] = [];
      for (const [what, data, field] of cases) {
        const res = await put(data);
        if (who === 'Author' && res.status === 403) {
          outcomes.push(`${field}: not theirs`); // not the Author's product: the Content Manager refuses first
          continue;
        }
        if (res.status === 200) {
          // The Content Manager drops fields no role may write (private, configurable: false) before
          // the documents API sees them: ignored, and the snapshot below shows nothing changed.
          outcomes.push(`${field}: dropped`);
          continue;
        }
        expectRefused(res, `${who}: product ${what}`, new RegExp(`${field}: computed by the Product gallery`));
        expect(res.status).toBe(400);
        outcomes.push(`${field}: 400`);
      }
      if (who !== 'Author') expect(outcomes).toEqual(['galleryVersion: dropped', 'reference: dropped', 'assets: 400', 'assets: 400', 'assets: 400']);
      const created = await app.http
        .post(CM(UID.product))
        .set(s.auth)
        .send({ title: `Forged ${who}`, sku: `FORGED-${who.replace(' ', '')}`, category: 'ring', metal: 'silver', galleryVersion: 7, assets: { connect: [other.documentId] } });
      expectRefused(created, `${who}: product create with computed fields`, /assets: computed/);
      expect(await snapshot()).toEqual(before);

      // Editors keep editing the product's own fields in the Content Manager.
      if (who !== 'Author') {
        const edit = await put({ title: `Renamed by ${who}`, description: 'edited in the Content Manager', assets: { connect: [], disconnect: [] } });
        expect(edit.status).toBe(200);
        expect(edit.body.data).toMatchObject({ title: `Renamed by ${who}` });
        const row = await app.strapi.db.query(UID.product).findOne({ where: { id: p.id }, populate: { assets: { select: ['id'] } } });
        expect(row.assets.map((a: any) => a.id)).toEqual([other.id]);
      }
      const own = await app.http
        .post(CM(UID.product))
        .set(s.auth)
        .send({ title: `Own product ${who}`, sku: `OWN-${who.replace(' ', '')}`, category: 'ring', metal: 'silver', assets: { connect: [], disconnect: [] } });
      expect(own.status).toBe(201);
    });
  });

  it('a product with images cannot be cloned (the copy would take its images), one without can', async () => {
    const before = await snapshot();
    const s = sessions['Super Admin'];
    const res = await app.http.post(`${CM(UID.product)}/clone/${gallery.product.documentId}`).set(s.auth).send({ title: 'Copy', sku: 'COPY-1', slug: 'copy-1' });
    expectRefused(res, 'clone a product with images', /assets: this product has 2 image/);
    expect(await snapshot()).toEqual(before);
    const bare = await createProduct(app);
    const copy = await app.http.post(`${CM(UID.product)}/clone/${bare.documentId}`).set(s.auth).send({ title: 'Copy of bare', sku: 'COPY-2', slug: 'copy-of-bare' });
    expect(copy.status).toBe(200);
  });

  it('app code and other plugins calling the documents API are refused the same way', async () => {
    const before = await snapshot();
    const docs = (uid: string) => app.strapi.documents(uid as any) as any;
    const pub = gallery.assets.clean.documentId;
    await expect(docs(UID.asset).create({ data: { ...newAssetBody(), file: file.id } })).rejects.toThrow(ASSET_REFUSED);
    await expect(docs(UID.asset).update({ documentId: draft.documentId, data: { status: 'published', slot: 'hero' } })).rejects.toThrow(ASSET_REFUSED);
    await expect(docs(UID.asset).delete({ documentId: pub })).rejects.toThrow(ASSET_REFUSED);
    await expect(docs(UID.asset).clone({ documentId: pub, data: {} })).rejects.toThrow(ASSET_REFUSED);
    // publish / unpublish / discardDraft exist only on draft-and-publish types; if one is ever turned on, they are refused too.
    for (const action of ['publish', 'unpublish', 'discardDraft']) {
      if (typeof docs(UID.asset)[action] === 'function') await expect(docs(UID.asset)[action]({ documentId: pub })).rejects.toThrow(ASSET_REFUSED);
    }
    await expect(docs(UID.audit).create({ data: { asset: pub, to: 'published', at: new Date() } })).rejects.toThrow(AUDIT_REFUSED);
    await expect(docs(UID.audit).update({ documentId: auditEvent.documentId, data: { note: 'x' } })).rejects.toThrow(AUDIT_REFUSED);
    await expect(docs(UID.audit).delete({ documentId: auditEvent.documentId })).rejects.toThrow(AUDIT_REFUSED);
    await expect(docs(UID.product).update({ documentId: gallery.product.documentId, data: { reference: { sourceFileId: file.id, forged: true } } })).rejects.toThrow(/reference: computed/);
    await expect(docs(UID.product).update({ documentId: gallery.product.documentId, data: { galleryVersion: 0 } })).rejects.toThrow(/galleryVersion: computed/);
    // Reads still work.
    expect(await docs(UID.asset).findOne({ documentId: pub })).toMatchObject({ status: 'published' });
    expect(await docs(UID.audit).count({})).toBe(before.audits.length);
    expect(await snapshot()).toEqual(before);
  });

  it('the Media Library cannot replace or delete a gallery image or a source photo; other files still can', async () => {
    const s = sessions['Super Admin'];
    const before = await snapshot();
    const stored = await app.strapi.db.query('plugin::upload.file').findOne({ where: { id: file.id } });
    const bytes = (await app.http.get(stored.url)).body as Buffer;
    const other = photoPath('04_');
    const replaced = await app.http.post(`/upload/files/${file.id}/replace`).set(s.auth).field('fileInfo', JSON.stringify({ name: 'swap.jpg' })).attach('files', other);
    expectRefused(replaced, 'replace a gallery image file', /image.* of the Product gallery and cannot be replaced/);
    expectRefused(await app.http.post(`/upload?id=${file.id}`).set(s.auth).attach('files', other), 'replace through ?id=', /cannot be replaced/);
    expectRefused(await app.http.delete(`/upload/files/${file.id}`).set(s.auth), 'delete a gallery image file', /cannot be deleted/);
    const bulk = await app.http.post('/upload/actions/bulk-delete').set(s.auth).send({ fileIds: [file.id], folderIds: [] });
    expectRefused(bulk, 'bulk delete a gallery image file', /cannot be deleted/);
    expect(await app.strapi.db.query('plugin::upload.file').findOne({ where: { id: file.id } })).toEqual(stored);
    expect(Buffer.compare((await app.http.get(stored.url)).body as Buffer, bytes)).toBe(0);
    expect(await snapshot()).toEqual(before);

    // A source photo only (no image made from it yet) is refused too; an unused file is not.
    const source = await uploadPhoto(app);
    await createProduct(app, { sourcePhoto: source.id });
    expectRefused(await app.http.delete(`/upload/files/${source.id}`).set(s.auth), 'delete a source photo', /source photo of a product/);
    const unused = await uploadPhoto(app);
    expect((await app.http.delete(`/upload/files/${unused.id}`).set(s.auth)).status).toBe(200);
  });

  it("the plugin's own flows still write: review and publish over its admin API", async () => {
    const s = sessions.Editor;
    const before = await snapshot();
    const a = await createAsset(app, { product: gallery.product, role: 'detail', status: 'in_review', file });
    const t = (to: string, version: number) => app.http.post(`/product-gallery/assets/${a.documentId}/transition`).set(s.auth).send({ to, version });
    expect((await t('approved', 1)).status).toBe(200);
    expect((await t('published', 2)).status).toBe(200);
    const after = await snapshot();
    expect(after.page.body.data.slots.map((x: any) => x.slot)).toEqual([...before.page.body.data.slots.map((x: any) => x.slot), 'gallery-3']);
    expect(after.audits.length).toBe(before.audits.length + 3);
  });

  it('the Content Manager shows the fields read-only, also in an installation that stored them editable', async () => {
    const s = sessions['Super Admin'];
    const config = async (uid: string) => (await app.http.get(`/content-manager/content-types/${uid}/configuration`).set(s.auth)).body.data.contentType.metadatas;
    const editable = (metadatas: any, fields: string[]) => fields.map((f) => [f, metadatas[f].edit.editable]);
    const assetFields = ['status', 'slot', 'qcStatus', 'qc', 'file', 'product', 'alt'];
    expect(editable(await config(UID.asset), assetFields)).toEqual(assetFields.map((f) => [f, false]));
    expect(editable(await config(UID.audit), ['note', 'to'])).toEqual([['note', false], ['to', false]]);
    expect(editable(await config(UID.product), ['assets', 'title', 'sourcePhoto'])).toEqual([['assets', false], ['title', true], ['sourcePhoto', true]]);

    // An older installation's stored view configuration (every field editable) is corrected at start.
    const store = app.strapi.store({ type: 'plugin', name: 'content_manager' });
    const key = `configuration_content_types::${UID.asset}`;
    const stored: any = await store.get({ key });
    for (const f of Object.keys(stored.metadatas)) if (stored.metadatas[f].edit) stored.metadatas[f].edit.editable = true;
    await store.set({ key, value: stored });
    const dbEnv = app.dbEnv;
    await app.stop({ keepDatabase: true });
    app = await startApp({ dbEnv });
    const admin = await adminSession(app);
    const after = (await app.http.get(`/content-manager/content-types/${UID.asset}/configuration`).set(admin.auth)).body.data.contentType.metadatas;
    expect(editable(after, assetFields)).toEqual(assetFields.map((f) => [f, false]));
  });
});

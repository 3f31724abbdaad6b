import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct } from '../support/products';
import { createAsset, move, stopWorker } from '../support/fixtures';
import { PROMPT_LIMITS } from '../../plugins/product-gallery/server/src/domain/prompt';

/**
 * Prompts stay bounded whatever a brief, a product record or a review loop puts in them, and a
 * brief's model names can only be Replicate names.
 */
describe('prompts and model names are bounded at every boundary', () => {
  let app: TestApp;
  let admin: AdminSession;
  let brief: any;
  let product: { documentId: string };

  beforeAll(async () => {
    app = await startApp();
    await stopWorker(app);
    admin = await adminSession(app);
    const briefs = await app.http.get('/product-gallery/briefs').set(admin.auth);
    brief = briefs.body.data.find((b: any) => b.name === 'Rings');
    // The longest record the product schema accepts where it matters: a 10,000-character description, 50 stones.
    const stones = Array.from({ length: 50 }, (_, i) => ({ type: `lab-grown diamond number ${i} of the halo`.slice(0, 60), color: 'icy white with blue fire', count: 12, sizeMm: 1.5, shape: 'round brilliant' }));
    const res = await createProduct(app, admin, {
      title: 'Halo ring',
      sku: 'HALO-1',
      category: 'ring',
      metal: 'white-gold',
      description: 'A very long story about this ring. '.repeat(300).slice(0, 10_000),
      stones,
    });
    expect(res.status).toBe(201);
    product = res.body.data;
  });
  afterAll(async () => {
    await app?.stop();
  });

  const roles = (change: Record<string, unknown>, role = 'model') =>
    brief.roles.map(({ id: _id, sceneImage: _s, ...r }: any) => (r.role === role ? { ...r, ...change } : r));

  it('refuses a template that could render past the bound, with a 400 naming the field', async () => {
    // 4,000 characters of placeholders: within the template's own limit, megabytes once rendered.
    const template = '{{stones}}'.repeat(400);
    const res = await app.http.put(`/product-gallery/briefs/${brief.documentId}`).set(admin.auth).send({ roles: roles({ promptTemplate: template }) });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(new RegExp(`^On model › Prompt template: renders to up to \\d+ characters .*keep it within ${PROMPT_LIMITS.rendered}`));
    const negative = await app.http
      .put(`/product-gallery/briefs/${brief.documentId}`)
      .set(admin.auth)
      .send({ roles: roles({ negativePrompt: '{{description}} '.repeat(6) }, 'clean') });
    expect(negative.status).toBe(400);
    expect(negative.body.error.message).toMatch(/^Clean › Negative prompt: renders to up to/);
    // Nothing was saved.
    const after = await app.http.get(`/product-gallery/briefs/${brief.documentId}`).set(admin.auth);
    expect(after.body.data.roles.map((r: any) => r.promptTemplate)).toEqual(brief.roles.map((r: any) => r.promptTemplate));
  });

  it('a long but reasonable template is accepted', async () => {
    const template = `${'Keep every stone and the engraving exactly as photographed. '.repeat(40)}{{title}}, {{stones}}, {{description}}`;
    const res = await app.http.put(`/product-gallery/briefs/${brief.documentId}`).set(admin.auth).send({ roles: roles({ promptTemplate: template }) });
    expect(res.status).toBe(200);
    brief = res.body.data;
  });

  it('the preview (read only) refuses an unbounded template and renders long product values clipped', async () => {
    const author = await adminSession(app, { roleCode: 'strapi-author' });
    const url = `/product-gallery/briefs/${brief.documentId}/preview`;
    const hostile = await app.http
      .post(url)
      .set(author.auth)
      .send({ product: product.documentId, roles: [{ role: 'model', promptTemplate: '{{description}}'.repeat(266) }] });
    expect(hostile.status).toBe(400);
    expect(hostile.body.error.message).toMatch(/^On model › Prompt template: renders to up to/);

    const res = await app.http
      .post(url)
      .set(author.auth)
      .send({ product: product.documentId, roles: [{ role: 'model', promptTemplate: 'Stones: {{stones}}. Story: {{description}}. {{nope}}' }] });
    expect(res.status).toBe(200);
    const [shot] = res.body.data;
    expect(shot.unknownPlaceholders).toEqual(['nope']);
    const story = shot.prompt.split('Story: ')[1];
    expect(story.length).toBeLessThanOrEqual(PROMPT_LIMITS.values.description + '. {{nope}}'.length);
    expect(story).toMatch(/^A very long story about this ring\..*…\. \{\{nope\}\}$/);
    const stones = shot.prompt.split('Story: ')[0];
    expect(stones.length).toBeLessThanOrEqual(PROMPT_LIMITS.values.stones + 'Stones: . '.length);
    // The brief as stored renders within the bound too.
    const stored = await app.http.post(url).set(author.auth).send({ product: product.documentId });
    expect(stored.status).toBe(200);
    for (const s of stored.body.data) expect(s.prompt.length).toBeLessThanOrEqual(PROMPT_LIMITS.rendered);
  });

  it('a rejected image carries only the newest reviewer notes into its next prompt', async () => {
    const productRow = await app.strapi.db.query('plugin::product-gallery.product').findOne({ where: { documentId: product.documentId } });
    const asset = await createAsset(app, { product: productRow, role: 'model', status: 'in_review' });
    await move(app, asset.documentId, 'rejected');
    const basePrompt = 'SECRET-PROMPT keep the pearls';
    for (let round = 1; round <= 6; round++) {
      const current = await app.http.get(`/product-gallery/assets/${asset.documentId}`).set(admin.auth);
      const note = `round ${round}: ${'the clasp is wrong, keep the original clasp. '.repeat(60)}`.slice(0, 1500);
      const res = await app.http
        .post(`/product-gallery/assets/${asset.documentId}/transition`)
        .set(admin.auth)
        .send({ to: 'queued', version: current.body.data.version, note });
      expect(res.status).toBe(200);
      for (const to of ['generating', 'draft', 'in_review', 'rejected']) await move(app, asset.documentId, to);
    }
    const review = await app.http.get(`/product-gallery/assets/${asset.documentId}`).set(admin.auth);
    const prompt: string = review.body.data.prompt;
    expect(prompt.startsWith(basePrompt)).toBe(true);
    expect(prompt.length).toBeLessThanOrEqual(basePrompt.length + PROMPT_LIMITS.notes + PROMPT_LIMITS.noteCount * 30);
    expect(prompt).toContain('round 6:');
    expect(prompt).not.toContain('round 1:');
    expect(prompt.split("Reviewer's note to fix: ").length - 1).toBeLessThanOrEqual(PROMPT_LIMITS.noteCount);
  });

  it.each(['../../account', 'owner/..', '../account', 'owner/%2e%2e', 'owner/name?x=1'])('a brief naming model %j is a 400 naming the field', async (model) => {
    const res = await app.http.put(`/product-gallery/briefs/${brief.documentId}`).set(admin.auth).send({ roles: roles({ model, generator: 'replicate' }) });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^On model › Model must be a Replicate model such as owner\/name/);
  });
});

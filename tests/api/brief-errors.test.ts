import { quietAppForSuite } from '../support/fixtures';

/**
 * A brief the server refuses comes back as a 400 whose details place each problem (its path, for
 * the editor to outline the field) and say it in the brief editor's words, and nothing is saved.
 */
describe('brief validation speaks the editor’s words', () => {
  const suite = quietAppForSuite();
  let brief: any;

  beforeAll(async () => {
    const briefs = await suite.app.http.get('/product-gallery/briefs').set(suite.admin.auth);
    brief = briefs.body.data.find((b: any) => b.name === 'Rings');
  });

  const roles = (changes: Record<string, Record<string, unknown>>) =>
    brief.roles.map(({ id: _id, sceneImage: _s, ...r }: any) => ({ ...r, ...(changes[r.role] ?? {}) }));
  const indexOf = (role: string) => String(brief.roles.findIndex((r: any) => r.role === role));
  const put = (body: unknown) => suite.app.http.put(`/product-gallery/briefs/${brief.documentId}`).set(suite.admin.auth).send(body);

  it('names each bad field by its label and role, with the path to place it, and saves nothing', async () => {
    const res = await put({
      name: '',
      roles: roles({ model: { minLongEdge: 120 }, clean: { aspectRatio: 'square', minLongEdge: 'big' } }),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('ValidationError');
    const problems = res.body.error.details.errors.map((e: any) => ({ path: e.path.join('.'), message: e.message }));
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'name', message: 'Name: a brief needs a name' },
        { path: `roles.${indexOf('model')}.minLongEdge`, message: 'On model › Min. long edge must be at least 300 px' },
        { path: `roles.${indexOf('clean')}.aspectRatio`, message: 'Clean › Aspect ratio must be an aspect ratio such as 1:1, 4:5 or 16:9' },
        { path: `roles.${indexOf('clean')}.minLongEdge`, message: 'Clean › Min. long edge must be a number' },
      ])
    );
    expect(problems).toHaveLength(4);
    // The summary reads as the same sentences, no dotted paths, no zod jargon.
    expect(res.body.error.message).toContain('On model › Min. long edge must be at least 300 px');
    expect(res.body.error.message).not.toMatch(/roles\.\d|Invalid input|expected/);

    const after = await suite.app.http.get(`/product-gallery/briefs/${brief.documentId}`).set(suite.admin.auth);
    expect(after.body.data.name).toBe(brief.name);
    expect(after.body.data.version).toBe(brief.version);
    expect(after.body.data.roles.map((r: any) => [r.role, r.minLongEdge, r.aspectRatio])).toEqual(
      brief.roles.map((r: any) => [r.role, r.minLongEdge, r.aspectRatio])
    );
  });

  it('words zod’s own checks too: whole numbers, on/off fields, unknown fields, slot plan rows', async () => {
    const res = await put({
      roles: roles({ detail: { minLongEdge: 2000.5, allowScenePreviews: 'yes', colour: 'red' } }),
      slotPlan: [{ slot: 'hero', roles: [] }],
    });
    expect(res.status).toBe(400);
    const messages = res.body.error.details.errors.map((e: any) => e.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'Detail › Min. long edge must be a whole number',
        'Detail › Count scene previews must be on or off',
        'Detail has fields a brief does not know: colour',
        'Slot plan › Hero: a slot needs at least one role',
      ])
    );
  });

  it('a category another brief already has is refused in words, at the categories field', async () => {
    const clone = await suite.app.http
      .post(`/product-gallery/briefs/${brief.documentId}/clone`)
      .set(suite.admin.auth)
      .send({ name: `Rings clash ${Date.now()}`, categories: ['ring'] });
    expect(clone.status).toBe(400);
    expect(clone.body.error.details.errors).toEqual([
      { path: ['categories'], name: 'ValidationError', message: expect.stringMatching(/^Categories: "ring" already has a default brief \("Rings"\)/) },
    ]);
  });

  it('keeps allowScenePreviews per role, off unless switched on', async () => {
    expect(brief.roles.every((r: any) => r.allowScenePreviews === false || r.allowScenePreviews == null)).toBe(true);
    const res = await put({ roles: roles({ lifestyle: { allowScenePreviews: true } }) });
    expect(res.status).toBe(200);
    const after = await suite.app.http.get(`/product-gallery/briefs/${brief.documentId}`).set(suite.admin.auth);
    const byRole = Object.fromEntries(after.body.data.roles.map((r: any) => [r.role, Boolean(r.allowScenePreviews)]));
    expect(byRole).toMatchObject({ lifestyle: true, model: false, clean: false });
  });
});

import { quietAppForSuite } from '../support/fixtures';
import { UID } from '../../plugins/product-gallery/server/src/domain/vocabulary';

const CM = `/content-manager/collection-types/${UID.product}`;

/**
 * The slug an editor sees in the Content Manager is the slug saved: left empty (the field says it
 * is made on save) it comes from the title; typed, it is kept as typed, even "product".
 */
describe('a product’s slug is what the editor saw', () => {
  const suite = quietAppForSuite();

  const create = (data: Record<string, unknown>) =>
    suite.app.http.post(CM).set(suite.admin.auth).send({ category: 'ring', metal: 'silver', ...data });

  it('the field starts empty and says the slug is made on save', async () => {
    const layout = await suite.app.http.get(`/content-manager/content-types/${UID.product}/configuration`).set(suite.admin.auth);
    expect(layout.status).toBe(200);
    expect(layout.body.data.contentType.metadatas.slug.edit.description).toMatch(/made from the title when you save/);
    // Not required: the Content Manager makes no default ("product") before the title is typed.
    const init = await suite.app.http.get('/content-manager/init').set(suite.admin.auth);
    const product = init.body.data.contentTypes.find((t: { uid: string }) => t.uid === UID.product);
    expect(product.attributes.slug).toMatchObject({ type: 'uid', targetField: 'title' });
    expect(product.attributes.slug.required).toBeFalsy();
  });

  it('an empty slug is made from the title; a typed one, even "product", is kept', async () => {
    const empty = await create({ title: 'Émeraude Halo Ring', sku: 'SLUG-1', slug: '' });
    expect(empty.status).toBe(201);
    expect(empty.body.data.slug).toBe('emeraude-halo-ring');
    const again = await create({ title: 'Émeraude Halo Ring', sku: 'SLUG-2' });
    // The Content Manager's "regenerate" suggestion for the same title: its uid service numbers from 1.
    expect(again.body.data.slug).toBe('emeraude-halo-ring-1');

    const typed = await create({ title: 'Gold band', sku: 'SLUG-3', slug: 'product' });
    expect(typed.status).toBe(201);
    expect(typed.body.data.slug).toBe('product');
    const saved = await suite.app.http.get(`${CM}/${typed.body.data.documentId}`).set(suite.admin.auth);
    expect(saved.body.data.slug).toBe('product');

    // Nothing in the title to make a slug from: the Content Manager's default, kept unique.
    const symbols = await create({ title: '★ ★ ★', sku: 'SLUG-4' });
    expect(symbols.status).toBe(201);
    expect(symbols.body.data.slug).toBe('product-1');

    // The longest title the schema takes, full of what slugify lengthens, still saves: its slug is its first words.
    const long = await create({ title: `R&D ${'Gold&Silver '.repeat(20)}`.slice(0, 200), sku: 'SLUG-5' });
    expect([long.status, long.body.error?.message]).toEqual([201, undefined]);
    expect(long.body.data.slug.length).toBeLessThanOrEqual(120);
    expect(long.body.data.slug).toMatch(/^r-and-d-gold-and-silver-/);
  });
});

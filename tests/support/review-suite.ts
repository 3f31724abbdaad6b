/**
 * The set-up of the tests that check who may move an asset: an app whose worker is stopped (the
 * tests make every move themselves), a super admin, an Author and an Editor (Strapi's own roles),
 * and one product with a source photo for their assets.
 */
import { adminSession, type AdminSession } from './strapi';
import { createProduct, quietAppForSuite, uploadPhoto } from './fixtures';

type Suite = ReturnType<typeof quietAppForSuite> & {
  author: AdminSession;
  editor: AdminSession;
  file: Awaited<ReturnType<typeof uploadPhoto>>;
  product: Awaited<ReturnType<typeof createProduct>>;
};

/** Registers the suite's beforeAll and afterAll; read its fields inside tests. */
export const reviewSuite = () => {
  const suite = quietAppForSuite() as Suite;
  beforeAll(async () => {
    suite.author = await adminSession(suite.app, { roleCode: 'strapi-author' });
    suite.editor = await adminSession(suite.app, { roleCode: 'strapi-editor' });
    suite.file = await uploadPhoto(suite.app);
    suite.product = await createProduct(suite.app, { sourcePhoto: suite.file.id });
  });
  /** POST /assets/:documentId/transition as `session`. */
  const transition = (session: AdminSession, documentId: string, body: Record<string, unknown>) =>
    suite.app.http.post(`/product-gallery/assets/${documentId}/transition`).set(session.auth).send(body);
  return Object.assign(suite, { transition });
};

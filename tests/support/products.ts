import path from 'node:path';
import type { TestApp, AdminSession } from './strapi';
import { PHOTOS_DIR } from './photos';

export const PRODUCT_CM = '/content-manager/collection-types/plugin::product-gallery.product';

/** Uploads a file through the Media Library's admin upload route, as the admin does. */
export const uploadPhoto = async (app: TestApp, session: AdminSession, file: string, name?: string) => {
  const res = await app.http
    .post('/upload')
    .set(session.auth)
    .attach('files', path.isAbsolute(file) ? file : path.join(PHOTOS_DIR, file), name ? { filename: name } : undefined);
  if (res.status !== 201 && res.status !== 200) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body[0] as { id: number; url: string; mime: string };
};

/** Creates a product through the Content Manager API, as an editor would in the admin. */
export const createProduct = async (
  app: TestApp,
  session: AdminSession,
  data: Record<string, unknown>
) => app.http.post(PRODUCT_CM).set(session.auth).send(data);

/** createProduct that must succeed: the created product, or an error saying what the API answered. */
export const createProductOrFail = async (app: TestApp, session: AdminSession, data: Record<string, unknown>) => {
  const res = await createProduct(app, session, data);
  if (res.status !== 201) throw new Error(`product create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as { documentId: string; slug: string };
};

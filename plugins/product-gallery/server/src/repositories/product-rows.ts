import type { Core } from '@strapi/strapi';
import { UID } from '../domain/vocabulary';

/**
 * The plugin's writes below the query engine's entity API, each with the reason the entity API
 * (strapi.db.query) cannot make it. Everything else reads and writes through strapi.db.query.
 *
 * - bumpGalleryVersion: `galleryVersion = galleryVersion + 1` in one UPDATE through Strapi's
 *   query builder (strapi.db.queryBuilder), because the entity API can only write a value we
 *   computed (read, add one, write: two moves at once would both write the same number), and
 *   because the UPDATE is what makes the moves of one gallery happen one after the other: inside
 *   a transaction it locks the product row until commit (PostgreSQL; a SQLite write transaction
 *   is alone anyway). The query builder joins the ambient transaction like the entity API. It
 *   bypasses lifecycles on purpose: the caller's own writes tell the read model what changed.
 */
export const bumpGalleryVersion = async (strapi: Core.Strapi, productId: number) => {
  const meta = strapi.db.metadata.get(UID.product);
  const columnOf = (name: string) => (meta.attributes[name] as { columnName?: string }).columnName ?? name;
  const version = columnOf('galleryVersion');
  // Rows from before the counter existed hold NULL, which + 1 would keep NULL.
  await strapi.db.queryBuilder(UID.product).where({ id: productId, galleryVersion: null }).update({ [version]: 0 }).execute();
  await strapi.db
    .queryBuilder(UID.product)
    .where({ id: productId })
    .increment(version, 1)
    .update({ [columnOf('updatedAt')]: new Date() })
    .execute();
};

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Core } from '@strapi/strapi';
import { DEFAULT_SLOT_PLAN } from '../domain/slot-plan';
import { UID } from '../domain/vocabulary';
import { etagOf, oneBody, shapeGallery, type PublishedAssetRow } from '../domain/gallery-shape';
import { getService } from '../utils/get-service';
import { conflict } from '../utils/errors';
import { createSnapshotsUnlessPresent } from '../repositories/low-level';

/**
 * Which shape of stored body this code writes. Raise it when shapeGallery's output changes: boot
 * rebuilds every row written in another shape, so an upgrade never serves the old one.
 */
export const SNAPSHOT_SHAPE = 1;

/** Products rebuilt per round of queries (each round: 4 reads, then the writes). */
const BATCH = 200;

/**
 * Rounds a batch may take when other transactions keep writing its rows meanwhile (each lost
 * round follows such a write, so this is never reached in practice): past it the change is
 * refused (409, the editor tries again) rather than leave a gallery no one knows is stale.
 */
const ROUNDS = 5;

const chunks = <T>(list: T[], size: number) => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

/**
 * The storefront read model's writer: one row per product with a published gallery, holding the
 * exact GET /galleries/:slug body and its ETag. Rows are written with the change that alters
 * them, inside its transaction (the query engine joins the ambient strapi.db.transaction), so a
 * storefront on any instance reads either the old gallery or the new one, never a stale one.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  /**
   * Products changed so far by the transaction this async context runs in, written once at its
   * end: a publish that archives the image it replaces and sets a file writes each row once.
   * Closed once written, so work a transaction left running cannot add to a set no one reads.
   */
  const pending = new AsyncLocalStorage<{ ids: Set<number>; open: boolean }>();
  const snapshots = () => strapi.db.query(UID.gallerySnapshot);
  const source = () => getService(strapi, 'gallerySource');

  type Row = { productId: number; slug: string; body: string; etag: string; shape: number };

  /**
   * One batch of rebuild; returns the products whose row another transaction wrote after this
   * one read it. Without the workflow's product lock (a Content Manager edit during a publish),
   * two transactions can each shape a product's gallery from what they alone see: each write is
   * therefore made only on the row as read (its ETag), or only where there is none, and one
   * that finds the row changed leaves it to be shaped again from what is visible now.
   * PostgreSQL lets such a write go on only once the other transaction has ended.
   */
  const write = async (ids: number[]): Promise<number[]> => {
    const products = await source().products({ ids });
    const [assets, plans, rows] = await Promise.all([
      source().publishedAssets(products.map((p) => p.id)),
      source().plansFor(products),
      snapshots().findMany({ where: { productId: { $in: ids } }, select: ['id', 'productId', 'slug', 'etag', 'shape'] }),
    ]);
    const assetsOf = new Map<number, PublishedAssetRow[]>();
    for (const a of assets) {
      const list = assetsOf.get(a.productId);
      if (list) list.push(a);
      else assetsOf.set(a.productId, [a]);
    }
    const rowOf = new Map(rows.map((r: any) => [Number(r.productId), r]));
    const productOf = new Map(products.map((p) => [p.id, p]));
    const gone: { id: number; etag: string; productId: number }[] = [];
    const created: Row[] = [];
    const lost: number[] = [];
    for (const id of ids) {
      const product = productOf.get(id);
      const gallery = product ? shapeGallery(product, plans.get(id) ?? DEFAULT_SLOT_PLAN, assetsOf.get(id) ?? []) : null;
      const row = rowOf.get(id);
      if (!gallery) {
        if (row) gone.push({ id: row.id, etag: row.etag, productId: id });
        continue;
      }
      const body = oneBody(gallery);
      const data: Row = { productId: id, slug: gallery.product.slug, body, etag: etagOf(body), shape: SNAPSHOT_SHAPE };
      if (!row) created.push(data);
      else if (row.etag !== data.etag || row.slug !== data.slug || row.shape !== SNAPSHOT_SHAPE) {
        const { count } = await snapshots().updateMany({ where: { id: row.id, etag: row.etag }, data });
        if (!count) lost.push(id);
      }
    }
    if (gone.length) {
      const { count } = await snapshots().deleteMany({ where: { $or: gone.map(({ id, etag }) => ({ id, etag })) } });
      // All of them go round again: one whose row is gone has neither gallery nor row, and stays so.
      if (count < gone.length) lost.push(...gone.map((g) => g.productId));
    }
    if (created.length) {
      await createSnapshotsUnlessPresent(strapi, created);
      const written = await snapshots().findMany({ where: { productId: { $in: created.map((c) => c.productId) } }, select: ['productId', 'etag', 'shape'] });
      const etagOfWritten = new Map(written.map((r: any) => [Number(r.productId), r.shape === SNAPSHOT_SHAPE ? r.etag : null]));
      lost.push(...created.filter((c) => etagOfWritten.get(c.productId) !== c.etag).map((c) => c.productId));
    }
    return lost;
  };

  const service = {
    /** Writes (or removes) these products' rows from the database as it is now. */
    async rebuild(productIds: Iterable<number>) {
      for (const batch of chunks([...new Set(productIds)], BATCH)) {
        let ids = batch;
        for (let round = 1; ids.length; round += 1) {
          if (round > ROUNDS) {
            throw conflict('Other changes to the same product’s published gallery kept landing while this one was saved. Nothing was changed: try again.', {
              code: 'gallery_busy',
              productIds: ids,
            });
          }
          ids = await write(ids);
        }
      }
    },

    /**
     * These products' galleries may have changed: inside service.transaction, noted for its end;
     * otherwise written now (in the caller's transaction when there is one).
     */
    async changed(productIds: Iterable<number>) {
      const scope = pending.getStore();
      if (scope?.open) {
        for (const id of productIds) scope.ids.add(id);
        return;
      }
      await service.rebuild(productIds);
    },

    /** strapi.db.transaction, with the galleries it changes written once, just before it commits. */
    async transaction<T>(work: () => Promise<T>): Promise<T> {
      if (pending.getStore()?.open) return strapi.db.transaction(work);
      return strapi.db.transaction(() => {
        const scope = { ids: new Set<number>(), open: true };
        return pending.run(scope, async () => {
          const result = await work();
          scope.open = false;
          await service.rebuild(scope.ids);
          return result;
        });
      });
    },

    /**
     * On boot: rows for every product with a published image that has none, or one of another
     * shape (a database from before the read model, or an older release), in batches.
     */
    async backfill() {
      const published = await strapi.db.query(UID.product).findMany({ where: { assets: { status: 'published' } }, select: ['id'] });
      const wanted = new Set<number>(published.map((p: any) => Number(p.id)));
      const current = await snapshots().findMany({ where: { shape: SNAPSHOT_SHAPE }, select: ['productId'] });
      for (const r of current) wanted.delete(Number(r.productId));
      // Rows of another shape, or of products with nothing published any more.
      const stale = await snapshots().findMany({ where: { shape: { $ne: SNAPSHOT_SHAPE } }, select: ['productId'] });
      for (const r of stale) wanted.add(Number(r.productId));
      if (!wanted.size) return 0;
      // Instances booting together write the same missing rows: rebuild takes the rows another
      // one wrote first and checks them again.
      for (const ids of chunks([...wanted], BATCH)) await strapi.db.transaction(() => service.rebuild(ids));
      strapi.log.info(`[product-gallery] wrote ${wanted.size} storefront gallery snapshot(s)`);
      return wanted.size;
    },
  };
  return service;
};

import type { Core } from '@strapi/strapi';
import { UID } from '../domain/vocabulary';
import { getService } from '../utils/get-service';
import { ASSET_GALLERY_FIELDS } from '../services/gallery-source';

/**
 * Keeps the storefront read model in step with every write that can change a gallery, whoever
 * makes it: the workflow, imports, the Content Manager, the documents API, the Media Library.
 * Database lifecycles, not document service middlewares: the workflow and the upload plugin
 * write through strapi.db.query, which middlewares never see. They run inside the write's own
 * transaction, so the row is written (or noted for the end of a gallery transaction) with it.
 *
 * Each hook names the products a write touches: before it (what it will change, as it is now)
 * and after it (what it changed into), since a rename or a status move changes which products
 * they are.
 */

type Event = { action: string; params: { where?: any; data?: any }; result?: any; state: Record<string, any> };

/** A product write changes its gallery only through these (updatedAt is the gallery's own). */
const PRODUCT_GALLERY_FIELDS = ['slug', 'title', 'sku', 'category', 'brief', 'updatedAt', 'documentId'];

const ids = (rows: any[]) => rows.map((r) => Number(r?.id)).filter((id) => Number.isInteger(id));

export const registerReadModelHooks = (strapi: Core.Strapi) => {
  const changed = (productIds: number[]) => (productIds.length ? getService(strapi, 'gallerySnapshots').changed(productIds) : undefined);
  const query = (uid: string) => strapi.db.query(uid as any);

  /** The asset rows a write matches, with status and product (before and after it). */
  const assetsWhere = (where: any) => query(UID.asset).findMany({ where, select: ['id', 'status'], populate: { product: { select: ['id'] } } });
  const productsOfPublished = (rows: any[]) => [...new Set(rows.filter((a) => a.status === 'published').map((a) => Number(a.product?.id)).filter(Number.isInteger))];

  /**
   * Whether an asset update can change a published gallery, judged from its data alone so the
   * dispatcher's bookkeeping costs no read. Only a write of plain columns the gallery never reads
   * is let through; anything else counts: no data, a key that is no attribute, any relation.
   * A single update always counts: Strapi's own subscriber, which runs first, adds updatedAt to
   * its data, and a published image's updatedAt is in its gallery. The dispatcher's writes are
   * all updateMany, which it leaves alone.
   */
  const assetAttributes = () => strapi.db.metadata.get(UID.asset).attributes as Record<string, { type: string }>;
  const mayChangeGallery = (data: unknown) => {
    if (!data || typeof data !== 'object' || Array.isArray(data)) return true;
    const keys = Object.keys(data);
    const attributes = assetAttributes();
    return !keys.length || keys.some((k) => ASSET_GALLERY_FIELDS.has(k) || !Object.hasOwn(attributes, k) || attributes[k].type === 'relation');
  };
  const rememberAssets = async (event: Event) => {
    event.state.before = await assetsWhere(event.params.where);
  };
  const rememberUpdatedAssets = async (event: Event) => {
    if (mayChangeGallery(event.params.data)) await rememberAssets(event);
  };
  /** Products of the assets before the write and after it (none remembered: nothing to do). */
  const afterUpdatedAssets = async (event: Event) => {
    const before = event.state.before;
    if (!before?.length) return;
    const after = await assetsWhere({ id: { $in: ids(before) } });
    await changed([...new Set([...productsOfPublished(before), ...productsOfPublished(after)])]);
  };

  strapi.db.lifecycles.subscribe({
    models: [UID.asset],
    beforeUpdate: rememberUpdatedAssets,
    beforeUpdateMany: rememberUpdatedAssets,
    beforeDelete: rememberAssets,
    beforeDeleteMany: rememberAssets,
    afterUpdate: afterUpdatedAssets,
    afterUpdateMany: afterUpdatedAssets,
    async afterDelete(event: Event) {
      await changed(productsOfPublished(event.state.before ?? []));
    },
    async afterDeleteMany(event: Event) {
      await changed(productsOfPublished(event.state.before ?? []));
    },
    async afterCreate(event: Event) {
      if (event.result?.id) await changed(productsOfPublished(await assetsWhere({ id: event.result.id })));
    },
    async afterCreateMany(event: Event) {
      const created = (event.result?.ids ?? []).filter((id: unknown) => id !== undefined);
      if (created.length) await changed(productsOfPublished(await assetsWhere({ id: { $in: created } })));
    },
  });

  const productIdsWhere = async (where: any) => ids(await query(UID.product).findMany({ where, select: ['id'] }));
  const touchesGallery = (data: unknown) => !data || typeof data !== 'object' || PRODUCT_GALLERY_FIELDS.some((k) => k in (data as object));

  strapi.db.lifecycles.subscribe({
    models: [UID.product],
    async beforeUpdateMany(event: Event) {
      if (touchesGallery(event.params.data)) event.state.ids = await productIdsWhere(event.params.where);
    },
    async beforeDelete(event: Event) {
      event.state.ids = await productIdsWhere(event.params.where);
    },
    async beforeDeleteMany(event: Event) {
      event.state.ids = await productIdsWhere(event.params.where);
    },
    async afterUpdate(event: Event) {
      if (event.result?.id && touchesGallery(event.params.data)) await changed([Number(event.result.id)]);
    },
    async afterUpdateMany(event: Event) {
      await changed(event.state.ids ?? []);
    },
    async afterDelete(event: Event) {
      await changed(event.state.ids ?? []);
    },
    async afterDeleteMany(event: Event) {
      await changed(event.state.ids ?? []);
    },
    // A new product has no published image yet (assets come after it): nothing to write.
  });

  /**
   * Products whose slot plan a brief decides: its own, and those of its categories that have
   * no brief of their own (categories before and after the write: a category can move away).
   */
  const briefsWhere = (where: any) => query(UID.brief).findMany({ where, select: ['id', 'categories'] });
  const productsOfBriefs = async (briefs: any[]) => {
    const categories = [...new Set(briefs.flatMap((b) => (Array.isArray(b.categories) ? b.categories : [])))];
    const briefIds = ids(briefs);
    const or: any[] = [];
    if (briefIds.length) or.push({ brief: { id: { $in: briefIds } } });
    if (categories.length) or.push({ category: { $in: categories } });
    if (!or.length) return [];
    const rows = await query(UID.product).findMany({ where: { $or: or }, select: ['id', 'category'], populate: { brief: { select: ['id'] } } });
    return ids(rows.filter((p: any) => (p.brief ? briefIds.includes(Number(p.brief.id)) : categories.includes(p.category))));
  };
  const rememberBriefs = async (event: Event) => {
    event.state.before = await briefsWhere(event.params.where);
  };
  const afterBriefs = async (event: Event, after: any[]) => {
    await changed([...new Set([...(await productsOfBriefs(event.state.before ?? [])), ...(await productsOfBriefs(after))])]);
  };

  strapi.db.lifecycles.subscribe({
    models: [UID.brief],
    beforeUpdate: rememberBriefs,
    beforeUpdateMany: rememberBriefs,
    beforeDelete: rememberBriefs,
    beforeDeleteMany: rememberBriefs,
    async afterCreate(event: Event) {
      if (event.result?.id) await afterBriefs(event, await briefsWhere({ id: event.result.id }));
    },
    async afterUpdate(event: Event) {
      await afterBriefs(event, event.state.before?.length ? await briefsWhere({ id: { $in: ids(event.state.before) } }) : []);
    },
    async afterUpdateMany(event: Event) {
      await afterBriefs(event, event.state.before?.length ? await briefsWhere({ id: { $in: ids(event.state.before) } }) : []);
    },
    afterDelete: (event: Event) => afterBriefs(event, []),
    afterDeleteMany: (event: Event) => afterBriefs(event, []),
  });

  /** Media Library files: url, alt and formats are in the galleries of the published images that use them. */
  const productsUsingFiles = async (where: any) => {
    const files = ids(await query('plugin::upload.file').findMany({ where, select: ['id'] }));
    if (!files.length) return [];
    return productsOfPublished(await assetsWhere({ file: { id: { $in: files } }, status: 'published' }));
  };
  const rememberFiles = async (event: Event) => {
    event.state.ids = await productsUsingFiles(event.params.where);
  };
  const afterFiles = (event: Event) => changed(event.state.ids ?? []);

  strapi.db.lifecycles.subscribe({
    models: ['plugin::upload.file'],
    beforeUpdate: rememberFiles,
    beforeUpdateMany: rememberFiles,
    beforeDelete: rememberFiles,
    beforeDeleteMany: rememberFiles,
    afterUpdate: afterFiles,
    afterUpdateMany: afterFiles,
    afterDelete: afterFiles,
    afterDeleteMany: afterFiles,
  });
};

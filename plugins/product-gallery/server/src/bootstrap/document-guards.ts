import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID } from '../domain/vocabulary';
import { briefSchema, productSchema } from '../validation/content';
import { parseOrThrow } from '../validation/error';
import { briefWording } from '../validation/brief-wording';
import { getService } from '../utils/get-service';
import { mediaIdOf } from '../services/products';

type Ctx = { uid: string; action: string; params: Record<string, any> };

/** Fields only the plugin writes; editors' inputs never carry them. */
const INTERNAL_PRODUCT_FIELDS = ['reference', 'galleryVersion', 'assets'];

const validateProduct = (action: string, data: Record<string, unknown>) => {
  const schema = action === 'create' ? productSchema.passthrough() : productSchema.partial().passthrough();
  parseOrThrow(schema, data);
};

const validateBrief = async (strapi: Core.Strapi, action: string, data: Record<string, any>, documentId?: string) => {
  const schema = action === 'create' ? briefSchema.passthrough() : briefSchema.partial().passthrough();
  parseOrThrow(schema, data, [], briefWording);
  // A role that may run on Replicate names a model the registry can run and price; an unknown or
  // unpriced one would be sent in the wrong shape, or slip past the cost caps at $0.
  (Array.isArray(data.roles) ? data.roles : []).forEach((role: Record<string, any>, index: number) => {
    const generator = role.generator ?? 'local';
    if (generator === 'local') return;
    if (!role.model && generator === 'auto') return;
    const path = ['roles', index, 'model'];
    getService(strapi, 'models').require(role.model, { path, label: briefWording.field(path, data), kind: 'edit' });
  });
  if (Array.isArray(data.categories) && data.categories.length) {
    // One default brief per category, or "the category's default" would be ambiguous.
    const others = await strapi.db.query(UID.brief).findMany({ select: ['documentId', 'name', 'categories'] });
    for (const other of others) {
      if (other.documentId === documentId) continue;
      const clash = (other.categories ?? []).find((c: string) => data.categories.includes(c));
      if (clash) {
        const message = `Categories: "${clash}" already has a default brief ("${other.name}"). Remove it there first, or leave it unticked here.`;
        throw new errors.ValidationError(message, { errors: [{ path: ['categories'], message, name: 'ValidationError' }] });
      }
    }
  }
};

/**
 * The slug comes from the Content Manager's own uid service, so saving with the field empty gives
 * what its "regenerate" button would have shown (same slugify, same -1, -2 suffixes on a clash).
 * A title with nothing to slugify (only symbols or non-Latin script) falls back to the service's
 * own default, the model name, rather than an empty slug.
 */
const SLUG_TITLE_CHARS = 80;

const uniqueSlug = async (strapi: Core.Strapi, title: string): Promise<string> => {
  const uid = strapi.plugin('content-manager').service('uid');
  // A slug is an address, not the title: the first words are enough, and a 200-character title
  // (whose slugify can grow: "&" becomes "and") must never give a slug the schema then refuses.
  const fromTitle = await uid.generateUIDField({ contentTypeUID: UID.product, field: 'slug', data: { title: title.slice(0, SLUG_TITLE_CHARS) } });
  if (fromTitle) return fromTitle;
  return uid.generateUIDField({ contentTypeUID: UID.product, field: 'slug', data: {} });
};

/**
 * SKUs are one namespace whatever their case: a shop, a channel feed or a spreadsheet treats
 * DEMO-RING-EM and demo-ring-em as the same item. The schema's own `unique` compares exactly, so
 * the check is made here, at write time, on SQLite and PostgreSQL alike. Products saved before it
 * that already clash are left as they are until one of them changes its SKU.
 */
const refuseSkuClash = async (strapi: Core.Strapi, action: string, data: Record<string, any>, documentId?: string) => {
  if (typeof data.sku !== 'string' || !data.sku.trim()) return;
  const sku = data.sku.trim();
  if (action === 'update' && documentId) {
    const current = await strapi.db.query(UID.product).findOne({ where: { documentId }, select: ['sku'] });
    if (current?.sku === sku) return;
  }
  const clash = await strapi.db.query(UID.product).findOne({
    where: { sku: { $eqi: sku }, ...(documentId ? { documentId: { $ne: documentId } } : {}) },
    select: ['sku', 'title'],
  });
  if (!clash) return;
  throw new errors.ValidationError(
    `sku: "${sku}" is already used by "${clash.title}" (SKU ${clash.sku}); SKUs count as the same whatever their upper or lower case. Choose another SKU.`,
    { errors: [{ path: ['sku'], message: `already used by "${clash.title}" (${clash.sku})`, name: 'ValidationError' }] }
  );
};

/**
 * Intake on upload: a new source photo is analysed before the product is saved, so a file
 * that is not a usable photo is refused (4xx naming sourcePhoto) and nothing is half-saved.
 */
const analyzeChangedSourcePhoto = async (strapi: Core.Strapi, action: string, params: Record<string, any>) => {
  const data = params.data ?? {};
  const fileId = mediaIdOf(data.sourcePhoto);
  if (fileId === undefined) return;
  if (fileId === null) {
    params.data = { ...data, reference: null };
    return;
  }
  if (action === 'update' && params.documentId) {
    const current = await strapi.db
      .query(UID.product)
      .findOne({ where: { documentId: params.documentId }, select: ['id', 'reference'], populate: { sourcePhoto: { select: ['id'] } } });
    if (current?.sourcePhoto?.id === fileId && current?.reference?.sourceFileId === fileId) return;
  }
  const reference = await getService(strapi, 'products').analyzeSourcePhoto(fileId, String(data.sku ?? 'source'));
  params.data = { ...data, reference };
};

/**
 * Every write to the plugin's content types, from our API or the Content Manager, passes here:
 * zod validation with field names and brief versioning. Who may write at all is write-ownership's.
 */
export const registerDocumentGuards = (strapi: Core.Strapi) => {
  strapi.documents.use(async (context: any, next: () => Promise<any>) => {
    const { uid, action, params } = context as Ctx;
    if (!uid?.startsWith('plugin::product-gallery.')) return next();

    if (action !== 'create' && action !== 'update') return next();
    const data = (params.data ?? {}) as Record<string, any>;

    if (uid === UID.product) {
      const editorData = Object.fromEntries(Object.entries(data).filter(([k]) => !INTERNAL_PRODUCT_FIELDS.includes(k)));
      // A new product's slug left empty is made from its title (the Content Manager's field says
      // so and starts empty); a slug the editor typed or regenerated is saved as shown.
      if (action === 'create' && !editorData.slug && typeof data.title === 'string') {
        editorData.slug = await uniqueSlug(strapi, data.title);
        params.data = { ...params.data, slug: editorData.slug };
      }
      validateProduct(action, editorData);
      await refuseSkuClash(strapi, action, data, params.documentId);
      await analyzeChangedSourcePhoto(strapi, action, params);
    }

    if (uid === UID.brief) {
      await validateBrief(strapi, action, data, params.documentId);
      if (action === 'update' && params.documentId) {
        const current = await strapi.db
          .query(UID.brief)
          .findOne({ where: { documentId: params.documentId }, select: ['version'] });
        if (current) params.data = { ...data, version: (current.version ?? 1) + 1 };
      } else if (action === 'create') {
        params.data = { ...data, version: 1 };
      }
    }

    return next();
  });
};

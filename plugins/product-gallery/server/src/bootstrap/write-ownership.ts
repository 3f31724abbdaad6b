import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID } from '../domain/vocabulary';
import productSchema from '../content-types/product/schema.json';
import { inPluginScope } from '../utils/plugin-scope';

type Ctx = { uid: string; action: string; params: Record<string, any> };

/** Document actions that change nothing; every other one (create, update, delete, clone, publish...) writes. */
const READS = new Set(['findOne', 'findFirst', 'findMany', 'count']);

export const ASSET_WRITE_REFUSED =
  'Image assets are made and moved through the Product gallery workspace (generate, import, review, publish), ' +
  'where every change is checked and recorded; they cannot be created, changed or deleted here. ' +
  'Alt text and focal point are edited in the workspace too.';

export const AUDIT_WRITE_REFUSED =
  'Audit events are append-only: the Product gallery records them itself as images change, and nobody can create, edit or delete one.';

/**
 * A product's fields the plugin computes: the attributes its schema marks `configurable: false`
 * (the reference every check compares against, the gallery's version), and its assets, which an
 * asset joins by being planned or imported for the product, never by an edit of the product.
 */
export const COMPUTED_PRODUCT_FIELDS = [
  ...Object.entries(productSchema.attributes as Record<string, { configurable?: boolean }>)
    .filter(([, attribute]) => attribute.configurable === false)
    .map(([name]) => name),
  'assets',
];

const isEmptyRelationInput = (value: unknown) => {
  if (value === undefined) return true;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const ops = value as Record<string, unknown>;
  // `set: []` empties the relation: a change. Empty connect / disconnect lists are the form's "untouched".
  return Object.keys(ops).every((k) => (k === 'connect' || k === 'disconnect') && Array.isArray(ops[k]) && !(ops[k] as unknown[]).length);
};

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The Content Manager's edit form may send a computed field back as it read it: that is no change
 * and is dropped. Any other value is refused, naming the field, so nothing is silently ignored.
 */
const refuseComputedProductFields = async (strapi: Core.Strapi, action: string, params: Record<string, any>) => {
  const data = params.data;
  if (!data || typeof data !== 'object') return;
  const sent = COMPUTED_PRODUCT_FIELDS.filter((field) => field in data);
  if (!sent.length) return;
  let current: Record<string, unknown> | null = null;
  if (action === 'update' && params.documentId) {
    current = await strapi.db
      .query(UID.product)
      .findOne({ where: { documentId: params.documentId }, select: COMPUTED_PRODUCT_FIELDS.filter((f) => f !== 'assets') });
  }
  const kept = { ...data };
  const refused: string[] = [];
  for (const field of sent) {
    const unchanged = field === 'assets' ? isEmptyRelationInput(data[field]) : current !== null && sameJson(data[field], current[field]);
    if (unchanged || data[field] === undefined) delete kept[field];
    else refused.push(field);
  }
  if (refused.length) {
    throw new errors.ValidationError(
      `${refused.join(', ')}: computed by the Product gallery and read-only. ` +
        'The reference is remade from the source photo; assets join a product when they are generated or imported in the workspace.',
      { errors: refused.map((field) => ({ path: [field], message: `${field} is computed by the Product gallery and read-only`, name: 'ValidationError' })) }
    );
  }
  params.data = kept;
};

/**
 * A clone copies every relation, and an asset belongs to one product: cloning a product with images
 * would move its images, published ones included, to the copy.
 */
const refuseCloningAssets = async (strapi: Core.Strapi, documentId?: string) => {
  if (!documentId) return;
  const count = await strapi.db.query(UID.asset).count({ where: { product: { documentId } } });
  if (count) {
    throw new errors.ValidationError(
      `assets: this product has ${count} image(s), and a copy would take them away from it. Create a new product instead and generate or import its images in the Product gallery workspace.`,
      { errors: [{ path: ['assets'], message: 'a product with images cannot be cloned', name: 'ValidationError' }] }
    );
  }
};

/**
 * Only the plugin writes image assets, audit events and a product's computed fields. Runs before
 * the validation guards, for every caller of the documents API, which is also every write the
 * Content Manager makes (create, update, delete, clone, publish, bulk actions: checked in its
 * document-manager, none goes below the documents API). The Super Admin is refused like anyone:
 * the workflow, not the role, is what makes an image safe to show. A PolicyError (403): Strapi's
 * router replaces any other ForbiddenError's message with a bare "Forbidden".
 */
export const registerWriteOwnership = (strapi: Core.Strapi) => {
  strapi.documents.use(async (context: any, next: () => Promise<any>) => {
    const { uid, action, params } = context as Ctx;
    if (READS.has(action) || inPluginScope()) return next();
    if (uid === UID.asset) throw new errors.PolicyError(ASSET_WRITE_REFUSED, { uid, action });
    if (uid === UID.audit) throw new errors.PolicyError(AUDIT_WRITE_REFUSED, { uid, action });
    if (uid === UID.product && ['create', 'update', 'clone'].includes(action)) await refuseComputedProductFields(strapi, action, params ?? {});
    if (uid === UID.product && action === 'clone') await refuseCloningAssets(strapi, params?.documentId);
    return next();
  });
};

const safeDecode = (path: string) => {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};

const CM_DRAFT_ACTION = /^\/content-manager\/collection-types\/(plugin::product-gallery\.[a-z-]+)\/(?:[^/]+\/)?actions\/(publish|unpublish|discard|bulkPublish|bulkUnpublish)$/;

/**
 * The Content Manager answers some publish, unpublish and discard requests on a type without draft
 * and publish with a 500 (it calls documents API methods such types do not have) before any
 * document middleware runs: these are answered here, in words, for the plugin's types.
 */
export const refuseDraftActionsOverHttp = (strapi: Core.Strapi) => {
  strapi.server.use(async (ctx: any, next: () => Promise<unknown>) => {
    const match = ctx.method === 'POST' && ctx.path.startsWith('/content-manager/') ? CM_DRAFT_ACTION.exec(safeDecode(ctx.path)) : null;
    if (!match) return next();
    const uid = match[1];
    if (uid === UID.asset) throw new errors.PolicyError(ASSET_WRITE_REFUSED, { uid, action: match[2] });
    if (uid === UID.audit) throw new errors.PolicyError(AUDIT_WRITE_REFUSED, { uid, action: match[2] });
    throw new errors.ValidationError('Product gallery entries have no draft and published versions: there is nothing to publish, unpublish or discard.', { uid, action: match[2] });
  });
};

/**
 * The Content Manager reads a field's `editable` and `description` from the schema only when it
 * first makes a type's view configuration; an existing installation keeps what it stored. The
 * schema's read-only fields are set read-only in the stored configuration too, so the edit view
 * shows them disabled, and a field with no description of its own gets the schema's.
 */
export const lockContentManagerFields = async (strapi: Core.Strapi) => {
  const contentTypes = strapi.plugin('content-manager')?.service('content-types') as any;
  if (!contentTypes?.findConfiguration) return;
  for (const uid of [UID.asset, UID.audit, UID.product]) {
    const schema = strapi.contentType(uid as any) as any;
    const wanted = Object.entries((schema?.config?.metadatas ?? {}) as Record<string, any>).filter(
      ([, meta]) => meta?.edit?.editable === false || meta?.edit?.description
    );
    if (!wanted.length) continue;
    const { uid: _uid, ...configuration } = await contentTypes.findConfiguration({ uid });
    let changed = false;
    for (const [field, meta] of wanted) {
      const stored = configuration.metadatas?.[field]?.edit;
      if (!stored) continue;
      if (meta.edit.editable === false && stored.editable !== false) {
        stored.editable = false;
        changed = true;
      }
      if (meta.edit.description && !stored.description) {
        stored.description = meta.edit.description;
        changed = true;
      }
    }
    if (changed) await contentTypes.updateConfiguration({ uid }, configuration);
  }
};

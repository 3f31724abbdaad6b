import type { Core } from '@strapi/strapi';
import type { SlotRule } from '../domain/default-briefs';
import { DEFAULT_SLOT_PLAN } from '../domain/slot-plan';
import { UID, type Role } from '../domain/vocabulary';
import { isScenePreview } from '../domain/readiness-rule';
import { json, num, type BriefPlan, type ProductRow, type PublishedAssetRow } from '../domain/gallery-shape';

const toDate = (value: unknown): Date | null => {
  if (value === null || value === undefined) return null;
  const d = value instanceof Date ? value : new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : (value as any));
  return Number.isNaN(d.getTime()) ? null : d;
};

const FILE_FIELDS = ['id', 'url', 'mime', 'width', 'height', 'alternativeText', 'formats', 'ext'];

/** The image asset's own columns a gallery is shaped from (PublishedAssetRow). */
const ASSET_COLUMNS = ['id', 'documentId', 'role', 'alt', 'focalPoint', 'width', 'height', 'renditions', 'placeholder', 'sourceType', 'provenance', 'updatedAt'];
/** Which assets are in a gallery, with what file, and which wins when two of a role are published. */
const ASSET_FILTER = { status: 'published' } as const;
const ASSET_RELATIONS = ['product', 'file'] as const;
const ASSET_ORDER = [{ publishedInSlotAt: 'desc' as const }, { id: 'desc' as const }];

/**
 * Every image-asset attribute a published gallery depends on, made from what publishedAssets
 * reads below so the two cannot drift apart. The read model's hooks skip an asset write that
 * touches none of these (the dispatcher's lease renewals and attempt bookkeeping, the most
 * frequent writes there are): it cannot change what any storefront is sent. The Media Library
 * file's own fields are followed on the file.
 */
export const ASSET_GALLERY_FIELDS: ReadonlySet<string> = new Set([
  ...ASSET_COLUMNS,
  ...Object.keys(ASSET_FILTER),
  ...ASSET_RELATIONS,
  ...ASSET_ORDER.flatMap((o) => Object.keys(o)),
]);

/**
 * What a gallery is made from, read through the query engine: products with their own brief,
 * their published assets with the Media Library file, and the briefs' slot plans. Shared by the
 * read model's writer, readiness and channel packs. Inside strapi.db.transaction these reads
 * join the ambient transaction, so a writer sees the change it is part of.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const service = {
    /** Products by slug, id or documentId, with their own brief's id (null: the category's default brief). */
    async products(where: { slugs?: string[]; ids?: number[]; documentIds?: string[] }): Promise<ProductRow[]> {
      const filters: Record<string, unknown> = {};
      if (where.slugs) filters.slug = { $in: where.slugs };
      if (where.ids) filters.id = { $in: where.ids };
      if (where.documentIds) filters.documentId = { $in: where.documentIds };
      const rows = await strapi.db.query(UID.product).findMany({
        where: filters,
        select: ['id', 'documentId', 'slug', 'sku', 'title', 'category', 'galleryVersion', 'updatedAt'],
        populate: { brief: { select: ['id'] } },
      });
      return rows.map((r: any) => ({
        id: Number(r.id),
        documentId: r.documentId,
        slug: r.slug,
        sku: r.sku,
        title: r.title,
        category: r.category,
        galleryVersion: Number(r.galleryVersion ?? 0),
        updatedAt: toDate(r.updatedAt),
        briefId: r.brief?.id === undefined || r.brief?.id === null ? null : Number(r.brief.id),
      }));
    },

    /** Published assets of these products, with their Media Library file, newest publish first. */
    async publishedAssets(productIds: number[]): Promise<PublishedAssetRow[]> {
      if (!productIds.length) return [];
      const rows = await strapi.db.query(UID.asset).findMany({
        where: { product: { id: { $in: productIds } }, ...ASSET_FILTER },
        select: ASSET_COLUMNS,
        populate: { product: { select: ['id'] }, file: { select: FILE_FIELDS } } satisfies Record<(typeof ASSET_RELATIONS)[number], unknown>,
        // Should two of a role ever be published, the latest wins.
        orderBy: ASSET_ORDER,
      });
      return rows.map((r: any) => ({
        id: Number(r.id),
        documentId: r.documentId,
        productId: Number(r.product?.id),
        role: r.role,
        alt: r.alt ?? null,
        focalPoint: json(r.focalPoint),
        width: num(r.width),
        height: num(r.height),
        renditions: r.renditions,
        placeholder: r.placeholder ?? null,
        sourceType: r.sourceType ?? null,
        scenePreview: isScenePreview(json(r.provenance)),
        updatedAt: toDate(r.updatedAt),
        fileId: r.file?.id === undefined || r.file?.id === null ? null : Number(r.file.id),
        fileUrl: r.file?.url ?? null,
        fileMime: r.file?.mime ?? null,
        fileWidth: num(r.file?.width),
        fileHeight: num(r.file?.height),
        fileAlt: r.file?.alternativeText ?? null,
        fileFormats: r.file?.formats ?? null,
        fileExt: r.file?.ext ?? null,
      }));
    },

    /** Slot plans of the given briefs, or of every brief (to find a category's default), by name. */
    async briefPlans(briefIds?: number[]): Promise<BriefPlan[]> {
      const rows = await strapi.db.query(UID.brief).findMany({
        where: briefIds ? { id: { $in: briefIds } } : {},
        select: ['id', 'name', 'categories'],
        populate: { slotPlan: { select: ['slot', 'roles'] } },
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
      });
      return rows.map((b: any) => ({
        id: Number(b.id),
        name: b.name,
        categories: json<string[]>(b.categories) ?? [],
        plan: (b.slotPlan ?? [])
          .map((r: any) => ({ slot: r.slot, roles: json<Role[]>(r.roles) ?? [] }))
          .filter((r: SlotRule) => r.slot && r.roles.length),
      }));
    },

    /** Each product's slot plan: its own brief's, else its category default's, else the reference plan. */
    async plansFor(products: Pick<ProductRow, 'id' | 'briefId' | 'category'>[]): Promise<Map<number, SlotRule[]>> {
      const own = [...new Set(products.map((p) => p.briefId).filter((id): id is number => id !== null))];
      const needsDefault = products.some((p) => p.briefId === null);
      const briefs = await service.briefPlans(needsDefault ? undefined : own);
      const byId = new Map(briefs.map((b) => [b.id, b]));
      const out = new Map<number, SlotRule[]>();
      for (const p of products) {
        const brief = p.briefId !== null ? byId.get(p.briefId) : briefs.find((b) => b.categories.includes(p.category));
        out.set(p.id, brief?.plan.length ? brief.plan : DEFAULT_SLOT_PLAN);
      }
      return out;
    },
  };
  return service;
};

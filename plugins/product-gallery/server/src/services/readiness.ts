import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { SlotRule } from '../domain/default-briefs';
import { ROLES, UID, type AssetStatus, type Role, type Slot } from '../domain/vocabulary';
import { SLOT_STATES, slotState, type SlotState } from '../domain/slot-state';
import type { Overview, OverviewRow, ProductReadiness, Readiness, RoleReadiness, SlotReadiness } from '../../../shared/contracts/readiness';
import { fillSlots } from '../domain/gallery-shape';
import { countsTowardReadiness } from '../domain/readiness-rule';
import { getService } from '../utils/get-service';

/** An asset as the overview needs it. */
interface AssetLite {
  id: number;
  documentId: string;
  role: Role;
  status: AssetStatus;
  version: number;
  qcStatus: string | null;
  slot: string | null;
  updatedAt: string | Date | null;
  publishedInSlotAt: string | Date | null;
  provenance?: Record<string, any> | null;
  file?: { id: number; url: string; width: number | null; height: number | null; mime: string | null; formats?: any } | null;
}

export type { RoleReadiness, SlotReadiness } from '../../../shared/contracts/readiness';

const AWAITING: AssetStatus[] = ['in_review'];

const iso = (d: unknown) => (d ? new Date(d as any).toISOString() : null);
const time = (d: unknown) => (d ? new Date(d as any).getTime() : 0);

/** Pure: readiness of one product from its plan, required roles and assets. */
export const computeReadiness = (
  plan: readonly SlotRule[],
  requiredRoles: readonly Role[],
  briefRoles: readonly Role[],
  assets: AssetLite[],
  previewRoles: readonly Role[] = []
): Readiness => {
  const newestFirst = [...assets].sort((a, b) => time(b.updatedAt) - time(a.updatedAt) || b.id - a.id);
  const published = newestFirst
    .filter((a) => a.status === 'published' && countsTowardReadiness(a, previewRoles))
    .sort((a, b) => time(b.publishedInSlotAt) - time(a.publishedInSlotAt) || b.id - a.id);
  const slots: SlotReadiness[] = fillSlots(plan, published).map((s) => ({
    slot: s.slot,
    roles: s.roles,
    ...slotState(s.roles, assets, s.asset ? s.role : null),
    asset: s.asset
      ? {
          documentId: s.asset.documentId,
          role: s.asset.role,
          version: s.asset.version,
          qcStatus: s.asset.qcStatus,
          url: s.asset.file?.url ?? null,
          thumbnailUrl: s.asset.file?.formats?.thumbnail?.url ?? s.asset.file?.url ?? null,
          width: s.asset.file?.width ?? null,
          height: s.asset.file?.height ?? null,
        }
      : 'missing',
  }));
  const planRoles = new Set<Role>([...briefRoles, ...plan.flatMap((s) => s.roles)]);
  const roles: RoleReadiness[] = ROLES.filter((r) => planRoles.has(r) || assets.some((a) => a.role === r)).map((role) => {
    const mine = newestFirst.filter((a) => a.role === role);
    const latest = mine[0];
    const counts: Partial<Record<AssetStatus, number>> = {};
    for (const a of mine) counts[a.status] = (counts[a.status] ?? 0) + 1;
    return {
      role,
      required: requiredRoles.includes(role),
      status: latest?.status ?? null,
      latest: latest
        ? { documentId: latest.documentId, status: latest.status, version: latest.version, qcStatus: latest.qcStatus, updatedAt: iso(latest.updatedAt) }
        : null,
      counts,
    };
  });
  // Every slot not yet on the page, whatever is on its way.
  const missing = slots.filter((s) => s.state !== 'published').map((s) => s.slot);
  const awaitingReview = assets.filter((a) => AWAITING.includes(a.status)).length;
  const failed = assets.filter((a) => a.status === 'failed').length;
  const inProgress = assets.filter((a) => a.status === 'queued' || a.status === 'generating').length;
  // Ready: every slot a required role can fill is filled.
  const requiredSlots = slots.filter((s) => s.roles.some((r) => requiredRoles.includes(r)));
  const ready = requiredSlots.every((s) => s.state === 'published') && slots.some((s) => s.state === 'published');
  return {
    slots,
    roles,
    summary: { filled: slots.length - missing.length, total: slots.length, missing, awaitingReview, failed, inProgress, ready },
  };
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const source = () => getService(strapi, 'gallerySource');

  /** Required roles and role list of each brief (small table; one query). */
  const briefRoles = async () => {
    const briefs = await strapi.db.query(UID.brief).findMany({ select: ['id'], populate: { roles: { select: ['role', 'required', 'allowScenePreviews'] } } });
    return new Map<number, { required: Role[]; all: Role[]; previews?: Role[] }>(
      briefs.map((b: any) => [
        b.id,
        {
          required: (b.roles ?? []).filter((r: any) => r.required).map((r: any) => r.role),
          all: (b.roles ?? []).map((r: any) => r.role),
          previews: (b.roles ?? []).filter((r: any) => r.allowScenePreviews).map((r: any) => r.role),
        },
      ])
    );
  };

  const service = {
    /** GET /products/:documentId/readiness */
    async forProduct(documentId: string): Promise<ProductReadiness> {
      const [product] = await source().products({ documentIds: [documentId] });
      if (!product) throw new errors.NotFoundError(`No product with id ${documentId}.`);
      const [plans, rolesByBrief, assets] = await Promise.all([
        source().plansFor([product]),
        briefRoles(),
        strapi.db.query(UID.asset).findMany({
          where: { product: product.id },
          select: ['id', 'documentId', 'role', 'status', 'version', 'qcStatus', 'slot', 'updatedAt', 'publishedInSlotAt', 'provenance'],
          populate: { file: { select: ['id', 'url', 'width', 'height', 'mime', 'formats'] } },
        }),
      ]);
      const briefId = await service.effectiveBriefId(product);
      const roles = (briefId !== null && rolesByBrief.get(briefId)) || { required: [], all: [] };
      const plan = plans.get(product.id)!;
      const result = computeReadiness(plan, roles.required, roles.all, assets as AssetLite[], roles.previews);
      return {
        product: { documentId: product.documentId, title: product.title, sku: product.sku, slug: product.slug, category: product.category },
        galleryVersion: product.galleryVersion,
        ...result,
      };
    },

    async effectiveBriefId(product: { briefId: number | null; category: string }) {
      if (product.briefId !== null) return product.briefId;
      const plans = await source().briefPlans();
      return plans.find((b) => b.categories.includes(product.category))?.id ?? null;
    },

    /** GET /products: the overview, with filters and counts over the whole (filtered) catalogue. */
    async overview(query: { category?: string[]; missing?: Slot; awaiting?: boolean; q?: string; page: number; pageSize: number }): Promise<Overview> {
      const where: Record<string, unknown> = {};
      if (query.category) where.category = { $in: query.category };
      if (query.q) where.$or = [{ title: { $containsi: query.q } }, { sku: { $containsi: query.q } }, { slug: { $containsi: query.q } }];
      const products = await strapi.db.query(UID.product).findMany({
        where,
        select: ['id', 'documentId', 'title', 'sku', 'slug', 'category', 'galleryVersion', 'updatedAt'],
        populate: { brief: { select: ['id', 'name'] }, sourcePhoto: { select: ['id', 'url', 'formats', 'width', 'height'] } },
        orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
      });
      const ids = products.map((p: any) => p.id);
      const [plans, rolesByBrief, assets] = await Promise.all([
        source().plansFor(products.map((p: any) => ({ id: p.id, category: p.category, briefId: p.brief?.id ?? null }) as any)),
        briefRoles(),
        ids.length
          ? strapi.db.query(UID.asset).findMany({
              where: { product: { id: { $in: ids } }, status: { $ne: 'archived' } },
              select: ['id', 'documentId', 'role', 'status', 'version', 'qcStatus', 'slot', 'updatedAt', 'publishedInSlotAt', 'provenance'],
              populate: { product: { select: ['id'] }, file: { select: ['id', 'url', 'width', 'height', 'mime', 'formats'] } },
            })
          : Promise.resolve([]),
      ]);
      const assetsOf = new Map<number, AssetLite[]>();
      for (const a of assets as any[]) {
        const list = assetsOf.get(a.product?.id) ?? [];
        list.push(a);
        assetsOf.set(a.product?.id, list);
      }
      const briefPlans = products.some((p: any) => !p.brief) ? await source().briefPlans() : [];
      const rows = products.map((p: any): OverviewRow => {
        const briefId = p.brief?.id ?? briefPlans.find((b) => b.categories.includes(p.category))?.id ?? null;
        const roles = (briefId !== null && rolesByBrief.get(briefId)) || { required: [], all: [] };
        const r = computeReadiness(plans.get(p.id)!, roles.required, roles.all, assetsOf.get(p.id) ?? [], roles.previews);
        return {
          documentId: p.documentId,
          title: p.title,
          sku: p.sku,
          slug: p.slug,
          category: p.category,
          updatedAt: iso(p.updatedAt),
          brief: p.brief ? { name: p.brief.name } : null,
          sourcePhoto: p.sourcePhoto ? { url: p.sourcePhoto.url, thumbnailUrl: p.sourcePhoto.formats?.thumbnail?.url ?? p.sourcePhoto.url } : null,
          slots: r.slots.map((s) => ({ slot: s.slot, state: s.state, role: s.role, roles: s.roles, thumbnailUrl: s.asset === 'missing' ? null : s.asset.thumbnailUrl })),
          roles: r.roles.map((x) => ({ role: x.role, required: x.required, status: x.status })),
          readiness: r.summary,
        };
      });
      const counts = {
        // Products, except where the name says shots or slots.
        total: rows.length,
        ready: rows.filter((r) => r.readiness.ready).length,
        awaitingReview: rows.filter((r) => r.readiness.awaitingReview > 0).length,
        shotsAwaitingReview: rows.reduce((n, r) => n + r.readiness.awaitingReview, 0),
        missingAny: rows.filter((r) => r.readiness.missing.length > 0).length,
        failed: rows.filter((r) => r.readiness.failed > 0).length,
        missingBySlot: Object.fromEntries(
          [...new Set(rows.flatMap((r) => r.slots.map((s) => s.slot)))].map((slot) => [slot, rows.filter((r) => r.readiness.missing.includes(slot)).length])
        ),
      };
      let filtered = rows;
      if (query.missing) filtered = filtered.filter((r) => r.readiness.missing.includes(query.missing!));
      if (query.awaiting !== undefined) filtered = filtered.filter((r) => (r.readiness.awaitingReview > 0) === query.awaiting);
      // The matrix's own cells, so the legend above it adds up to what it shows.
      const slotStates = Object.fromEntries(SLOT_STATES.map((state) => [state, 0])) as Record<SlotState, number>;
      for (const r of filtered) for (const s of r.slots) slotStates[s.state] += 1;
      const start = (query.page - 1) * query.pageSize;
      return {
        data: filtered.slice(start, start + query.pageSize),
        meta: {
          pagination: { page: query.page, pageSize: query.pageSize, pageCount: Math.ceil(filtered.length / query.pageSize), total: filtered.length },
          counts: { ...counts, slotStates },
        },
      };
    },
  };
  return service;
};

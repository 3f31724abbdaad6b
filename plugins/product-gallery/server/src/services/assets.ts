import { upscaleFactorOf } from '../domain/upscale';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { EDITOR_TRANSITIONS, TRANSITIONS } from '../domain/transitions';
import { UID, type AssetStatus, type Role } from '../domain/vocabulary';
import { ACTIONS } from '../bootstrap/permissions-setup';
import { blockingChecks, SYSTEM_PREFIX } from './workflow';
import type {
  ApprovalOverride,
  AssetList,
  AssetListItem,
  AssetProduct,
  AssetReview,
  AssetView,
  EventActor,
  FileView,
  GenerationStage,
  Move,
  QcCheck,
  QcView,
  TrailFacts,
} from '../../../shared/contracts/assets';

export type { ApprovalOverride, GenerationStage } from '../../../shared/contracts/assets';

/** What the signed-in editor may do (Strapi's admin ability); absent: every move is permitted. */
export interface Ability {
  can(action: string): boolean;
}

/** Which RBAC action an editor needs to move an asset to a status. */
export const ACTION_FOR_TARGET: Partial<Record<AssetStatus, string>> = {
  in_review: ACTIONS.submit,
  approved: ACTIONS.review,
  rejected: ACTIONS.review,
  published: ACTIONS.publish,
  archived: ACTIONS.publish,
  queued: ACTIONS.generate,
};

const FILE_FIELDS = ['id', 'documentId', 'name', 'url', 'width', 'height', 'mime', 'size', 'formats', 'hash', 'ext'];
const LIST_FIELDS = [
  'id',
  'provenance',
  'documentId',
  'role',
  'slot',
  'status',
  'version',
  'qcStatus',
  'width',
  'height',
  'alt',
  'placeholder',
  'error',
  'createdAt',
  'updatedAt',
  'publishedInSlotAt',
  'predictionIntentAt',
  'approvalOverride',
  'qc',
];

const fileView = (f: any): FileView | null =>
  f
    ? {
        id: f.id,
        documentId: f.documentId,
        name: f.name,
        url: f.url,
        width: f.width ?? null,
        height: f.height ?? null,
        mime: f.mime ?? null,
        size: f.size ?? null,
        thumbnailUrl: f.formats?.thumbnail?.url ?? f.url,
      }
    : null;

const productView = (p: any): AssetProduct | null =>
  p ? { id: p.id, documentId: p.documentId, title: p.title, sku: p.sku, slug: p.slug, category: p.category, metal: p.metal ?? null } : null;

/**
 * Where a generating shot is, for the editor: being made (a local shot, or a Replicate one being
 * prepared), at Replicate (its creation is recorded), or being checked (its output is stored).
 */
const generationStage = (a: any): GenerationStage | null => {
  if (a.status !== 'generating') return null;
  if (a.file) return 'checking';
  return a.predictionIntentAt ? 'replicate' : 'making';
};

/** The list / transition view of an asset (no prompt, costs or provenance: those are in the review payload). */
export const assetView = (a: any): AssetView => ({
  id: a.id,
  documentId: a.documentId,
  role: a.role as Role,
  slot: a.slot ?? null,
  status: a.status as AssetStatus,
  version: a.version,
  qcStatus: a.qcStatus ?? null,
  width: a.width ?? null,
  height: a.height ?? null,
  alt: a.alt ?? null,
  placeholder: a.placeholder ?? null,
  error: a.error ?? null,
  createdAt: a.createdAt ?? null,
  updatedAt: a.updatedAt ?? null,
  publishedInSlotAt: a.publishedInSlotAt ?? null,
  /** Set when it was approved despite failed or undecided checks: { reason, by, at }, for "approved with override: <reason>". */
  approvalOverride: (a.approvalOverride ?? null) as ApprovalOverride | null,
  stage: generationStage(a),
  /** How much the image's pixels were enlarged (2.5: "upscaled 2.5×"), when known. */
  upscaleFactor: upscaleFactorOf(a.provenance),
  scenePreview: Boolean(a.provenance?.scenePreview),
  file: fileView(a.file),
  product: productView(a.product),
});

/** An asset's checks and what they mean for approving it: the list and the review say the same. */
export const qcView = (a: { qcStatus?: string | null; qc?: unknown }): QcView => {
  const checks = (Array.isArray(a.qc) ? a.qc : []) as QcCheck[];
  const ids = (status: QcCheck['status']) => checks.filter((c) => c?.status === status).map((c) => c.id);
  return {
    status: (a.qcStatus ?? null) as QcView['status'],
    checks,
    failing: ids('fail'),
    unverified: ids('unverified'),
    warnings: ids('warn'),
    overrideRequired: blockingChecks(a) !== null,
  };
};

/**
 * The moves an editor may ask for from a status, each with whether this editor's role allows it:
 * the admin shows exactly the permitted ones, and the can-transition policy enforces the same.
 */
export const movesOf = (status: AssetStatus, ability?: Ability): Move[] =>
  TRANSITIONS[status]
    .filter((to) => EDITOR_TRANSITIONS.has(to))
    .map((to) => {
      const action = ACTION_FOR_TARGET[to] ?? null;
      return { to, action, permitted: !ability || !action || ability.can(action) };
    });

/** Who made a move, as a person reads it: the admin's name, or which part of the plugin moved it. */
const eventActor = (h: any, names: Map<number, string>): EventActor => ({
  actor: h.actor ?? null,
  actorName: (h.actorId && names.get(h.actorId)) || null,
  system: typeof h.actor === 'string' && h.actor.startsWith(SYSTEM_PREFIX) ? h.actor.slice(SYSTEM_PREFIX.length) : null,
});

/** The latest event that `pick` keeps (`at` is a Date or a string, depending on the database). */
const latestEvent = (events: any[], pick: (e: any) => boolean) =>
  events.filter(pick).sort((x, y) => new Date(y.at).getTime() - new Date(x.at).getTime())[0];

/** What an asset's audit trail says that the list and the review both show. */
const trailFacts = (asset: { status: string; approvalOverride?: unknown }, trail: any[], names: Map<number, string>): TrailFacts => {
  const rejected = asset.status === 'rejected' ? latestEvent(trail, (e) => e.to === 'rejected' && Boolean(e.note)) : undefined;
  const overridden = asset.approvalOverride ? latestEvent(trail, (e) => e.to === 'approved' && Boolean(e.override)) : undefined;
  return {
    // each image made for the shot arrived in draft (the record's version counts every move)
    imageNumber: Math.max(1, trail.filter((e) => e.to === 'draft').length),
    rejection: rejected ? { ...eventActor(rejected, names), note: rejected.note, at: new Date(rejected.at).toISOString() } : null,
    overrideBy: overridden ? eventActor(overridden, names) : null,
  };
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  /** Admins' names by id, for the history: the audit keeps the e-mail, a reviewer reads a name. */
  const adminNames = async (ids: unknown[]): Promise<Map<number, string>> => {
    const wanted = [...new Set(ids.filter((id): id is number => typeof id === 'number'))];
    if (!wanted.length) return new Map();
    const users = await strapi.db.query('admin::user').findMany({ where: { id: { $in: wanted } }, select: ['id', 'firstname', 'lastname', 'username'] });
    return new Map(
      users
        .map((u: any) => [u.id, [u.firstname, u.lastname].filter(Boolean).join(' ').trim() || u.username || ''] as [number, string])
        .filter(([, name]: [number, string]) => name)
    );
  };

  const service = {
    /**
     * GET /assets: filtered, paginated, newest first. Each row carries what a shot card shows (its
     * checks, this editor's moves, its image number, why it was rejected, who overrode its checks),
     * so no card asks for its asset again: the audit of the whole page is read in one query.
     */
    async list(
      query: { product?: string; status?: AssetStatus[]; role?: Role[]; page: number; pageSize: number; sort: string },
      ability?: Ability
    ): Promise<AssetList> {
      const where: Record<string, unknown> = {};
      if (query.product) {
        const product = await strapi.db.query(UID.product).findOne({ where: { documentId: query.product }, select: ['id'] });
        if (!product) throw new errors.NotFoundError(`No product with id ${query.product}.`);
        where.product = product.id;
      }
      if (query.status) where.status = { $in: query.status };
      if (query.role) where.role = { $in: query.role };
      const [field, order] = query.sort.split(':');
      const [rows, total] = await Promise.all([
        strapi.db.query(UID.asset).findMany({
          where,
          select: LIST_FIELDS,
          populate: {
            file: { select: FILE_FIELDS },
            product: { select: ['id', 'documentId', 'title', 'sku', 'slug', 'category', 'metal'] },
          },
          orderBy: [{ [field]: order }, { id: order }],
          offset: (query.page - 1) * query.pageSize,
          limit: query.pageSize,
        }),
        strapi.db.query(UID.asset).count({ where }),
      ]);
      return {
        data: await service.listItems(rows, ability),
        meta: { pagination: { page: query.page, pageSize: query.pageSize, pageCount: Math.ceil(total / query.pageSize), total } },
      };
    },

    /**
     * The list's rows for asset records read with their file and product: what GET /assets sends,
     * and what generating and importing answer with the shots they made. The audit of all of them
     * is read in one query.
     */
    async listItems(rows: any[], ability?: Ability): Promise<AssetListItem[]> {
      const events = rows.length
        ? await strapi.db.query(UID.audit).findMany({
            where: { asset: { $in: rows.map((r: any) => r.documentId) } },
            select: ['asset', 'to', 'actor', 'actorId', 'note', 'override', 'at'],
          })
        : [];
      const names = await adminNames(events.map((e: any) => e.actorId));
      const byAsset = new Map<string, any[]>();
      for (const e of events) byAsset.set(e.asset, [...(byAsset.get(e.asset) ?? []), e]);
      return rows.map((row: any) => ({
        ...assetView(row),
        qc: qcView(row),
        moves: movesOf(row.status, ability),
        ...trailFacts(row, byAsset.get(row.documentId) ?? [], names),
      }));
    },

    /**
     * GET /assets/:documentId: review against the source. The product's source photo, the
     * candidate with its renditions and QC, provenance and the audit history, together; plus
     * the moves this editor may make from here.
     */
    async review(documentId: string, ability?: Ability): Promise<AssetReview> {
      const asset = await strapi.db.query(UID.asset).findOne({
        where: { documentId },
        populate: {
          file: { select: FILE_FIELDS },
          product: {
            select: ['id', 'documentId', 'title', 'sku', 'slug', 'category', 'metal', 'description'],
            populate: { sourcePhoto: { select: FILE_FIELDS }, stones: true, dimensions: true },
          },
        },
      });
      if (!asset) throw new errors.NotFoundError(`No image asset with id ${documentId}.`);
      const history = await strapi.plugin('product-gallery').service('workflow').history(documentId);
      const names = await adminNames(history.map((h: any) => h.actorId));
      return {
        ...assetView(asset),
        product: {
          // every asset belongs to a product (the relation is required)
          ...productView(asset.product)!,
          description: asset.product?.description ?? null,
          stones: (asset.product?.stones ?? []).map(({ id: _id, ...s }: any) => s),
          dimensions: asset.product?.dimensions ? (({ id: _id, ...d }: any) => d)(asset.product.dimensions) : null,
        },
        source: fileView(asset.product?.sourcePhoto),
        candidate: fileView(asset.file),
        renditions: asset.renditions ?? null,
        focalPoint: asset.focalPoint ?? null,
        qc: qcView(asset),
        provenance: asset.provenance ?? null,
        prompt: asset.prompt ?? null,
        cost: asset.cost === null || asset.cost === undefined ? null : Number(asset.cost),
        attempts: asset.attempts ?? 0,
        moves: movesOf(asset.status, ability),
        decisions: movesOf('in_review', ability),
        ...trailFacts(asset, history, names),
        history: history.map((h: any) => ({
          at: h.at,
          from: h.from ?? null,
          to: h.to,
          ...eventActor(h, names),
          actorId: h.actorId ?? null,
          note: h.note ?? null,
          override: !!h.override,
          qc: h.qc ?? null,
        })),
      };
    },
  };
  return service;
};

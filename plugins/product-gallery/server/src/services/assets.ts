import { upscaleFactorOf } from '../domain/upscale';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { EDITOR_TRANSITIONS, TRANSITIONS } from '../domain/transitions';
import { UID, type AssetStatus, type Role } from '../domain/vocabulary';
import { ACTIONS } from '../bootstrap/permissions-setup';
import { blockingChecks, SYSTEM_PREFIX } from './workflow';

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
];

const fileView = (f: any) =>
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

const productView = (p: any) =>
  p ? { id: p.id, documentId: p.documentId, title: p.title, sku: p.sku, slug: p.slug, category: p.category, metal: p.metal } : null;

/**
 * Where a generating shot is, for the editor: being made (a local shot, or a Replicate one being
 * prepared), at Replicate (its creation is recorded), or being checked (its output is stored).
 */
export type GenerationStage = 'making' | 'replicate' | 'checking';
const generationStage = (a: any): GenerationStage | null => {
  if (a.status !== 'generating') return null;
  if (a.file) return 'checking';
  return a.predictionIntentAt ? 'replicate' : 'making';
};

export type ApprovalOverride = { reason: string; by: string; at: string };

/** The list / transition view of an asset (no prompt, costs or provenance: those are in the review payload). */
export const assetView = (a: any) => ({
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
  file: fileView(a.file),
  product: productView(a.product),
});

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
    /** GET /assets: filtered, paginated, newest first. */
    async list(query: { product?: string; status?: AssetStatus[]; role?: Role[]; page: number; pageSize: number; sort: string }) {
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
        data: rows.map(assetView),
        meta: { pagination: { page: query.page, pageSize: query.pageSize, pageCount: Math.ceil(total / query.pageSize), total } },
      };
    },

    /**
     * GET /assets/:documentId: review against the source. The product's source photo, the
     * candidate with its renditions and QC, provenance and the audit history, together; plus
     * the moves this editor may make from here.
     */
    async review(documentId: string, ability?: { can(action: string): boolean }) {
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
      const status = asset.status as AssetStatus;
      const moves = TRANSITIONS[status]
        .filter((to) => EDITOR_TRANSITIONS.has(to))
        .map((to) => ({ to, action: ACTION_FOR_TARGET[to] ?? null, permitted: !ability || !ACTION_FOR_TARGET[to] || ability.can(ACTION_FOR_TARGET[to]!) }));
      const qc = Array.isArray(asset.qc) ? asset.qc : [];
      return {
        ...assetView(asset),
        product: {
          ...productView(asset.product),
          description: asset.product?.description ?? null,
          stones: (asset.product?.stones ?? []).map(({ id: _id, ...s }: any) => s),
          dimensions: asset.product?.dimensions ? (({ id: _id, ...d }: any) => d)(asset.product.dimensions) : null,
        },
        source: fileView(asset.product?.sourcePhoto),
        candidate: fileView(asset.file),
        renditions: asset.renditions ?? null,
        focalPoint: asset.focalPoint ?? null,
        qc: {
          status: asset.qcStatus ?? null,
          checks: qc,
          failing: qc.filter((c: any) => c?.status === 'fail').map((c: any) => c.id),
          unverified: qc.filter((c: any) => c?.status === 'unverified').map((c: any) => c.id),
          warnings: qc.filter((c: any) => c?.status === 'warn').map((c: any) => c.id),
          overrideRequired: blockingChecks(asset) !== null,
        },
        provenance: asset.provenance ?? null,
        prompt: asset.prompt ?? null,
        cost: asset.cost === null || asset.cost === undefined ? null : Number(asset.cost),
        attempts: asset.attempts ?? 0,
        moves,
        history: history.map((h: any) => ({
          at: h.at,
          from: h.from ?? null,
          to: h.to,
          actor: h.actor ?? null,
          actorId: h.actorId ?? null,
          // what a person reads: the admin's name, or which part of the plugin moved it
          actorName: (h.actorId && names.get(h.actorId)) || null,
          system: typeof h.actor === 'string' && h.actor.startsWith(SYSTEM_PREFIX) ? h.actor.slice(SYSTEM_PREFIX.length) : null,
          note: h.note ?? null,
          override: !!h.override,
          qc: h.qc ?? null,
        })),
      };
    },
  };
  return service;
};

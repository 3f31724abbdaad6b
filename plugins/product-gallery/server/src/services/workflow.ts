import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { canTransition, TRANSITIONS } from '../domain/transitions';
import { UID, type AssetStatus, type Role } from '../domain/vocabulary';
import { conflict, unprocessable } from '../utils/errors';

export type Actor = { kind: 'admin'; id: number; email: string } | { kind: 'system'; name: string };

export interface TransitionInput {
  documentId: string;
  to: AssetStatus;
  /** The version the editor saw; required for editors, the worker passes the one it read. */
  version?: number;
  note?: string | null;
  /** A written reason to approve despite failing checks. */
  override?: string | null;
  actor: Actor;
  /** Fields written in the same update as the status (the worker's results). */
  patch?: Record<string, unknown>;
  /**
   * The asset as the caller has just read it, with its product (the dispatcher): compared and set
   * against as it is, not read again, and returned as written. Two round trips fewer per move.
   */
  current?: any;
}

/** What planning put in an asset's provenance: kept when it is generated again. */
const PLANNED = ['generator', 'model', 'briefId', 'briefVersion', 'sourceHash', 'negativePrompt'] as const;

/**
 * A re-queued image (regenerate after a rejection, retry after a failure) is a new generation:
 * nothing of the previous attempt may be resumed or checked again (its file, its prediction), and
 * a new tag gives it a new seed and keeps Replicate's dedupe from finding the old prediction.
 * The rejected file stays in the Media Library; its cost stays on the asset.
 */
const freshGeneration = (asset: any) => ({
  file: null,
  width: null,
  height: null,
  renditions: null,
  placeholder: null,
  focalPoint: null,
  qc: null,
  qcStatus: null,
  predictionId: null,
  predictionIntentAt: null,
  generationTag: crypto.randomUUID(),
  attempts: 0,
  nextAttemptAt: null,
  error: null,
  leaseUntil: null,
  leaseOwner: null,
  provenance: Object.fromEntries(PLANNED.filter((k) => asset.provenance?.[k] !== undefined).map((k) => [k, asset.provenance[k]])),
});

export const actorLabel = (actor: Actor) => (actor.kind === 'admin' ? actor.email : `system:${actor.name}`);

const EVENT_BY_STATUS: Partial<Record<AssetStatus, string>> = {
  published: 'product-gallery.asset.published',
  archived: 'product-gallery.asset.archived',
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const assets = () => strapi.db.query(UID.asset);

  // createMany: one insert, where create() reads the row back (nothing here needs it).
  const audit = async (asset: any, from: AssetStatus | null, to: AssetStatus, actor: Actor, note?: string | null, override = false) =>
    strapi.db.query(UID.audit).createMany({
      data: [{
        asset: asset.documentId,
        product: asset.product?.documentId ?? null,
        from,
        to,
        actor: actorLabel(actor),
        actorId: actor.kind === 'admin' ? actor.id : null,
        at: new Date(),
        note: note ?? null,
        override,
        qc: asset.qc ?? null,
      }],
    });

  const load = async (documentId: string) => {
    const asset = await assets().findOne({ where: { documentId }, populate: { product: true } });
    if (!asset) throw new errors.NotFoundError(`No image asset with id ${documentId}.`);
    return asset;
  };

  const emit = (event: string, payload: Record<string, unknown>) => {
    strapi.eventHub.emit(event, payload);
  };

  const service = {
    load,

    /** A new asset enters the workflow (planned, or imported). */
    async create(input: { productId: number; role: Role; status: AssetStatus; data?: Record<string, unknown> }, actor: Actor) {
      return strapi.db.transaction(async () => {
        const created = await assets().create({
          data: { ...input.data, product: input.productId, role: input.role, status: input.status, version: 1 },
          populate: { product: true },
        });
        await audit(created, null, input.status, actor, input.status === 'queued' ? 'planned' : 'imported');
        return created;
      });
    },

    /**
     * The only way an asset changes state. Compare-and-set on `version`: a stale request
     * gets 409 and changes nothing; every accepted move writes an audit event.
     */
    async transition(input: TransitionInput) {
      const result = await strapi.db.transaction(async () => {
        const asset = input.current ?? (await load(input.documentId));
        const from = asset.status as AssetStatus;
        if (input.version !== undefined && input.version !== asset.version) {
          throw conflict(
            `This image changed while you were looking at it (you saw version ${input.version}, it is now version ${asset.version}, ${from}). Reload to see the latest state.`,
            { current: { version: asset.version, status: from } }
          );
        }
        if (!canTransition(from, input.to)) {
          const allowed = TRANSITIONS[from];
          throw unprocessable(
            `An image that is ${from.replace('_', ' ')} cannot move to ${input.to.replace('_', ' ')}.` +
              (allowed.length ? ` From ${from.replace('_', ' ')} it can go to: ${allowed.join(', ')}.` : ' It is final.'),
            { from, to: input.to, allowed }
          );
        }

        let overrideUsed = false;
        if (input.to === 'approved' && asset.qcStatus === 'fail') {
          if (!input.override?.trim()) {
            const failing = (asset.qc ?? []).filter((c: any) => c.status === 'fail').map((c: any) => c.id);
            throw unprocessable(
              `This image failed ${failing.length} check(s) (${failing.join(', ')}). Approving it needs an override with a written reason.`,
              { failing }
            );
          }
          overrideUsed = true;
        }
        if (input.to === 'rejected' && input.actor.kind === 'admin' && !input.note?.trim()) {
          throw new errors.ValidationError('note: a rejection needs a reason, so the next attempt can fix it.', {
            errors: [{ path: ['note'], message: 'a rejection needs a reason', name: 'ValidationError' }],
          });
        }

        const patch: Record<string, unknown> = { ...(input.patch ?? {}) };
        if (input.to === 'published') Object.assign(patch, await service.placeInSlot(asset, input.actor));
        if (input.to === 'archived' && from === 'published') patch.slot = null;
        if (input.to === 'queued') Object.assign(patch, freshGeneration(asset));
        if (input.to === 'queued' && from === 'rejected' && asset.prompt && input.note) {
          patch.prompt = `${asset.prompt}\nReviewer's note to fix: ${input.note}`;
        }

        // updateMany is the compare-and-set; relations (the media file) need update().
        const { file, ...columns } = patch;
        const { count } = await assets().updateMany({
          where: { documentId: input.documentId, version: asset.version },
          data: { ...columns, status: input.to, version: asset.version + 1 },
        });
        if (count !== 1) throw conflict('This image changed while the request ran. Reload and try again.');
        if (file !== undefined) await assets().update({ where: { id: asset.id }, data: { file } });
        const note = overrideUsed ? `override: ${input.override}${input.note ? ` — ${input.note}` : ''}` : input.note;
        await audit({ ...asset, ...patch }, from, input.to, input.actor, note, overrideUsed);
        if (['published', 'archived'].includes(input.to) || from === 'published') {
          await service.touchGallery(asset.product?.id);
        }
        const written = input.current ? { ...asset, ...columns, ...(file !== undefined ? { file } : {}), status: input.to, version: asset.version + 1 } : await load(input.documentId);
        return { asset: written, from };
      });

      const event = EVENT_BY_STATUS[input.to];
      const payload = { asset: result.asset.documentId, product: result.asset.product?.documentId, role: result.asset.role, from: result.from, to: input.to };
      strapi.eventHub.emit('product-gallery.asset.status', payload);
      if (event) {
        emit(event, payload);
        emit('product-gallery.gallery.changed', { product: result.asset.product?.documentId, slug: result.asset.product?.slug });
      }
      return result.asset;
    },

    /**
     * Publishing: the asset takes its role's place in the brief's slot plan, and whatever
     * published asset of the same role it replaces is archived in the same transaction.
     */
    async placeInSlot(asset: any, actor: Actor) {
      const product = await strapi.db
        .query(UID.product)
        .findOne({ where: { id: asset.product.id }, populate: { brief: true } });
      const briefs = strapi.plugin('product-gallery').service('briefs');
      const brief = await briefs.effectiveFor(product);
      const plan = briefs.slotPlanOf(brief) as Array<{ slot: string; roles: string[] }>;
      const slots = plan.filter((s) => s.roles.includes(asset.role));
      if (!slots.length) {
        throw unprocessable(
          `The brief "${brief?.name ?? 'default'}" has no page slot for ${asset.role} images, so this image has nowhere to go. Add ${asset.role} to a slot in the brief first.`
        );
      }
      const replaced = await assets().findMany({
        where: { product: asset.product.id, role: asset.role, status: 'published', documentId: { $ne: asset.documentId } },
      });
      for (const old of replaced) {
        await assets().update({ where: { id: old.id }, data: { status: 'archived', slot: null, version: old.version + 1 } });
        await audit({ ...old, product: asset.product }, 'published', 'archived', actor, `replaced by ${asset.documentId}`);
        strapi.eventHub.emit('product-gallery.asset.archived', { asset: old.documentId, product: asset.product.documentId, role: old.role, from: 'published', to: 'archived' });
      }
      // The slot this role leads (model: gallery-2), else the first one it can fall back into.
      const home = slots.find((s) => s.roles[0] === asset.role) ?? slots[0];
      return { slot: home.slot, publishedInSlotAt: new Date() };
    },

    /** A monotonic per-product counter: part of the gallery ETag, so every instance sees changes at once. */
    async touchGallery(productId?: number) {
      if (!productId) return;
      const current = await strapi.db.query(UID.product).findOne({ where: { id: productId }, select: ['galleryVersion'] });
      await strapi.db
        .query(UID.product)
        .update({ where: { id: productId }, data: { galleryVersion: (current?.galleryVersion ?? 0) + 1, updatedAt: new Date() } });
    },

    async history(documentId: string) {
      return strapi.db.query(UID.audit).findMany({ where: { asset: documentId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    },
  };
  return service;
};

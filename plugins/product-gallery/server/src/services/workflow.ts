import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { canTransition, TRANSITIONS } from '../domain/transitions';
import { UID, type AssetStatus, type Role } from '../domain/vocabulary';
import { conflict, unprocessable } from '../utils/errors';
import { getService } from '../utils/get-service';
import { bumpGalleryVersion } from '../repositories/low-level';
import { PROMPT_LIMITS, clip, withReviewerNote } from '../domain/prompt';
import type { QcCheck } from '../pipeline/qc';

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
  predictionInput: null,
  generationTag: crypto.randomUUID(),
  attempts: 0,
  nextAttemptAt: null,
  error: null,
  leaseUntil: null,
  leaseOwner: null,
  approvalOverride: null,
  provenance: {
    ...Object.fromEntries(PLANNED.filter((k) => asset.provenance?.[k] !== undefined).map((k) => [k, asset.provenance[k]])),
    // Which regeneration this is, and what the last image was: a local shot varies with the one
    // and is checked against the other, so it is never silently made again byte for byte.
    regeneration: Number(asset.provenance?.regeneration ?? 0) + 1,
    previousOutputSha256: asset.provenance?.outputSha256 ?? asset.provenance?.previousOutputSha256 ?? null,
  },
});

/** A stored check as the pipeline wrote it (the asset's qc JSON). */
type Check = Pick<QcCheck, 'id' | 'status' | 'message'>;

/**
 * What stands between an image and approval: checks that failed, and checks that could not decide
 * ("cannot verify"). Either needs a person to write why the image is right. Null when none.
 */
export const blockingChecks = (asset: { qcStatus?: string | null; qc?: unknown }) => {
  const checks: Check[] = Array.isArray(asset.qc) ? (asset.qc as Check[]).filter((c) => c && typeof c === 'object') : [];
  const failing = checks.filter((c) => c.status === 'fail');
  const unverified = checks.filter((c) => c.status === 'unverified');
  const rollUp = asset.qcStatus === 'fail' || asset.qcStatus === 'unverified';
  return failing.length || unverified.length || rollUp ? { failing, unverified, qcStatus: asset.qcStatus ?? null } : null;
};

const said = (c: Check) => (c.message?.trim() ? `${c.message.trim().replace(/\.$/, '')} (${c.id})` : c.id);

export const blockingMessage = ({ failing, unverified, qcStatus }: NonNullable<ReturnType<typeof blockingChecks>>) => {
  const parts: string[] = [];
  if (failing.length) parts.push(`it failed ${failing.length === 1 ? 'a check' : `${failing.length} checks`}: ${failing.map(said).join('; ')}`);
  if (unverified.length) parts.push(`${unverified.length === 1 ? 'a check' : `${unverified.length} checks`} could not verify it: ${unverified.map(said).join('; ')}`);
  if (!parts.length) parts.push(qcStatus === 'fail' ? 'its checks failed' : 'its checks could not verify it');
  return `This image cannot be approved as it is: ${parts.join(', and ')}. Look at it against the source; to approve it anyway, write an override saying why it is right (it is recorded and shown on the image).`;
};

/** Publishing, archiving and anything that leaves `published` changes what the storefront shows. */
const touchesGallery = (from: AssetStatus, to: AssetStatus) => to === 'published' || to === 'archived' || from === 'published';

/** How the audit log records a move the plugin made by itself (the dispatcher): `system:<name>`. */
export const SYSTEM_PREFIX = 'system:';

export const actorLabel = (actor: Actor) => (actor.kind === 'admin' ? actor.email : `${SYSTEM_PREFIX}${actor.name}`);

const EVENT_BY_STATUS: Partial<Record<AssetStatus, string>> = {
  published: 'product-gallery.asset.published',
  archived: 'product-gallery.asset.archived',
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const assets = () => strapi.db.query(UID.asset);
  const snapshots = () => getService(strapi, 'gallerySnapshots');

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

  /** The note of the asset's newest rejection, if it had one. */
  const rejectionNote = async (documentId: string): Promise<string | null> => {
    const last = await strapi.db.query(UID.audit).findOne({
      where: { asset: documentId, to: 'rejected' },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      select: ['note'],
    });
    return last?.note?.trim() || null;
  };

  const emit = (event: string, payload: Record<string, unknown>) => {
    strapi.eventHub.emit(event, payload);
  };

  /**
   * Moves the product's gallery version on by one and takes the product for the rest of the
   * transaction, so the moves of one gallery happen one after the other (repositories/low-level.ts says how).
   */
  const lockGallery = async (productId: number) => {
    await bumpGalleryVersion(strapi, productId);
    await snapshots().changed([productId]);
  };

  const service = {
    load,

    /** A new asset enters the workflow (planned, or imported). */
    async create(input: { productId: number; role: Role; status: AssetStatus; data?: Record<string, unknown> }, actor: Actor) {
      return snapshots().transaction(async () => {
        const created = await assets().create({
          data: { ...input.data, product: input.productId, role: input.role, status: input.status, version: 1 },
          // what the asset's views show: generating and importing answer with it
          populate: { product: true, file: true },
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
      /** Published and archived events of the moves this one made, sent once they are committed. */
      const archivedAlong: Array<Record<string, unknown>> = [];
      const result = await snapshots().transaction(async () => {
        let asset = input.current ?? (await load(input.documentId));
        if (touchesGallery(asset.status, input.to)) {
          // Moves that change a product's gallery take the product first, one at a time, so two
          // publishes of one role cannot both see the slot free; the asset is then read again
          // as the move before it left it.
          await lockGallery(asset.product.id);
          asset = await load(input.documentId);
        }
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
        const blocking = input.to === 'approved' ? blockingChecks(asset) : null;
        if (blocking) {
          if (!input.override?.trim()) throw unprocessable(blockingMessage(blocking), { failing: blocking.failing.map((c) => c.id), unverified: blocking.unverified.map((c) => c.id) });
          overrideUsed = true;
        }
        if (input.to === 'rejected' && input.actor.kind === 'admin' && !input.note?.trim()) {
          throw new errors.ValidationError('note: a rejection needs a reason, so the next attempt can fix it.', {
            errors: [{ path: ['note'], message: 'a rejection needs a reason', name: 'ValidationError' }],
          });
        }

        const patch: Record<string, unknown> = { ...(input.patch ?? {}) };
        // Kept on the asset so every view of it can say "approved with override" and why.
        if (overrideUsed) patch.approvalOverride = { reason: input.override!.trim(), by: actorLabel(input.actor), at: new Date().toISOString() };
        if (input.to === 'published') Object.assign(patch, await service.placeInSlot(asset, input.actor, archivedAlong));
        if (input.to === 'archived' && from === 'published') patch.slot = null;
        if (input.to === 'queued') Object.assign(patch, freshGeneration(asset));
        // Regenerate sends no note of its own: the reject dialog promised the reviewer's reason
        // goes into the next prompt, so the newest rejection's note is the one carried.
        const carried = input.to === 'queued' && from === 'rejected' ? input.note?.trim() || (await rejectionNote(input.documentId)) : null;
        if (carried && asset.prompt) patch.prompt = withReviewerNote(asset.prompt, carried);

        // updateMany is the compare-and-set; relations (the media file) need update().
        const { file, ...columns } = patch;
        const { count } = await assets().updateMany({
          where: { documentId: input.documentId, version: asset.version },
          data: { ...columns, status: input.to, version: asset.version + 1 },
        });
        if (count !== 1) throw conflict('This image changed while the request ran. Reload and try again.');
        if (file !== undefined) await assets().update({ where: { id: asset.id }, data: { file } });
        const note = overrideUsed
          ? `override: ${input.override}${input.note ? ` — ${input.note}` : ''}`
          : carried && !input.note?.trim()
            ? `Regenerated with the reviewer's note: ${clip(carried, PROMPT_LIMITS.notes)}`
            : input.note;
        await audit({ ...asset, ...patch }, from, input.to, input.actor, note, overrideUsed);
        const written = input.current ? { ...asset, ...columns, ...(file !== undefined ? { file } : {}), status: input.to, version: asset.version + 1 } : await load(input.documentId);
        return { asset: written, from };
      });

      for (const archived of archivedAlong) emit('product-gallery.asset.archived', archived);
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
    async placeInSlot(asset: any, actor: Actor, archived: Array<Record<string, unknown>> = []) {
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
        // Compare-and-set: the image replaced is the one read, still published.
        const { count } = await assets().updateMany({
          where: { id: old.id, version: old.version, status: 'published' },
          data: { status: 'archived', slot: null, version: old.version + 1 },
        });
        if (count !== 1) throw conflict(`The ${asset.role} image this one replaces changed while it was being published. Reload and try again.`);
        await audit({ ...old, product: asset.product }, 'published', 'archived', actor, `replaced by ${asset.documentId}`);
        archived.push({ asset: old.documentId, product: asset.product.documentId, role: old.role, from: 'published', to: 'archived' });
      }
      // The slot this role leads (model: gallery-2), else the first one it can fall back into.
      const home = slots.find((s) => s.roles[0] === asset.role) ?? slots[0];
      return { slot: home.slot, publishedInSlotAt: new Date() };
    },

    /** The product's gallery changed: its version moves on and its storefront row is written (in this transaction). */
    async touchGallery(productId?: number) {
      if (productId) await lockGallery(productId);
    },

    /**
     * What an editor may change on an image without a new review: its alt text and focal point.
     * The version is not moved, so a review open elsewhere and the generation worker are not
     * turned away by it; an image still being made has neither yet and is refused.
     */
    async updateDetails(input: { documentId: string; alt?: string; focalPoint?: { x: number; y: number } | null; actor: Actor }) {
      const result = await snapshots().transaction(async () => {
        const asset = await load(input.documentId);
        if (['queued', 'generating'].includes(asset.status)) {
          throw unprocessable(`This image is still being made (${asset.status}): edit its alt text and focal point once it is ready.`, { status: asset.status });
        }
        const data: Record<string, unknown> = {};
        const changes: string[] = [];
        if (input.alt !== undefined && input.alt !== (asset.alt ?? null)) {
          data.alt = input.alt;
          changes.push(`alt text: ${JSON.stringify(asset.alt ?? '')} → ${JSON.stringify(input.alt)}`);
        }
        const focal = (f: any) => (f && typeof f.x === 'number' ? `${f.x}%, ${f.y}%` : 'automatic');
        if (input.focalPoint !== undefined && focal(input.focalPoint) !== focal(asset.focalPoint)) {
          data.focalPoint = input.focalPoint;
          changes.push(`focal point: ${focal(asset.focalPoint)} → ${focal(input.focalPoint)}`);
        }
        if (!changes.length) return { asset, changed: [] as string[] };
        await assets().updateMany({ where: { id: asset.id }, data: { ...data, updatedAt: new Date() } });
        await audit(asset, asset.status, asset.status, input.actor, changes.join('; '));
        // A live image's page changes with it.
        if (asset.status === 'published') await service.touchGallery(asset.product?.id);
        return { asset: await load(input.documentId), changed: Object.keys(data) };
      });
      if (result.changed.length && result.asset.status === 'published') {
        emit('product-gallery.gallery.changed', { product: result.asset.product?.documentId, slug: result.asset.product?.slug });
      }
      return result;
    },

    async history(documentId: string) {
      return strapi.db.query(UID.audit).findMany({ where: { asset: documentId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    },
  };
  return service;
};

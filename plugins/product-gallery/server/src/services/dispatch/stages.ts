import { upscaleFactorOf } from '../../domain/upscale';
import type { Core } from '@strapi/strapi';
import { UID, type Role } from '../../domain/vocabulary';
import type { RoleSpec } from '../../domain/default-briefs';
import type { Prediction } from '../../replicate';
import { getService } from '../../utils/get-service';
import { unprocessable } from '../../utils/errors';
import { labelFromProvenance } from '../../pipeline/source-label';
import type { QueueName } from './queue';
import { LeaseLost, SYSTEM, type Lease } from './lease';

export type Stage = 'generate' | 'create' | 'complete' | 'check';
export type Context = { product: any; spec: RoleSpec };
/** A creation sent by this process: its answer (held until the prediction is done, or failing) and when it began. */
export type Sent = { answer: Promise<Prediction>; at: number };
/** How a stage runs here: what the stage before it in this process handed on. */
export type Run = { context?: Context; sent?: Sent; stage?: Stage; prepared?: () => void; controller?: AbortController };
/** What a stage hands on: the next stage's queue (any instance takes it), or the asset to go on with here, under the lease held. */
export type Next = QueueName | { goOn: any; run: Run } | null;

/** The stage an asset is at, from its row alone (so any instance can resume it). */
export const stageOf = (asset: any): Stage => {
  if (asset.file?.id) return 'check';
  if (asset.provenance?.generator !== 'replicate') return 'generate';
  return asset.predictionId ? 'complete' : asset.provenance?.request ? 'create' : 'generate';
};

/**
 * The stages of a generation: `generate` (a local shot is made and secured; a Replicate shot is
 * prepared), `create` (the prepared prediction is sent), `complete` (it is awaited, downloaded and
 * secured) and `check` (QC and renditions, then draft).
 */
export function createStages(strapi: Core.Strapi, lease: Lease, opts: { completeSlotFree: () => boolean }) {
  const assets = () => strapi.db.query(UID.asset);
  const { owner, loadAsset, release } = lease;

  /** A secured file whose asset was taken over meanwhile: nothing refers to it. */
  const discard = async (fileId: number) => {
    const file = await strapi.db.query('plugin::upload.file').findOne({ where: { id: fileId } });
    if (file) await strapi.plugin('upload').service('upload').remove(file);
  };

  const productOf = (asset: any) =>
    strapi.db
      .query(UID.product)
      .findOne({ where: { assets: { id: asset.id } }, populate: { sourcePhoto: true, brief: true, dimensions: true, stones: true } });

  /** The product and role spec a generation is made for. */
  const contextOf = async (asset: any): Promise<Context> => {
    const product = await productOf(asset);
    if (!product?.sourcePhoto) throw unprocessable('The product has no source photo any more: add one and regenerate.');
    // Queued before the photo changed, or regenerated: still nothing is made from an unconfirmed cutout.
    const blocked = getService(strapi, 'reference').blockedReason(product.reference);
    if (blocked) throw unprocessable(`${blocked}, then regenerate this image.`);
    const brief = await getService(strapi, 'briefs').effectiveFor(product);
    const spec = getService(strapi, 'briefs').roleSpec(brief, asset.role);
    if (!spec) throw unprocessable(`The brief no longer has a ${asset.role} role.`);
    return { product, spec };
  };

  /**
   * Stage `generate` (and `complete`): a local shot is made, or a Replicate prediction awaited and
   * downloaded; either way the output is secured. A Replicate shot not created yet is prepared.
   */
  const generate = async (asset: any, signal: AbortSignal, run: Run = {}): Promise<Next> => {
    const { product, spec } = run.context ?? (await contextOf(asset));
    const generator = (asset.provenance?.generator ?? 'local') as 'local' | 'replicate';
    if (generator === 'replicate' && !asset.predictionId && !run.sent) {
      const request = await getService(strapi, 'generation').prepare({ asset, product, spec });
      const provenance = { ...(asset.provenance ?? {}), request };
      // Recorded before the creation: after a crash the creation is resumed from it, not prepared again.
      await lease.write(asset, { provenance, error: null });
      run.prepared?.();
      strapi.eventHub.emit('product-gallery.asset.stage', { asset: asset.documentId, stage: 'create', at: Date.now() });
      return create({ ...asset, provenance, cost: request.cost }, signal, { product, spec });
    }
    run.prepared?.();
    let created: { prediction: Prediction; at: number } | undefined;
    if (run.sent) {
      const prediction = await run.sent.answer;
      created = { prediction, at: run.sent.at };
      asset = { ...asset, predictionId: prediction.id };
    }
    // The answer may have been held a long while: still ours before downloading, upscaling, storing?
    if (generator === 'replicate') await lease.confirm(asset);
    const provider = getService(strapi, 'generation').providers[generator];
    const sourceBytes = await getService(strapi, 'media').readSource(product.sourcePhoto);
    const output = await provider.generate({
      resumedAfterDeadline: Boolean(asset.resumedAfterDeadline),
      created,
      asset,
      product,
      spec,
      sourceBytes,
      signal,
    });
    // Storing the file is the first effect outside the row: only while the lease is still ours.
    await lease.confirm(asset);
    const secured = await getService(strapi, 'candidates').secure(output.bytes, {
      product,
      role: asset.role as Role,
      name: `${product.sku}-${asset.role}`,
      label: labelFromProvenance({ ...(asset.provenance ?? {}), ...output.provenance }),
    });
    const provenance = {
      ...(asset.provenance ?? {}),
      ...output.provenance,
      sourceHash: product.reference?.intake?.sha256 ?? null,
      prompt: asset.prompt,
      securedAt: new Date().toISOString(),
      // What the check stage needs to know about how the image was made.
      checkHints: {
        expectedProductLongSidePx: output.expectedProductLongSidePx ?? null,
        productBox: output.productBox ?? null,
        sourceRegion: output.sourceRegion ?? null,
      },
    };
    try {
      // One transaction: the compare-and-set on the owner, then the file (only `update` writes
      // relations), so nobody can claim the asset between the two and find it without its output.
      await strapi.db.transaction(async () => {
        await release(asset, { sourceType: secured.sourceType, cost: output.cost, provenance, error: null });
        await assets().update({ where: { id: asset.id }, data: { file: secured.fileId } });
      });
    } catch (error) {
      if (error instanceof LeaseLost) await discard(secured.fileId).catch((e) => strapi.log.warn(`[product-gallery] could not remove an unused output file: ${(e as Error).message}`));
      throw error;
    }
    strapi.eventHub.emit('product-gallery.asset.stage', { asset: asset.documentId, stage: 'check', at: Date.now() });
    return 'check';
  };

  /**
   * Stage `create`: the prepared prediction is created (under the rate limit). This process then
   * awaits it under the lease it holds (no release and new claim: two fewer round trips per image
   * on the rate-limited path); if it dies, the lease lapses and any instance resumes the wait.
   * Without a webhook the creation's answer is held until the prediction is done (Prefer: wait):
   * the stage ends as the request goes out, and its answer is awaited as the `complete` stage
   * (a wait, not a generate slot); a prediction that finished in the wait is never polled.
   */
  const create = async (asset: any, signal: AbortSignal, context?: Context): Promise<Next> => {
    const at = Date.now();
    let sent = () => {};
    const goingOut = new Promise<void>((resolve) => (sent = resolve));
    const answer = getService(strapi, 'generation').create(asset, signal, sent);
    // Failing after it went out, it fails the `complete` stage that awaits it (not an unhandled rejection).
    answer.catch(() => {});
    await Promise.race([goingOut, answer]);
    if (opts.completeSlotFree()) return { goOn: asset, run: { context, sent: { answer, at }, stage: 'complete' } };
    await answer;
    await release(asset);
    return 'complete';
  };

  /** Stage `check`: QC against the source and renditions of the secured output, then draft. */
  const check = async (asset: any) => {
    const product = await productOf(asset);
    if (!product) throw unprocessable('The product of this image was deleted.');
    const brief = await getService(strapi, 'briefs').effectiveFor(product);
    const spec = getService(strapi, 'briefs').roleSpec(brief, asset.role);
    const hints = asset.provenance?.checkHints ?? {};
    const local = (asset.provenance?.generator ?? 'local') === 'local';
    const fields = await getService(strapi, 'candidates').check(asset.file.id, {
      product,
      role: asset.role as Role,
      spec: {
        role: asset.role,
        aspectRatio: spec?.aspectRatio,
        minLongEdge: spec?.minLongEdge,
        expectedProductLongSidePx: hints.expectedProductLongSidePx ?? null,
        productBox: hints.productBox ?? null,
        // a local composite's exact placement: the source is compared where it was laid
        placement: local ? asset.provenance?.placement ?? null : null,
        sourceRegion: hints.sourceRegion ?? null,
        // our own clean shots are framed at the brief's fill; a generator's framing is its own
        fill: local && asset.role === 'clean' ? spec?.fill ?? null : null,
        category: product.category ?? null,
        assumedSize: local && asset.provenance?.scale?.assumed ? { longSideMm: Number(asset.provenance.scale.longSideMm), category: product.category ?? null } : null,
        upscaleFactor: upscaleFactorOf(asset.provenance),
      },
      // Every check may need the source's pixels: a close-up is compared with its region, and a
      // generated scene is searched for the source's product before anything is compared.
      sourceBytes: product.sourcePhoto ? await getService(strapi, 'media').readSource(product.sourcePhoto) : undefined,
    });
    // Compare-and-set against the row as claimed: the lease kept its version (a renewal moves only
    // the lease), so a changed version means someone else moved the asset meanwhile.
    try {
      await getService(strapi, 'workflow').transition({
        documentId: asset.documentId,
        to: 'draft',
        version: asset.version,
        actor: SYSTEM,
        patch: { ...fields, error: null, leaseUntil: null, leaseOwner: null },
        current: asset,
      });
    } catch (error) {
      const current = await loadAsset(asset.documentId);
      if (!current || current.status !== 'generating' || current.leaseOwner !== owner) return; // finished or taken over elsewhere
      throw error;
    }
  };

  return { generate, create, check };
}

export type Stages = ReturnType<typeof createStages>;

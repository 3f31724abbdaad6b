import crypto from 'node:crypto';
import sharp from 'sharp';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID } from '../domain/vocabulary';
import type { RawMask } from '../pipeline/raw-image';
import type { RefineStroke } from '../pipeline/cutout';
import { decodeMaskPng } from '../pipeline/jobs';
import { isReplicateError, outputUrls, predictionError } from '../replicate';
import { fitPhotoToModel } from '../pipeline/model-io';
import { conflict, httpStatusError, unprocessable } from '../utils/errors';
import { getConfig, getService } from '../utils/get-service';
import type { ProductReference } from './products';
import { actorLabel, type Actor } from './workflow';
import type { AiMask, ConfirmedMask, ConfirmResult, ReferenceState, ReferenceView, RefinePreview, SecondOpinion, StoredMask } from '../../../shared/contracts/reference';

/** The background remover asked for a second opinion (official model: input `image`, output one URI). */
export const AI_CUTOUT_MODEL = 'recraft-ai/recraft-remove-background';

export const NEEDS_CHECK_MESSAGE =
  "The product cutout of the source photo needs a person's check: open the workspace and confirm or refine it";

/** Masks are stored in the Media Library (greyscale PNG at the source's size, 255 = product). */
export type { AiMask, ConfirmedMask, ReferenceState, StoredMask } from '../../../shared/contracts/reference';

export type ReferenceWithMask = ProductReference & { mask?: ConfirmedMask | null; aiMask?: AiMask | null };

/** Where a product's reference stands: only `needs-check` blocks generation. */
export const referenceState = (reference: ReferenceWithMask | null | undefined): ReferenceState => {
  if (!reference) return 'missing';
  if (reference.mask?.confirmedAt) return 'confirmed';
  return reference.needsReview ? 'needs-check' : 'automatic';
};

/** The reference as the admin reads it: its state said, the fingerprint (the server's own) left out. */
export const referenceView = (reference: ReferenceWithMask): ReferenceView => {
  const { fingerprint: _fp, mask, aiMask, ...rest } = reference as ReferenceWithMask & { fingerprint?: unknown };
  return { ...rest, state: referenceState(reference) as ReferenceView['state'], mask: mask ?? null, aiMask: aiMask ?? null };
};

const dataUri = (png: Buffer | Uint8Array) => `data:image/png;base64,${Buffer.from(png).toString('base64')}`;

/**
 * The product's reference (the fingerprint every check compares against) and its mask: refined
 * with an editor's strokes, confirmed by a person, or taken from an AI background remover. An
 * uncertain automatic cutout blocks generation until a person has confirmed a mask.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const loadProduct = async (documentId: string) => {
    const product = await getService(strapi, 'products').get(documentId);
    if (!product.sourcePhoto || !product.reference) {
      throw unprocessable('This product has no analysed source photo yet. Add a source photo first: its cutout is what gets checked.');
    }
    return product as any;
  };

  const readMask = async (stored: StoredMask): Promise<Buffer> => {
    const media = getService(strapi, 'media');
    const file = await media.findFile(stored.fileId);
    if (!file) throw unprocessable(`The stored mask (Media Library file ${stored.fileId}) is gone: refine and confirm the cutout again.`);
    return media.readFile(file);
  };

  const storeMask = async (png: Buffer, size: { width: number; height: number }, name: string, caption: string) => {
    const file = await getService(strapi, 'media').storeImage({ buffer: png, name, mime: 'image/png', ext: '.png', width: size.width, height: size.height, caption });
    return { fileId: file.id as number, url: file.url as string };
  };

  const sourceBytes = (product: any) => getService(strapi, 'media').readSource(product.sourcePhoto);

  const refine = async (product: any, strokes: RefineStroke[], from: 'auto' | 'ai') => {
    const reference = product.reference as ReferenceWithMask;
    let initialMaskPng: Buffer | null = null;
    if (from === 'ai') {
      if (!reference.aiMask) throw unprocessable('from: there is no AI background remover mask for this photo yet: ask for the second opinion first.');
      initialMaskPng = await readMask(reference.aiMask);
    }
    const pipeline = getService(strapi, 'pipeline');
    return pipeline.run('refineSource', [await sourceBytes(product), strokes, pipeline.limits(), { initialMaskPng }], 'strokes');
  };

  /** The confirmed mask and the analysis made from it, stored (the image work of a confirmation). */
  const confirmedImages = async (product: any, strokes: RefineStroke[], from: 'auto' | 'ai', method: ConfirmedMask['method']) => {
    const r = await refine(product, strokes, from);
    if (r.refined.areaFraction < 0.0005) {
      throw new errors.ValidationError('strokes: the confirmed mask would contain no product. Keep at least part of the piece.', {
        errors: [{ path: ['strokes'], message: 'the mask would be empty', name: 'ValidationError' }],
      });
    }
    const stored = await storeMask(Buffer.from(r.maskPng), r, `mask-${product.sku}`, `product-gallery confirmed mask (${method})`);
    const pipeline = getService(strapi, 'pipeline');
    const { cutoutPng, ...rest } = await pipeline.run('analyzeSource', [await sourceBytes(product), pipeline.limits(), r.maskPng], 'sourcePhoto');
    const preview = await sharp(Buffer.from(cutoutPng)).metadata();
    const cutoutFile = await getService(strapi, 'media').storeImage({
      buffer: Buffer.from(cutoutPng),
      name: `cutout-${product.sku}`,
      mime: 'image/png',
      ext: '.png',
      width: preview.width ?? 0,
      height: preview.height ?? 0,
      caption: 'product-gallery cutout preview',
    });
    return { r, stored, rest, cutoutFile };
  };

  const service = {
    referenceState,

    /** Null when shots may be made from the product's reference, else why not (for a 409 or a failed shot). */
    blockedReason(reference: ReferenceWithMask | null | undefined): string | null {
      return referenceState(reference) === 'needs-check' ? NEEDS_CHECK_MESSAGE : null;
    },

    /** Throws a 409 naming the cutout when nothing may be generated from the product yet. */
    assertReady(product: { reference?: ReferenceWithMask | null }) {
      const reason = service.blockedReason(product.reference);
      if (reason) {
        const reasons = (product.reference?.cutout?.reasons ?? []).map((r) => r.message);
        throw conflict(`${reason}.${reasons.length ? ` Why: ${reasons.join(' ')}` : ''}`, { code: 'reference_needs_check', reasons });
      }
    },

    /** The confirmed mask as raw pixels, for the checks (CandidateCheckSpec.sourceMask); null when none. */
    async confirmedMask(product: { reference?: ReferenceWithMask | null }): Promise<RawMask | null> {
      const mask = product.reference?.mask;
      if (!mask?.confirmedAt) return null;
      return decodeMaskPng(await readMask(mask));
    },

    /** The confirmed mask's PNG bytes, for local shots (makeLocalShot); null when none. */
    async confirmedMaskPng(product: { reference?: ReferenceWithMask | null }): Promise<Buffer | null> {
      const mask = product.reference?.mask;
      return mask?.confirmedAt ? readMask(mask) : null;
    },

    /** A refinement preview: nothing is stored. */
    async preview(documentId: string, input: { strokes: RefineStroke[]; from: 'auto' | 'ai' }): Promise<RefinePreview> {
      const product = await loadProduct(documentId);
      const r = await getService(strapi, 'pipeline').admit(() => refine(product, input.strokes, input.from));
      return { automatic: r.automatic, refined: r.refined, width: r.width, height: r.height, maskPreview: dataUri(r.previewPng) };
    },

    /**
     * A person confirms the cutout (as it is, refined with strokes, or the AI's): the mask is
     * stored in the Media Library, the fingerprint is made again from it, and who and when are
     * written in the reference and in the audit trail.
     */
    async confirm(documentId: string, input: { strokes: RefineStroke[]; from: 'auto' | 'ai'; note?: string }, actor: Actor): Promise<ConfirmResult> {
      const product = await loadProduct(documentId);
      const before = product.reference as ReferenceWithMask;
      const method: ConfirmedMask['method'] = input.strokes.length ? 'refined' : input.from === 'ai' ? 'ai' : 'auto';
      const { r, stored, rest, cutoutFile } = await getService(strapi, 'pipeline').admit(() => confirmedImages(product, input.strokes, input.from, method));
      const at = new Date();
      const mask: ConfirmedMask = {
        ...stored,
        method,
        confirmedBy: actorLabel(actor),
        confirmedById: actor.kind === 'admin' ? actor.id : null,
        confirmedAt: at.toISOString(),
        strokes: input.strokes.length,
        note: input.note ?? null,
        automaticConfidence: r.automatic.confidence,
      };
      const reference: ReferenceWithMask = {
        ...rest,
        // the automatic cutout's own confidence and reasons stay on record
        cutout: { ...rest.cutout, confidence: r.automatic.confidence, reasons: r.automatic.reasons },
        needsReview: false,
        sourceFileId: before.sourceFileId,
        cutoutFileId: cutoutFile?.id ?? null,
        cutoutUrl: cutoutFile?.url ?? null,
        analyzedAt: at.toISOString(),
        mask,
        aiMask: before.aiMask ?? null,
      };
      await strapi.db.transaction(async () => {
        await strapi.db.query(UID.product).update({ where: { id: product.id }, data: { reference } });
        await strapi.db.query(UID.audit).createMany({
          data: [
            {
              asset: `reference:${product.documentId}`,
              product: product.documentId,
              from: referenceState(before),
              to: 'confirmed',
              actor: actorLabel(actor),
              actorId: actor.kind === 'admin' ? actor.id : null,
              at,
              note: `Reference cutout confirmed (${method}${input.strokes.length ? `, ${input.strokes.length} stroke${input.strokes.length > 1 ? 's' : ''}` : ''}; mask file ${stored.fileId}; automatic confidence ${r.automatic.confidence})${input.note ? `: ${input.note}` : ''}`,
              override: false,
              qc: { method, maskFileId: stored.fileId, areaFraction: r.refined.areaFraction, agreement: r.refined.agreement, automaticConfidence: r.automatic.confidence },
            },
          ],
        });
      });
      return { reference: referenceView(reference), maskPreview: dataUri(r.previewPng) };
    },

    /** The reference's audit events (confirmations), oldest first. */
    async history(documentId: string) {
      return strapi.db.query(UID.audit).findMany({ where: { asset: `reference:${documentId}` }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    },

    /**
     * A second opinion from an AI background remover on Replicate: its mask is stored beside ours
     * (not adopted: an editor adopts it by confirming `from: 'ai'`).
     */
    async secondOpinion(documentId: string, actor: Actor): Promise<SecondOpinion> {
      const cfg = getConfig(strapi);
      if (!cfg.replicate.apiToken) {
        throw unprocessable('A second opinion needs Replicate: no Replicate API token is configured (REPLICATE_API_TOKEN).', { code: 'replicate_not_configured' });
      }
      const product = await loadProduct(documentId);
      try {
        return await service.askBackgroundRemover(product, actor);
      } catch (error) {
        // The provider's failure is the provider's: a 502 that says what it answered, never a 500.
        if (isReplicateError(error)) throw httpStatusError(502, `The AI background remover did not give a mask: ${(error as Error).message}`, { code: (error as { code?: string }).code });
        throw error;
      }
    },

    async askBackgroundRemover(product: any, actor: Actor) {
      const cfg = getConfig(strapi);
      const gateway = getService(strapi, 'generation').replicateGateway();
      const signal = AbortSignal.timeout(cfg.replicate.deadlineMs);
      const pipeline = getService(strapi, 'pipeline');
      // Spoken to through its adapter: a source over its 5 MB / 16 MP / 4096 px is scaled into
      // them first (the mask it returns is brought back to the source's size when refined).
      const model = getService(strapi, 'models').require(AI_CUTOUT_MODEL, { path: ['model'], kind: 'cutout' });
      const registry = getService(strapi, 'models').registry();
      // Prepared in the pipeline's line, so a full line is said before anything is paid; the line
      // is not held while Replicate works.
      const photo = await pipeline.admit(async () => fitPhotoToModel(await sourceBytes(product), product.sourcePhoto.mime ?? 'image/jpeg', model.photo));
      // Paid like any prediction: within the product's and the day's caps, before it is created.
      await getService(strapi, 'costs').bookProductSpend(product.id, model.price);
      const image = await gateway.imageInput(photo.bytes, photo.mime, { signal });
      const { prediction: created } = await gateway.createPrediction({
        ...registry.route(model),
        input: registry.buildInput(model, { image }),
        tag: `reference-${crypto.randomUUID()}`,
        preferWaitSec: Math.min(60, cfg.replicate.preferWaitSec || 60),
        cancelAfter: `${Math.max(5, Math.ceil(cfg.replicate.deadlineMs / 1000))}s`,
        signal,
      });
      const prediction = await gateway.waitForPrediction(created.id, { signal, deadline: Date.now() + cfg.replicate.deadlineMs, pollIntervalMs: cfg.replicate.pollIntervalMs });
      const failure = predictionError(prediction);
      if (failure) throw failure;
      const [url] = outputUrls(prediction);
      if (!url) throw unprocessable('The background remover finished without an image.');
      const output = await gateway.downloadOutput(url, { signal, maxBytes: cfg.pipeline.maxBytes });
      // Its alpha at the source's size, summarised against our automatic cutout (in the worker).
      const { r, stored } = await pipeline.admit(
        async () => {
          const refined = await pipeline.run('refineSource', [await sourceBytes(product), [], pipeline.limits(), { initialMaskPng: output.bytes }], 'file');
          const mask = await storeMask(Buffer.from(refined.maskPng), refined, `ai-mask-${product.sku}`, `product-gallery AI background remover mask (${AI_CUTOUT_MODEL})`);
          return { r: refined, stored: mask };
        },
        { paid: true }
      );
      const aiMask: AiMask = {
        ...stored,
        model: AI_CUTOUT_MODEL,
        predictionId: prediction.id,
        at: new Date().toISOString(),
        areaFraction: r.refined.areaFraction,
        agreement: r.refined.agreementWithAutomatic,
      };
      // Re-read just before writing: a confirmation that landed meanwhile keeps its mask.
      const current = (await strapi.db.query(UID.product).findOne({ where: { id: product.id }, select: ['id', 'reference'] }))?.reference as ReferenceWithMask | null;
      if (current) await strapi.db.query(UID.product).update({ where: { id: product.id }, data: { reference: { ...current, aiMask } } });
      strapi.log.info(`[product-gallery] AI cutout second opinion for ${product.documentId} asked by ${actorLabel(actor)}: prediction ${prediction.id}`);
      return { aiMask, automatic: r.automatic, maskPreview: dataUri(r.previewPng) };
    },
  };

  return service;
};

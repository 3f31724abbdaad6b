import type { Core } from '@strapi/strapi';
import { UID, type Role } from '../domain/vocabulary';
import type { RoleSpec } from '../domain/default-briefs';
import { productLongSideMm } from '../domain/scale';
import { isScenePreview, SCENE_PREVIEW_LABEL } from '../domain/readiness-rule';
import { SCENE_FOR_CATEGORY } from '../pipeline/scenes';
import type { LocalShotSpec } from '../pipeline/jobs';
import type { BBox } from '../pipeline/raw-image';
import {
  createReplicateGateway,
  hasUsableOutput,
  isReplicateError,
  isTerminalStatus,
  outputUrls,
  predictionError,
  ReplicateError,
  type Prediction,
  type ReplicateGateway,
} from '../replicate';
import { getConfig, getService } from '../utils/get-service';
import { ratioValue, type ModelDescription } from '../models';
import { cropToRatio, fitPhotoToModel } from '../pipeline/model-io';
import type { CreationLimiter } from '../utils/rate-limit';
import { unprocessable } from '../utils/errors';
import { createHash } from 'node:crypto';

/** Thrown by a provider whose result will arrive by webhook: the dispatcher parks the asset. */
export class AwaitingWebhook extends Error {
  constructor(readonly predictionId: string) {
    super(`waiting for Replicate's webhook for prediction ${predictionId}`);
  }
}

/** A Replicate creation, prepared (see `prepare`). */
export interface PreparedCreation {
  model: string;
  cost: number;
  prompt: string;
  /** Sent only to a model with a field for it. */
  negativePrompt?: string;
  /** The brief's ratio; the model is asked for its nearest one, the output cut to this. */
  aspectRatio: string;
  seed: number;
  source: { url: string; mime: string };
}

export interface GenerationJob {
  /** The webhook did not come before the deadline: poll instead. */
  resumedAfterDeadline?: boolean;
  /** The prediction as its creation answered, and when the creation began (this process created it just before). */
  created?: { prediction: Prediction; at: number };
  asset: any;
  product: any;
  spec: RoleSpec;
  sourceBytes: Buffer;
  signal: AbortSignal;
}

export interface GenerationOutput {
  bytes: Buffer;
  provenance: Record<string, unknown>;
  cost: number;
  expectedProductLongSidePx?: number | null;
  /** Where the product is in the output, when the generator knows (composites). */
  productBox?: BBox | null;
  /** The source region a close-up shows. */
  sourceRegion?: BBox | null;
}

/** A generator behind the one interface a brief's role spec picks. */
export interface Provider {
  name: 'local' | 'replicate';
  generate(job: GenerationJob): Promise<GenerationOutput>;
}

/** Seeds are derived from the generation tag: a retry of the same generation asks for the same image. */
const seedOf = (tag: string) => parseInt(tag.replace(/[^0-9a-f]/gi, '').slice(0, 8) || '1', 16) % 2147483647;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  let gateway: ReplicateGateway | null = null;
  let beforeCreate: CreationLimiter = async () => {};

  const replicateGateway = () => {
    if (gateway) return gateway;
    const cfg = getConfig(strapi).replicate;
    gateway = createReplicateGateway({
      apiToken: cfg.apiToken,
      baseUrl: cfg.baseUrl,
      allowedOutputHosts: cfg.allowedOutputHosts,
      webhookBaseUrl: cfg.webhookBaseUrl ? `${cfg.webhookBaseUrl.replace(/\/$/, '')}/api/product-gallery/replicate/webhook` : undefined,
      pollIntervalMs: cfg.pollIntervalMs,
      requestTimeoutMs: cfg.requestTimeoutMs,
      downloadTimeoutMs: cfg.downloadTimeoutMs,
      retry: { maxAttempts: cfg.httpAttempts },
      beforeCreate: (attempt) => beforeCreate(attempt),
      // The durable half of "never create twice": the intent is in the database before the POST.
      recordCreation: async (record) => {
        // The intent, the tag (the row's) and the exact input, in one write before the POST: after a
        // crash the same input is sent again and looked for, so a prediction made meanwhile is found.
        const data =
          record.phase === 'intent'
            ? { predictionIntentAt: new Date(record.at), predictionInput: record.input ?? null }
            : { predictionId: record.predictionId ?? null };
        await strapi.db.query(UID.asset).updateMany({ where: { generationTag: record.tag }, data });
      },
    });
    return gateway;
  };

  /**
   * The source photo as a model's input (a data URI, or an uploaded file's URL for a large photo),
   * converted to what that model accepts, made once per photo and model for an hour: a batch makes
   * every shot of a product from the same photo. The pending promise is shared, so shots created at
   * once upload the photo once.
   */
  const inputs = new Map<string, { value: Promise<string>; at: number }>();
  const imageInputOf = (source: { url: string; mime: string }, model: ModelDescription, signal: AbortSignal) => {
    const key = `${source.url}|${model.id}`;
    const hit = inputs.get(key);
    if (hit && Date.now() - hit.at < 3600_000) return hit.value;
    const value = (async () => {
      const bytes = await getService(strapi, 'media').readSource(source);
      const photo = await fitPhotoToModel(bytes, source.mime, model.photo);
      return replicateGateway().imageInput(photo.bytes, photo.mime, { signal });
    })();
    value.catch(() => inputs.get(key)?.value === value && inputs.delete(key));
    if (inputs.size >= 16) inputs.delete(inputs.keys().next().value as string);
    inputs.set(key, { value, at: Date.now() });
    return value;
  };
  const modelOf = (id: string | null | undefined) => getService(strapi, 'models').require(id, { path: ['model'], kind: 'edit' });

  const local: Provider = {
    name: 'local',
    async generate(job) {
      const started = Date.now();
      const pipeline = getService(strapi, 'pipeline');
      const role = job.asset.role as Role;
      const scale = productLongSideMm(job.product.category, job.product.dimensions);
      // Each regeneration of a composite is another take of its placement (pipeline/variation).
      const take = Number(job.asset.provenance?.regeneration ?? 0);
      const scene: LocalShotSpec['scene'] =
        role === 'model' || role === 'lifestyle'
          ? job.spec.sceneImage && job.spec.sceneAnchor && job.spec.scenePxPerMm
            ? {
                image: await getService(strapi, 'media').readFile(job.spec.sceneImage as any),
                anchor: job.spec.sceneAnchor,
                angle: Number(job.spec.sceneAngle ?? 0),
                pxPerMm: Number(job.spec.scenePxPerMm),
              }
            : { kind: role === 'lifestyle' ? 'surface' : SCENE_FOR_CATEGORY[job.product.category] ?? 'surface' }
          : undefined;
      const shot = await pipeline.run('makeLocalShot', [
        job.sourceBytes,
        {
          role,
          aspectRatio: job.spec.aspectRatio || '1:1',
          minLongEdge: job.spec.minLongEdge || 1000,
          fill: job.spec.fill ? Number(job.spec.fill) : null,
          scene,
          productLongSideMm: scale.longSideMm,
          // the size guide's only scale: the record's own millimetres (it refuses without them)
          category: job.product.category ?? null,
          dimensions: role === 'size' ? job.product.dimensions ?? null : null,
          take,
        } satisfies LocalShotSpec,
        pipeline.limits(),
        // Cut with the mask a person confirmed, when there is one.
        await getService(strapi, 'reference').confirmedMaskPng(job.product),
      ]);
      const provenanceOf = (p: Record<string, unknown>) =>
        isScenePreview(p) ? { ...p, scenePreview: true, label: SCENE_PREVIEW_LABEL } : { ...p, scenePreview: false };
      const outputSha256 = createHash('sha256').update(shot.buffer).digest('hex');
      // Made from the same photo, cutout and settings, a shot that cannot vary comes out byte for
      // byte as the one rejected: say so instead of storing it again as a new version.
      if (outputSha256 === job.asset.provenance?.previousOutputSha256) {
        throw unprocessable(
          `This shot is made the same way each time; regenerating gives the same image${shot.varies ? '' : ` (a local ${role} shot is cut from the source photo as it is)`}, so no new version was made. To get a different image, refine the product's cutout, change this role's settings in the brief, use a Replicate model for it, or import a photo.`
        );
      }
      return {
        bytes: Buffer.from(shot.buffer),
        // The asset's spend so far (an earlier Replicate attempt); a local shot adds nothing.
        cost: Number(job.asset.cost ?? 0),
        expectedProductLongSidePx: shot.placement?.productLongSidePx ?? null,
        productBox: shot.productBox ?? null,
        sourceRegion: shot.sourceRegion ?? null,
        provenance: provenanceOf({
          generator: 'local',
          method: role === 'size' ? 'size-guide' : shot.composite ? 'composite' : role === 'clean' ? 'cutout-on-white' : 'crop',
          composite: shot.composite,
          scene: shot.sceneKind ?? null,
          placement: shot.placement ?? null,
          scale: shot.composite ? scale : role === 'size' ? { longSideMm: shot.placement?.productLongSideMm ?? null, source: 'width/height', assumed: false } : null,
          warnings: shot.warnings,
          take,
          varies: shot.varies,
          upscaleFactor: Math.round(shot.enlarged * 1000) / 1000,
          outputSha256,
          durationMs: Date.now() - started,
        }),
      };
    },
  };

  const replicate: Provider = {
    name: 'replicate',
    async generate(job) {
      const started = Date.now();
      const cfg = getConfig(strapi);
      const gw = replicateGateway();
      const model = job.asset.provenance?.request?.model ?? job.asset.provenance?.model ?? job.spec.model;
      const cost = Number(job.asset.cost ?? 0);
      // The prediction was created by the creation stage (service.create); here it is awaited.
      if (!job.asset.predictionId) throw new ReplicateError('invalid_input', 'This image has no Replicate prediction yet: generate it again.', { retryable: false });
      // The creation's own answer, when it already says how the prediction ended (Prefer: wait).
      const created = job.created?.prediction.id === job.asset.predictionId ? job.created : undefined;
      const answered = created?.prediction;
      let prediction =
        answered && (hasUsableOutput(answered) || isTerminalStatus(answered.status)) ? answered : await gw.getPrediction(job.asset.predictionId, { signal: job.signal });
      if (!hasUsableOutput(prediction) && cfg.replicate.webhookBaseUrl && !isTerminalStatus(prediction.status) && !job.resumedAfterDeadline) {
        // Completion arrives by webhook: park the asset instead of holding a worker slot.
        throw new AwaitingWebhook(prediction.id);
      }
      if (!hasUsableOutput(prediction)) {
        try {
          prediction = await gw.waitForPrediction(prediction.id, {
            signal: job.signal,
            // The deadline counts from the creation, when this process made it (the wait is part of it).
            deadline: (created?.at ?? Date.now()) + cfg.replicate.deadlineMs,
            // With webhooks the webhook usually finishes the job; polling is the safety net.
            pollIntervalMs: cfg.replicate.webhookBaseUrl ? Math.max(15_000, cfg.replicate.pollIntervalMs) : cfg.replicate.pollIntervalMs,
          });
        } catch (error) {
          // Past the deadline the prediction is canceled remotely: a retry would only find it canceled.
          if (isReplicateError(error) && (error as ReplicateError).code === 'timeout' && !job.signal.aborted) {
            throw new ReplicateError(
              'timeout',
              `Replicate did not finish this image within ${Math.round(cfg.replicate.deadlineMs / 1000)} s, so it was canceled. Generate again to retry.`,
              { retryable: false, predictionId: prediction.id }
            );
          }
          throw error;
        }
      }
      const failure = predictionError(prediction);
      if (failure) throw failure;
      // One URI or a list of them (seedream): the first is the shot.
      const [url] = outputUrls(prediction);
      if (!url) throw new ReplicateError('failed', 'Replicate finished without an image.', { retryable: false });
      const downloaded = await gw.downloadOutput(url, { signal: job.signal, maxBytes: cfg.pipeline.maxBytes });
      const adapter = modelOf(model);
      const wanted = job.spec.aspectRatio || '1:1';
      // The model was asked for its nearest ratio; the brief's exact one is cut here.
      const cropped = adapter.aspect ? await cropToRatio(downloaded.bytes, ratioValue(wanted)) : undefined;
      const upscaled = await getService(strapi, 'upscale').toMinimum({
        asset: job.asset,
        productId: job.product.id,
        bytes: cropped?.bytes ?? downloaded.bytes,
        minLongEdge: job.spec.minLongEdge || 1000,
        aspectRatio: adapter.aspect ? wanted : null,
        signal: job.signal,
        deadline: (created?.at ?? (Date.parse(prediction.created_at) || Date.now())) + cfg.replicate.deadlineMs,
      });
      return {
        bytes: upscaled.bytes,
        cost: upscaled.cost,
        provenance: {
          generator: 'replicate',
          model,
          modelVersion: prediction.version ?? null,
          predictionId: prediction.id,
          seed: (prediction.input as any)?.seed ?? null,
          askedAspectRatio: adapter.aspect ? ((prediction.input as any)?.[adapter.aspect.field] ?? null) : null,
          croppedFrom: cropped?.from ?? null,
          upscale: upscaled.record,
          predictTime: prediction.metrics?.predict_time ?? null,
          durationMs: Date.now() - started,
          composite: false,
        },
      };
    },
  };

  return {
    providers: { local, replicate } as Record<'local' | 'replicate', Provider>,

    /**
     * Everything a Replicate creation needs but the request itself: model, cost (within the caps),
     * prompt, seed and the source photo. Stored on the asset, so the rate-limited creation that
     * follows (on any instance) only sends it.
     */
    async prepare(job: { asset: any; product: any; spec: RoleSpec }): Promise<PreparedCreation> {
      const cfg = getConfig(strapi);
      const model = job.asset.provenance?.model || job.spec.model;
      if (!model) throw new ReplicateError('invalid_input', `The brief's ${job.asset.role} spec names no Replicate model.`, { retryable: false });
      // The registry prices the model; one it does not know is refused, never booked at $0.
      const adapter = modelOf(model);
      const source = { url: job.product.sourcePhoto.url, mime: job.product.sourcePhoto.mime };
      // The photo's upload (once per photo and model) starts now, beside the cost booking, not after it.
      imageInputOf(source, adapter, AbortSignal.timeout(cfg.replicate.requestTimeoutMs)).catch(() => {});
      // An asset's cost is all it took: a regenerated one keeps what its earlier attempts cost.
      const cost = await getService(strapi, 'costs').bookCost(job.asset, job.product.id, adapter.price);
      const prompt = job.asset.prompt ?? '';
      const negativePrompt = job.asset.provenance?.negativePrompt || undefined;
      return {
        model,
        cost,
        prompt,
        negativePrompt,
        aspectRatio: job.spec.aspectRatio || '1:1',
        seed: seedOf(job.asset.generationTag),
        source,
      };
    },

    /**
     * Creates the prepared prediction (never twice: see the gateway), recorded on the asset. The
     * answer is the prediction as Replicate last told it: done, when it finished within the wait.
     */
    async create(asset: any, signal: AbortSignal, onSend?: () => void): Promise<Prediction> {
      const cfg = getConfig(strapi);
      const prepared = asset.provenance?.request as PreparedCreation;
      const adapter = modelOf(prepared.model);
      const registry = getService(strapi, 'models').registry();
      // Resumed after a crash: what was recorded before the first POST, not a new upload's URL
      // (the photo would be uploaded again, and the same prediction would no longer match).
      const recorded = asset.predictionIntentAt && asset.predictionInput && typeof asset.predictionInput === 'object' ? (asset.predictionInput as Record<string, unknown>) : null;
      const input =
        recorded ??
        registry.buildInput(adapter, {
          image: await imageInputOf(prepared.source, adapter, signal),
          prompt: prepared.prompt,
          negativePrompt: prepared.negativePrompt,
          aspectRatio: prepared.aspectRatio,
          seed: prepared.seed,
        });
      const created = await replicateGateway().createPrediction({
        ...registry.route(adapter),
        input,
        tag: asset.generationTag,
        // Replicate cancels it at the deadline even if this process is gone (5 s is its minimum).
        cancelAfter: `${Math.max(5, Math.ceil(cfg.replicate.deadlineMs / 1000))}s`,
        webhook: cfg.replicate.webhookBaseUrl ? true : undefined,
        webhookEventsFilter: cfg.replicate.webhookBaseUrl ? ['completed'] : undefined,
        preferWaitSec: cfg.replicate.webhookBaseUrl ? undefined : Math.min(cfg.replicate.preferWaitSec, Math.floor(cfg.replicate.deadlineMs / 1000)) || undefined,
        recentWindow: asset.predictionIntentAt ? { since: new Date(new Date(asset.predictionIntentAt).getTime() - 60_000) } : undefined,
        signal,
        onSend,
      });
      // The prediction id is on the asset already (the gateway's `created` record).
      return created.prediction;
    },

    replicateGateway,
    setRateLimiter(fn: CreationLimiter) {
      beforeCreate = fn;
    },
    /** Replicate itself down (a 5xx, its edge, no answer): the outage's, not the image's, fault. */
    isProviderOutage(error: unknown) {
      return isReplicateError(error) && (error as ReplicateError).code === 'unavailable';
    },
    isRetryable(error: unknown) {
      if (isReplicateError(error)) return (error as ReplicateError).retryable;
      return false;
    },
    retryAfterMs(error: unknown) {
      const sec = isReplicateError(error) ? (error as ReplicateError).retryAfterSec : undefined;
      return sec ? sec * 1000 : undefined;
    },
  };
};

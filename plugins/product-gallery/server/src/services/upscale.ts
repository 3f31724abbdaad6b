import type { Core } from '@strapi/strapi';
import sharp from 'sharp';
import { UID } from '../domain/vocabulary';
import { ratioValue } from '../models';
import { cropToRatio, fitPhotoToModel } from '../pipeline/model-io';
import { outputUrls, predictionError, ReplicateError, type Prediction } from '../replicate';
import { getConfig, getService } from '../utils/get-service';

export interface UpscaleJob {
  asset: { id: number; cost?: number | string | null; generationTag: string; provenance?: Record<string, any> | null };
  productId: number;
  bytes: Buffer;
  minLongEdge: number;
  /** The brief's ratio, kept exact after the upscale. */
  aspectRatio: string | null;
  signal: AbortSignal;
  /** When the prediction this output came from was created: the whole shot shares one deadline. */
  deadline: number;
}

export interface UpscaleResult {
  bytes: Buffer;
  /** The asset's cost after the step (unchanged when no step was needed). */
  cost: number;
  /** What was done, for the asset's provenance; null when the output was already big enough. */
  record: Record<string, unknown> | null;
}

/**
 * An AI output below its role's minimum goes through the registry's upscaler, a Replicate step of
 * its own: booked against the caps at the upscaler's price before it is created, recorded on the
 * asset (so a resumed shot reuses it rather than paying twice) and in the provenance. The
 * resolution check then judges the image that will be served, never the raw ~1 MP output.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const assets = () => strapi.db.query(UID.asset);

  const recordOnAsset = async (assetId: number, patch: Record<string, unknown>) => {
    const row = await assets().findOne({ where: { id: assetId }, select: ['provenance'] });
    const provenance = { ...(row?.provenance ?? {}), upscale: { ...(row?.provenance?.upscale ?? {}), ...patch } };
    await assets().updateMany({ where: { id: assetId }, data: { provenance } });
  };

  return {
    async toMinimum(job: UpscaleJob): Promise<UpscaleResult> {
      const cost = Number(job.asset.cost ?? 0);
      const meta = await sharp(job.bytes).metadata();
      const from = { width: meta.width ?? 0, height: meta.height ?? 0 };
      const longEdge = Math.max(from.width, from.height);
      if (!longEdge || longEdge >= job.minLongEdge) return { bytes: job.bytes, cost, record: null };

      const cfg = getConfig(strapi);
      const registry = getService(strapi, 'models').registry();
      const model = registry.upscaler();
      const gateway = getService(strapi, 'generation').replicateGateway();
      const factor = registry.upscaleFactor(model, longEdge, job.minLongEdge);
      // What an earlier run of this same generation (a crash, a restart) already booked or created.
      type Recorded = { predictionId?: string | null; booked?: boolean; model?: string; tag?: string; input?: Record<string, unknown>; intentAt?: number };
      const recorded = (job.asset.provenance?.upscale ?? {}) as Recorded;
      const tag = `${job.asset.generationTag}:upscale`;
      const earlier: Recorded = recorded.tag === tag ? recorded : {};

      let total = cost;
      let prediction: Prediction | undefined;
      if (earlier.predictionId && earlier.model === model.id) {
        prediction = await gateway.getPrediction(earlier.predictionId, { signal: job.signal });
      } else if (earlier.model === model.id && earlier.input && earlier.intentAt) {
        // A crash after the POST: what was sent (and paid) is looked for first, whatever time is
        // left, since a finished upscale is still this shot's output.
        prediction = await gateway.findPredictionByTag(tag, earlier.intentAt - 60_000, { ...registry.route(model), input: earlier.input, signal: job.signal });
        if (prediction) await recordOnAsset(job.asset.id, { predictionId: prediction.id });
      }
      if (!prediction) {
        if (!earlier.booked) {
          total = await getService(strapi, 'costs').bookCost({ id: job.asset.id, cost }, job.productId, model.price);
          await recordOnAsset(job.asset.id, { tag, model: model.id, booked: true, price: model.price, predictionId: null });
        }
        const remainingSec = Math.floor((job.deadline - Date.now()) / 1000);
        if (remainingSec < 1) throw new ReplicateError('timeout', 'No time was left within the deadline to upscale this image. Generate again to retry.', { retryable: false });
        // As for the shot: the exact input is recorded before the POST, so a crash before its
        // answer is recorded leaves something to find the prediction by, not a second one to pay.
        let input = earlier.model === model.id ? earlier.input : undefined;
        if (!input) {
          const photo = await fitPhotoToModel(job.bytes, `image/${meta.format === 'jpeg' ? 'jpeg' : meta.format ?? 'png'}`, model.photo);
          const image = await gateway.imageInput(photo.bytes, photo.mime, { signal: job.signal });
          input = registry.buildInput(model, { image, scale: factor });
          await recordOnAsset(job.asset.id, { input, intentAt: Date.now() });
        }
        const created = await gateway.createPrediction({
          ...registry.route(model),
          input,
          tag,
          recentWindow: earlier.input && earlier.intentAt ? { since: earlier.intentAt - 60_000 } : undefined,
          preferWaitSec: Math.min(60, remainingSec, cfg.replicate.preferWaitSec || 60),
          // Replicate's shortest lifetime is 5 s; below it the wait's own deadline cancels the prediction.
          cancelAfter: remainingSec >= 5 ? `${remainingSec}s` : undefined,
          signal: job.signal,
        });
        prediction = created.prediction;
        await recordOnAsset(job.asset.id, { predictionId: prediction.id });
      }
      const done = await gateway.waitForPrediction(prediction.id, { initial: prediction, signal: job.signal, deadline: job.deadline, pollIntervalMs: cfg.replicate.pollIntervalMs });
      const failure = predictionError(done);
      if (failure) throw new ReplicateError(failure.code, `Upscaling the image to the ${job.minLongEdge} px the brief asks for failed: ${failure.message}`, { retryable: false, predictionId: done.id });
      const [url] = outputUrls(done);
      if (!url) throw new ReplicateError('failed', 'The upscaler finished without an image.', { retryable: false, predictionId: done.id });
      const downloaded = await gateway.downloadOutput(url, { signal: job.signal, maxBytes: cfg.pipeline.maxBytes });
      const exact = job.aspectRatio ? await cropToRatio(downloaded.bytes, ratioValue(job.aspectRatio)) : undefined;
      const bytes = exact?.bytes ?? downloaded.bytes;
      const out = exact ?? (await sharp(bytes).metadata());
      return {
        bytes,
        cost: Math.max(total, Number((await assets().findOne({ where: { id: job.asset.id }, select: ['cost'] }))?.cost ?? total)),
        record: {
          tag,
          booked: true,
          model: model.id,
          version: model.version ?? null,
          predictionId: done.id,
          factor,
          price: model.price,
          from,
          to: { width: out.width ?? 0, height: out.height ?? 0 },
          predictTime: done.metrics?.predict_time ?? null,
        },
      };
    },
  };
};

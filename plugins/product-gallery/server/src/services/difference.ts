import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID } from '../domain/vocabulary';
import type { DifferenceMap, DifferenceMapSpec } from '../pipeline/fidelity/difference-map';
import { conflict } from '../utils/errors';
import { getService } from '../utils/get-service';

/** Maps kept in memory: a reviewer flips between a few shots, and each map costs a second of CPU. */
const CACHE_ENTRIES = 24;

export interface DifferenceResult extends DifferenceMap {
  /** Changes whenever the candidate, the source photo or the mapping does. */
  etag: string;
}

/**
 * The difference map of an image asset against its product's source photo, computed on demand
 * in the worker pool (never on the HTTP thread) from the Media Library files.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const cache = new Map<string, Promise<DifferenceResult>>();

  const load = async (documentId: string) => {
    const asset = await strapi.db.query(UID.asset).findOne({
      where: { documentId },
      select: ['id', 'documentId', 'role', 'status', 'provenance'],
      populate: { file: true, product: { select: ['id', 'documentId', 'title', 'reference'], populate: { sourcePhoto: true } } },
    });
    if (!asset) throw new errors.NotFoundError(`No image asset with id ${documentId}.`);
    if (!asset.file) throw conflict('This image has no file yet (it is still being made), so there is no difference map to show.', { documentId });
    if (!asset.product?.sourcePhoto) {
      throw conflict('The product of this image has no source photo, so the image cannot be compared with it: compare it by eye.', { documentId });
    }
    return asset;
  };

  /** What the map is drawn from: the hints the generator recorded about where the product is. */
  const specOf = (asset: any): DifferenceMapSpec => {
    const hints = asset.provenance?.checkHints ?? {};
    const placement = asset.provenance?.placement ?? null;
    return {
      role: asset.role,
      productBox: hints.productBox ?? null,
      sourceRegion: hints.sourceRegion ?? null,
      placementAngle: typeof placement?.angle === 'number' ? placement.angle : null,
    };
  };

  const service = {
    /** An ETag for the map as it would be drawn now (no pixels read): lets the browser revalidate for free. */
    async etag(documentId: string): Promise<string> {
      const asset = await load(documentId);
      return service.keyOf(asset);
    },

    keyOf(asset: any): string {
      const mask = asset.product.reference?.mask;
      const parts = [
        asset.documentId,
        asset.file.hash ?? asset.file.url,
        asset.product.sourcePhoto.hash ?? asset.product.sourcePhoto.url,
        mask?.confirmedAt ? `${mask.fileId ?? ''}@${mask.confirmedAt}` : 'auto',
        JSON.stringify(specOf(asset)),
      ];
      return crypto.createHash('sha1').update(parts.join('|')).digest('hex').slice(0, 20);
    },

    async compute(documentId: string): Promise<DifferenceResult> {
      const asset = await load(documentId);
      const etag = service.keyOf(asset);
      const hit = cache.get(etag);
      if (hit) {
        cache.delete(etag);
        cache.set(etag, hit);
        return hit;
      }
      const media = getService(strapi, 'media');
      const pipeline = getService(strapi, 'pipeline');
      // Drawn on the request: it waits its turn in the pipeline's line (a 503 when that is full).
      const job = pipeline.admit(async () => {
        // The product as an editor confirmed it, when they did: the same mask the checks compare with.
        const [candidate, source, sourceMask] = await Promise.all([
          media.readFile(asset.file),
          media.readSource(asset.product.sourcePhoto),
          getService(strapi, 'reference').confirmedMask(asset.product),
        ]);
        const map = await pipeline.run('differenceMap', [candidate, source, { ...specOf(asset), sourceMask }], 'file');
        return { ...map, png: Buffer.from(map.png), etag };
      });
      cache.set(etag, job);
      job.catch(() => cache.delete(etag));
      while (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
      return job;
    },
  };
  return service;
};

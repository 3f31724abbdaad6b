import sharp from 'sharp';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID } from '../domain/vocabulary';
import type { SourceAnalysis } from '../pipeline/jobs';
import { getService } from '../utils/get-service';

export const PRODUCT_POPULATE = {
  sourcePhoto: true,
  stones: true,
  dimensions: true,
  brief: true,
} as const;

/** What the plugin stores about a source photo: the reference every generated image is checked against. */
export interface ProductReference extends Omit<SourceAnalysis, 'cutoutPng'> {
  sourceFileId: number;
  cutoutFileId: number | null;
  cutoutUrl: string | null;
  analyzedAt: string;
}

/** A media field as the Content Manager or the REST API sends it. */
export const mediaIdOf = (value: unknown): number | null | undefined => {
  if (value === undefined) return undefined;
  if (value === null || value === '') return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  if (Array.isArray(value)) return mediaIdOf(value[0] ?? null);
  if (typeof value === 'object') {
    const v = value as Record<string, any>;
    if ('id' in v) return mediaIdOf(v.id);
    if (Array.isArray(v.connect)) return mediaIdOf(v.connect[0] ?? null);
    if (Array.isArray(v.set)) return mediaIdOf(v.set[0] ?? null);
  }
  return undefined;
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const service = {
    async get(documentId: string) {
      const product = await strapi.documents(UID.product).findOne({ documentId, populate: PRODUCT_POPULATE as any });
      if (!product) throw new errors.NotFoundError(`No product with id ${documentId}.`);
      return product as any;
    },

    /**
     * Intake, cutout and fingerprint of a source photo. A photo that is not a usable raster
     * image is refused with a 4xx naming the field; a low-confidence cutout is accepted but
     * flagged (needsReview) so a person looks before anything is generated from it.
     */
    async analyzeSourcePhoto(fileId: number, label = 'source', maskPng?: Buffer | null): Promise<ProductReference> {
      const media = getService(strapi, 'media');
      const pipeline = getService(strapi, 'pipeline');
      const file = await media.findFile(fileId);
      if (!file) {
        throw new errors.ValidationError(`sourcePhoto: no Media Library file with id ${fileId}.`, {
          errors: [{ path: ['sourcePhoto'], message: `no Media Library file with id ${fileId}`, name: 'ValidationError' }],
        });
      }
      // On the request (a product save, a re-analysis): it waits its turn in the pipeline's line.
      const { rest, cutoutFile } = await pipeline.admit(async () => {
        const bytes = await media.readFile(file);
        const { cutoutPng, ...analysed } = await pipeline.run('analyzeSource', [bytes, pipeline.limits(), maskPng ?? null], 'sourcePhoto');
        const meta = await sharp(Buffer.from(cutoutPng)).metadata();
        const stored = await media.storeImage({
          buffer: Buffer.from(cutoutPng),
          name: `cutout-${label}`,
          mime: 'image/png',
          ext: '.png',
          width: meta.width ?? 0,
          height: meta.height ?? 0,
          caption: 'product-gallery cutout preview',
        });
        return { rest: analysed, cutoutFile: stored };
      });
      return {
        ...rest,
        sourceFileId: fileId,
        cutoutFileId: cutoutFile?.id ?? null,
        cutoutUrl: cutoutFile?.url ?? null,
        analyzedAt: new Date().toISOString(),
      };
    },

    /** Re-run the analysis of a product's current source photo (on demand). */
    async reanalyze(documentId: string) {
      const product = await service.get(documentId);
      if (!product.sourcePhoto) {
        throw new errors.ValidationError('sourcePhoto: this product has no source photo yet. Add one first.');
      }
      // The same photo keeps the mask a person confirmed for it (and the AI's): analysed again with it.
      const previous = product.reference?.sourceFileId === product.sourcePhoto.id ? product.reference : null;
      const maskPng = previous?.mask?.confirmedAt ? await getService(strapi, 'reference').confirmedMaskPng(product) : null;
      const analysed = await service.analyzeSourcePhoto(product.sourcePhoto.id, product.sku, maskPng);
      const reference = maskPng
        ? { ...analysed, mask: previous.mask, aiMask: previous.aiMask ?? null }
        : { ...analysed, aiMask: previous?.aiMask ?? null };
      await strapi.db.query(UID.product).update({ where: { id: product.id }, data: { reference } });
      return reference;
    },
  };
  return service;
};

import sharp from 'sharp';
import type { Core } from '@strapi/strapi';
import { tooManyPixels } from '../pipeline/intake';
import { httpStatusError } from '../utils/errors';
import { getConfig } from '../utils/get-service';

type Upload = { filepath?: string } | null | undefined;

/**
 * Strapi's Media Library decodes every image it receives on the HTTP process (a validity check,
 * the size optimisation, a thumbnail, the responsive sizes), up to libvips' own limit of 268 MP:
 * a pixel flood of a few KB that decodes to 144 MP holds over 500 MB for seconds, before the
 * plugin could refuse it as a source photo. Uploads and replacements whose header says they
 * decode to more than the pipeline's pixel limit are refused first (413), in intake's words.
 */
export const limitUploadPixels = (strapi: Core.Strapi) => {
  const upload = strapi.plugin('upload')?.service('upload') as Record<string, any> | undefined;
  if (!upload || typeof upload.upload !== 'function' || typeof upload.replace !== 'function') return;

  const refuseFloods = async (files: Upload | Upload[]) => {
    const { maxPixels } = getConfig(strapi).pipeline;
    for (const file of [files].flat()) {
      if (!file?.filepath) continue;
      // Header only; a file that is not an image is left for the Media Library to judge.
      const meta = await sharp(file.filepath, { limitInputPixels: false }).metadata().catch(() => null);
      if (!meta?.width || !meta.height) continue;
      // Every frame is decoded when the Media Library optimises an animation.
      const error = tooManyPixels(meta.width, meta.height * (meta.pages ?? 1), maxPixels);
      if (error) throw httpStatusError(error.status, error.message, { code: error.code, ...error.details });
    }
  };

  const { upload: original, replace } = upload;
  upload.upload = async function (this: unknown, input: { files?: Upload | Upload[] } | undefined, ...rest: unknown[]) {
    await refuseFloods(input?.files);
    return original.call(this, input, ...rest);
  };
  upload.replace = async function (this: unknown, id: unknown, input: { file?: Upload } | undefined, ...rest: unknown[]) {
    await refuseFloods(input?.file);
    return replace.call(this, id, input, ...rest);
  };
};

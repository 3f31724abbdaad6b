import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID } from '../domain/vocabulary';
import { inPluginScope } from '../utils/plugin-scope';

/**
 * A gallery image is its Media Library file: replacing the file's bytes (the URL is kept) or
 * deleting it in the Media Library would change what shoppers see with no review, and replacing a
 * product's source photo would leave every check comparing against a reference made from other
 * pixels. The upload plugin writes the bytes before it touches the database, so a database hook
 * comes too late: its replace and remove are refused first, for files the plugin depends on.
 */
export const guardUsedFiles = (strapi: Core.Strapi) => {
  const upload = strapi.plugin('upload')?.service('upload') as Record<string, any> | undefined;
  if (!upload || typeof upload.remove !== 'function' || typeof upload.replace !== 'function') return;

  const refuseIfUsed = async (fileId: unknown, verb: 'replaced' | 'deleted') => {
    const id = Number(fileId);
    if (!Number.isInteger(id) || inPluginScope()) return;
    const [images, products] = await Promise.all([
      strapi.db.query(UID.asset).count({ where: { file: { id } } }),
      strapi.db.query(UID.product).count({ where: { sourcePhoto: { id } } }),
    ]);
    if (images) {
      throw new errors.PolicyError(
        `This file is ${images === 1 ? 'an image' : `${images} images`} of the Product gallery and cannot be ${verb} in the Media Library: ` +
          'shoppers would see the change with no review. Regenerate, import or archive the image in the Product gallery workspace.',
        { fileId: id, images }
      );
    }
    if (products) {
      throw new errors.PolicyError(
        `This file is the source photo of ${products === 1 ? 'a product' : `${products} products`}, which every check compares against, and cannot be ${verb} here. ` +
          "To use another photo, upload it and choose it as the product's source photo, so it is analysed again.",
        { fileId: id, products }
      );
    }
  };

  const { remove, replace } = upload;
  upload.remove = async function (this: unknown, file: { id?: number } | undefined, ...rest: unknown[]) {
    await refuseIfUsed(file?.id, 'deleted');
    return remove.call(this, file, ...rest);
  };
  upload.replace = async function (this: unknown, id: unknown, ...rest: unknown[]) {
    await refuseIfUsed(id, 'replaced');
    return replace.call(this, id, ...rest);
  };
};

/**
 * ThumbHash placeholder (https://evanw.github.io/thumbhash/): ~25-35 bytes, keeps the aspect
 * ratio and alpha, decoded client-side into a blurred preview while the real image loads.
 *
 * `thumbhash` 0.1.1 is ESM-only. This file is compiled to CommonJS, so the import below becomes
 * `require('thumbhash')`, which Node >= 20.19 supports for ESM without top-level await; jest
 * transpiles the package (see jest.config.js transformIgnorePatterns).
 */
import { rgbaToThumbHash, thumbHashToAverageRGBA, thumbHashToApproximateAspectRatio } from 'thumbhash';
import { fromRaw, type DecodedImage } from './decode';

/** ThumbHash's encoder takes at most 100x100 px. */
export const THUMBHASH_MAX_EDGE = 100;

/** Base64 ThumbHash of an image, computed from a <=100 px copy that keeps aspect ratio and alpha. */
export async function thumbHashFromRaw(img: DecodedImage): Promise<string> {
  const { data, info } = await fromRaw(img)
    .resize({ width: THUMBHASH_MAX_EDGE, height: THUMBHASH_MAX_EDGE, fit: 'inside', withoutEnlargement: true, kernel: 'linear' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const hash = rgbaToThumbHash(info.width, info.height, data);
  return Buffer.from(hash).toString('base64');
}

/** Average colour (0..255, alpha 0..1) and approximate aspect ratio stored in a base64 ThumbHash. */
export function describeThumbHash(base64: string): { r: number; g: number; b: number; a: number; aspect: number } {
  const bytes = Buffer.from(base64, 'base64');
  const avg = thumbHashToAverageRGBA(bytes);
  return {
    r: Math.round(avg.r * 255),
    g: Math.round(avg.g * 255),
    b: Math.round(avg.b * 255),
    a: avg.a,
    aspect: thumbHashToApproximateAspectRatio(bytes),
  };
}

/**
 * Product cutout for product-on-plain-background photos (white, grey, light marble), in phases
 * (all pure JS over raw buffers, sync, worker-safe), each in its own file:
 * 1. background.ts: background model from the border band (robust quadratic surface per RGB
 *    channel), evaluated per pixel in Lab; the analysis runs at a reduced resolution (long side
 *    <= 1024 by default).
 * 2. features.ts: lightness, chroma and gradient against that model, normalised by the border.
 * 3. seed.ts: strong seeds grown through weak pixels (hysteresis).
 * 4. cleanup.ts: small gaps closed, specks dropped.
 * 5. holes.ts: enclosed regions filled unless they look like background; parts and frame contact.
 * 6. alpha.ts: soft edge alpha on the boundary band, full-resolution mask and its geometry.
 * 7. confidence.ts: confidence with reasons.
 * refine.ts corrects a cutout with an editor's strokes (OpenCV grabCut).
 */
import { rgbaToLabPlanes } from '../color';
import { downscaleRgba, type RawImage } from '../raw-image';
import { backgroundLabPlanes, describeBackground, fitBackgroundSurface, sampleBorder } from './background';
import { pixelFeatures } from './features';
import { seedMask } from './seed';
import { cleanMask } from './cleanup';
import { fillEnclosed, partsAndContact } from './holes';
import { edgeAlpha, fullResolution, maskGeometry } from './alpha';
import { assessConfidence, skinShare } from './confidence';
import { CUTOUT_DEFAULTS, type CutoutOptions, type CutoutResult, type WorkImage } from './types';

export { CUTOUT_DEFAULTS, CUTOUT_REVIEW_THRESHOLD, type BackgroundModel, type CutoutOptions, type CutoutReason, type CutoutResult } from './types';
export { backgroundRgbAt } from './background';
export { maskGeometry } from './alpha';
export * from './refine';

export function cutout(working: RawImage, options: CutoutOptions = {}): CutoutResult {
  const t0 = Date.now();
  const maxWorkSide = options.maxWorkSide ?? CUTOUT_DEFAULTS.maxWorkSide;
  const { image: small } = downscaleRgba(working, maxWorkSide);
  const w = small.width, h = small.height, n = w * h;
  // own-realm copy: typed arrays made by another realm (e.g. a Buffer from sharp seen from a jest
  // or vm context) are much slower to index in hot loops
  const px = small === working ? Uint8Array.from(small.data) : small.data;
  const img: WorkImage = { w, h, n, px, ...rgbaToLabPlanes(px, n) };

  const { borderIdx, transparentBorder } = sampleBorder(img);
  const surface = fitBackgroundSurface(img, borderIdx);
  const features = pixelFeatures(img, backgroundLabPlanes(surface, w, h), borderIdx);
  const closed = cleanMask(seedMask(features.z, w, h), w, h);
  const holes = fillEnclosed(closed, w, h, features);
  const alpha = edgeAlpha(closed, features.z, px, w, h);

  const W = working.width, H = working.height;
  const mask = fullResolution(alpha, w, h, W, H);
  const { bbox, areaFraction } = maskGeometry(mask, W, H);
  const { parts, specks, borderContact } = partsAndContact(closed, w, h);
  const background = describeBackground(img, borderIdx, surface);
  const { confidence, reasons } = assessConfidence({
    transparentBorder,
    bbox,
    areaFraction,
    borderContact,
    background,
    parts,
    specks,
    skin: skinShare(closed, px, n),
    n,
  });

  return {
    width: W,
    height: H,
    mask,
    bbox,
    areaFraction: Math.round(areaFraction * 1e6) / 1e6,
    holes,
    parts,
    borderContact: Math.round(borderContact * 1e4) / 1e4,
    confidence,
    reasons,
    background,
    workWidth: w,
    workHeight: h,
    ms: Date.now() - t0,
  };
}

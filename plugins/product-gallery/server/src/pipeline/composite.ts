/**
 * Scale-true compositing: the product's own pixels (from the cutout) placed on a scene at its
 * anchor, angle and pixels-per-mm, so a 2 mm band looks 2 mm wide on the hand.
 *
 * The product's colours are the source's, its soft edge unmixed from the source's background
 * (matte.ts, as for the clean shot), so no rim of marble or white travels with the piece onto skin. Every step works on raw RGBA:
 * resampling and rotation premultiply alpha (sharp does), and the blend over the scene is the
 * plain "over" of straight alpha, done here so no layer's stride or channel count is guessed.
 */
import sharp, { type Sharp } from 'sharp';
import type { BackgroundModel } from './cutout';
import { unmixedProduct } from './matte';
import { robustBox } from './fingerprint';
import { placementAffine } from './fidelity/difference-map';
import { mapBox, type Registration } from './fidelity/registration';
import type { BBox, RawImage } from './raw-image';
import type { Scene } from './scenes';

export interface CutoutLike {
  mask: Uint8Array;
  bbox: BBox;
  /** The source's background model: its colour is taken out of the soft edge. */
  background?: BackgroundModel;
}

export interface Placement {
  /** Resampling factor applied to the source's pixels. */
  scale: number;
  pxPerMm: number;
  productLongSideMm: number;
  /**
   * The product's long side as placed on the scene: its robust extent (1st..99th percentile of
   * its mass, as the fidelity checks measure it) after rotation. What a check should find there.
   */
  productLongSidePx: number;
  /** The product's long side at the scene's scale (mm x px/mm), before rotation. */
  trueLongSidePx: number;
  left: number;
  top: number;
  /** Size of the placed (resized, rotated) product on the scene. */
  width: number;
  height: number;
  /** Clockwise degrees, about the placed box's centre (sharp's convention). */
  angle: number;
  /**
   * The source region that was placed (working-image pixels): with the placed box and the angle
   * it gives the exact source-to-scene mapping (fidelity/difference-map placementAffine), so a
   * check can compare the composite where the product is without searching or cutting it out.
   */
  sourceBox: BBox;
}

export interface CompositeResult {
  buffer: Buffer;
  width: number;
  height: number;
  format: 'jpeg';
  placement: Placement;
  warnings: { code: string; message: string }[];
}

/** Contact shadow: opacity and softness (fraction of the product's long side). Faint on purpose: it seats the piece, it must not read as part of it. */
export const SHADOW = { opacity: 0.18, blur: 0.025, offset: 0.012, rgb: [40, 28, 20] as const };

/** The product cut out of its photo: RGBA cropped to the bounding box, its soft edge unmixed from the source's background. */
export function extractProduct(working: RawImage, cut: CutoutLike): RawImage {
  return unmixedProduct(working, cut.mask, cut.bbox, cut.background);
}

const rawOf = (img: RawImage) => sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 4 } });

async function toRaw(pipeline: Sharp): Promise<RawImage> {
  const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`expected RGBA, got ${info.channels} channels`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 4 };
}

/**
 * The product at its size on the scene, then turned: two steps, because sharp applies a
 * rotation before a resize in one pipeline (a 200x100 piece asked at 100x50 and turned 90°
 * would come out 50x50, cover-cropped). Right angles are exact transposes.
 */
export async function placeProduct(product: RawImage, width: number, height: number, angle: number): Promise<RawImage> {
  const sized = width === product.width && height === product.height ? product : await toRaw(rawOf(product).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }));
  const turn = ((angle % 360) + 360) % 360;
  if (turn === 0) return sized;
  return toRaw(rawOf(sized).rotate(turn, { background: { r: 0, g: 0, b: 0, alpha: 0 } }));
}

/** A blurred, offset copy of the product's alpha: how much shadow falls on each scene pixel. */
async function shadowOf(placed: RawImage, blur: number): Promise<{ alpha: Uint8Array; width: number; height: number; pad: number }> {
  const pad = blur * 2;
  const width = placed.width + 2 * pad, height = placed.height + 2 * pad;
  const alpha = new Uint8Array(width * height);
  for (let y = 0; y < placed.height; y++) {
    for (let x = 0; x < placed.width; x++) alpha[(y + pad) * width + x + pad] = placed.data[(y * placed.width + x) * 4 + 3];
  }
  const { data, info } = await sharp(Buffer.from(alpha.buffer), { raw: { width, height, channels: 1 } }).blur(Math.max(0.3, blur / 2)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1 || info.width !== width || info.height !== height) throw new Error('shadow alpha lost its shape');
  return { alpha: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height, pad };
}

/** Straight-alpha "over" of an RGBA layer onto an RGB canvas at (left, top), clipped to it. */
function blendOver(canvas: Uint8Array, cw: number, ch: number, layer: { rgb: (i: number, c: number) => number; alpha: (i: number) => number; width: number; height: number }, left: number, top: number) {
  const x0 = Math.max(0, left), y0 = Math.max(0, top);
  const x1 = Math.min(cw, left + layer.width), y1 = Math.min(ch, top + layer.height);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y - top) * layer.width + (x - left);
      const a = layer.alpha(i);
      if (a === 0) continue;
      const o = (y * cw + x) * 3;
      if (a === 255) {
        canvas[o] = layer.rgb(i, 0); canvas[o + 1] = layer.rgb(i, 1); canvas[o + 2] = layer.rgb(i, 2);
        continue;
      }
      const k = a / 255;
      for (let c = 0; c < 3; c++) canvas[o + c] = Math.round(layer.rgb(i, c) * k + canvas[o + c] * (1 - k));
    }
  }
}

export async function composeOnScene(
  working: RawImage,
  cut: CutoutLike,
  scene: Scene,
  productLongSideMm: number
): Promise<CompositeResult> {
  const warnings: CompositeResult['warnings'] = [];
  const product = extractProduct(working, cut);
  const longPx = Math.max(product.width, product.height);
  const targetLongPx = Math.max(8, Math.round(productLongSideMm * scene.pxPerMm));
  const scale = targetLongPx / longPx;
  if (scale > 2) {
    warnings.push({
      code: 'upscaled',
      message: `The product was enlarged ${scale.toFixed(1)}x to its true size in this scene: the source photo has few pixels for it.`,
    });
  }
  const placed = await placeProduct(product, Math.max(1, Math.round(product.width * scale)), Math.max(1, Math.round(product.height * scale)), scene.angle);
  const pw = placed.width;
  const ph = placed.height;
  // Keep the piece on the canvas: a product larger than the scene is a brief problem, say so.
  if (pw > scene.width || ph > scene.height) {
    warnings.push({ code: 'overflow', message: 'At its true size the product is larger than the scene: choose a wider scene.' });
  }
  const left = Math.round(Math.min(Math.max(scene.anchor.x - pw / 2, -pw / 2), scene.width - pw / 2));
  const top = Math.round(Math.min(Math.max(scene.anchor.y - ph / 2, -ph / 2), scene.height - ph / 2));

  const sceneRaw = await sharp(scene.image).resize(scene.width, scene.height, { fit: 'fill' }).flatten({ background: '#ffffff' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (sceneRaw.info.channels !== 3) throw new Error(`expected an RGB scene, got ${sceneRaw.info.channels} channels`);
  const canvas = new Uint8Array(sceneRaw.data.buffer, sceneRaw.data.byteOffset, sceneRaw.data.byteLength);

  const long = Math.max(pw, ph);
  const shadow = await shadowOf(placed, Math.max(1, Math.round(long * SHADOW.blur)));
  const offset = Math.max(1, Math.round(long * SHADOW.offset));
  blendOver(canvas, scene.width, scene.height, { rgb: (_i, c) => SHADOW.rgb[c], alpha: (i) => Math.round(shadow.alpha[i] * SHADOW.opacity), width: shadow.width, height: shadow.height }, left - shadow.pad + offset, top - shadow.pad + offset);
  blendOver(canvas, scene.width, scene.height, { rgb: (i, c) => placed.data[i * 4 + c], alpha: (i) => placed.data[i * 4 + 3], width: pw, height: ph }, left, top);

  // 4:4:4: thin coloured parts (a turquoise point, a red thread) keep their colour at full resolution.
  const buffer = await sharp(Buffer.from(canvas.buffer, canvas.byteOffset, canvas.byteLength), { raw: { width: scene.width, height: scene.height, channels: 3 } })
    .jpeg({ quality: 92, chromaSubsampling: '4:4:4' })
    .toBuffer();

  const placedAlpha = new Uint8Array(pw * ph);
  for (let i = 0; i < placedAlpha.length; i++) placedAlpha[i] = placed.data[i * 4 + 3];
  const extent: BBox = robustBox(placedAlpha, pw, ph);
  return {
    buffer,
    width: scene.width,
    height: scene.height,
    format: 'jpeg',
    placement: {
      scale,
      pxPerMm: scene.pxPerMm,
      productLongSideMm,
      productLongSidePx: Math.max(extent.width, extent.height),
      trueLongSidePx: targetLongPx,
      left,
      top,
      width: pw,
      height: ph,
      angle: scene.angle,
      sourceBox: { ...cut.bbox },
    },
    warnings,
  };
}

/**
 * A composite's placement as a registration: where the source product is on the scene is known
 * exactly, so a check compares there (fidelity/scene compareScene) instead of searching for it or
 * cutting it out of the scene (a cutout cannot tell a piece from the skin, finger edges or ear it
 * lies on). No stretch is estimated: the placement is uniform by construction (`exact`).
 */
export function placementRegistration(placement: Placement): Registration {
  const placed = { x: placement.left, y: placement.top, width: placement.width, height: placement.height };
  if (!placement.sourceBox || !(placement.sourceBox.width > 0) || !(placement.width > 0)) {
    // a composite recorded before placements named their source region: where its pixels came from is unknown
    return {
      found: false, confidence: 0, inliers: 0, matches: 0, score: 0, affine: [1, 0, 0, 0, 1, 0], scale: 0, rotationDeg: 0, anisotropy: 1,
      anisotropyMeasurable: false, box: placed, productLongSidePx: 0,
      reason: 'this composite was made before its placement recorded which part of the source it shows, so where the product lies in it is not known exactly.',
    };
  }
  const affine = placementAffine(placement.sourceBox, placed, placement.angle);
  const scale = Math.sqrt(Math.abs(affine[0] * affine[4] - affine[1] * affine[3]));
  // as registerProduct measures it: the source's product box carried onto the scene
  const box = mapBox(affine, placement.sourceBox);
  return {
    found: true,
    confidence: 1,
    inliers: 0,
    matches: 0,
    score: 1,
    affine,
    scale,
    rotationDeg: placement.angle,
    anisotropy: 1,
    anisotropyMeasurable: false,
    exact: true,
    box,
    productLongSidePx: Math.max(box.width, box.height),
    reason: null,
  };
}

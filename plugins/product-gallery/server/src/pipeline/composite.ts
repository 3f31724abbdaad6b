/**
 * Scale-true compositing: the product's own pixels (from the cutout) placed on a scene at its
 * anchor, angle and pixels-per-mm, so a 2 mm band looks 2 mm wide on the hand.
 */
import sharp from 'sharp';
import type { RawImage } from './raw-image';
import type { Scene } from './scenes';

export interface CutoutLike {
  mask: Uint8Array;
  bbox: { x: number; y: number; width: number; height: number };
}

export interface Placement {
  /** Resampling factor applied to the source's pixels. */
  scale: number;
  pxPerMm: number;
  productLongSideMm: number;
  productLongSidePx: number;
  left: number;
  top: number;
  /** Size of the placed (resized, rotated) product on the scene. */
  width: number;
  height: number;
  angle: number;
}

export interface CompositeResult {
  buffer: Buffer;
  width: number;
  height: number;
  format: 'jpeg';
  placement: Placement;
  warnings: { code: string; message: string }[];
}

/** The product cut out of its photo: RGBA cropped to the bounding box, alpha from the mask. */
export function extractProduct(working: RawImage, cut: CutoutLike): RawImage {
  const { x, y, width, height } = cut.bbox;
  const out = new Uint8Array(width * height * 4);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const si = ((y + row) * working.width + (x + col));
      const di = (row * width + col) * 4;
      out[di] = working.data[si * 4];
      out[di + 1] = working.data[si * 4 + 1];
      out[di + 2] = working.data[si * 4 + 2];
      out[di + 3] = Math.round((working.data[si * 4 + 3] * cut.mask[si]) / 255);
    }
  }
  return { data: out, width, height, channels: 4 };
}

/** sharp composites only overlays that fit inside the base: cut each layer to the canvas first. */
async function clipToCanvas(input: Buffer, w: number, h: number, left: number, top: number, cw: number, ch: number) {
  const x0 = Math.max(0, Math.round(left));
  const y0 = Math.max(0, Math.round(top));
  const x1 = Math.min(cw, Math.round(left) + w);
  const y1 = Math.min(ch, Math.round(top) + h);
  if (x1 <= x0 || y1 <= y0) return null;
  const region = { left: x0 - Math.round(left), top: y0 - Math.round(top), width: x1 - x0, height: y1 - y0 };
  const clipped = region.left === 0 && region.top === 0 && region.width === w && region.height === h ? input : await sharp(input).extract(region).png().toBuffer();
  return { input: clipped, left: x0, top: y0 };
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
  const resized = await sharp(Buffer.from(product.data.buffer, product.data.byteOffset, product.data.byteLength), {
    raw: { width: product.width, height: product.height, channels: 4 },
  })
    .resize({
      width: Math.max(1, Math.round(product.width * scale)),
      height: Math.max(1, Math.round(product.height * scale)),
      kernel: 'lanczos3',
    })
    .rotate(scene.angle, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png()
    .toBuffer({ resolveWithObject: true });
  const pw = resized.info.width;
  const ph = resized.info.height;
  // Keep the piece on the canvas: a product larger than the scene is a brief problem, say so.
  if (pw > scene.width || ph > scene.height) {
    warnings.push({ code: 'overflow', message: 'At its true size the product is larger than the scene: choose a wider scene.' });
  }
  const left = Math.round(Math.min(Math.max(scene.anchor.x - pw / 2, -pw / 2), scene.width - pw / 2));
  const top = Math.round(Math.min(Math.max(scene.anchor.y - ph / 2, -ph / 2), scene.height - ph / 2));

  // A soft contact shadow from the product's own alpha, so it sits on the scene.
  const alpha = await sharp(resized.data).extractChannel(3).raw().toBuffer();
  const blur = Math.max(1, Math.round(Math.max(pw, ph) * 0.02));
  const shadowAlpha = await sharp(alpha, { raw: { width: pw, height: ph, channels: 1 } })
    .linear(0.35, 0)
    .extend({ top: blur * 2, bottom: blur * 2, left: blur * 2, right: blur * 2, background: { r: 0, g: 0, b: 0, alpha: 1 } })
    .blur(blur)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const shadow = await sharp({
    create: { width: shadowAlpha.info.width, height: shadowAlpha.info.height, channels: 3, background: { r: 40, g: 28, b: 20 } },
  })
    .joinChannel(shadowAlpha.data, { raw: { width: shadowAlpha.info.width, height: shadowAlpha.info.height, channels: 1 } })
    .png()
    .toBuffer();

  const offset = Math.max(1, Math.round(blur * 0.6));
  const layers = (
    await Promise.all([
      clipToCanvas(shadow, shadowAlpha.info.width, shadowAlpha.info.height, left - blur * 2 + offset, top - blur * 2 + offset, scene.width, scene.height),
      clipToCanvas(resized.data, pw, ph, left, top, scene.width, scene.height),
    ])
  ).filter((l): l is NonNullable<typeof l> => l !== null);
  const buffer = await sharp(scene.image)
    .resize(scene.width, scene.height, { fit: 'fill' })
    .composite(layers)
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 92, mozjpeg: true })
    .toBuffer();

  return {
    buffer,
    width: scene.width,
    height: scene.height,
    format: 'jpeg',
    placement: { scale, pxPerMm: scene.pxPerMm, productLongSideMm, productLongSidePx: targetLongPx, left, top, width: pw, height: ph, angle: scene.angle },
    warnings,
  };
}

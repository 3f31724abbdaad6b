/**
 * Deterministic shots made from the source pixels (the `local` generator):
 * - clean: the cutout on pure white, centred on a square canvas, product long side = fill * size;
 * - detail: a close-up crop of the product's most detailed region at a given aspect ratio.
 * Product pixels are the source's pixels resampled with lanczos3, never re-synthesised. On the
 * edge the background's contribution is taken out (matte.ts) and white put in its place, which
 * removes the grey/marble fringe and leaves the product's core untouched.
 */
import sharp, { type Sharp } from 'sharp';
import { PipelineError } from './errors';
import { parseAspect } from './frames';
import type { PipelineWarning } from './intake';
import type { CutoutResult } from './cutout';
import { unmixedProduct } from './matte';
import { downscaleRgba, type BBox, type RawImage } from './raw-image';

export type ShotFormat = 'png' | 'jpeg';

export const CLEAN_DEFAULTS = { size: 2000, fill: 0.85, format: 'png' as ShotFormat, minFill: 0.8, maxFill: 0.9 };
export const DETAIL_DEFAULTS = { aspect: '1:1', minLongEdge: 1000, format: 'png' as ShotFormat, zoom: 0.4 };
/** Upscaling beyond this factor earns a warning (the source has too few pixels). */
export const MAX_CLEAN_UPSCALE = 2;

export interface CleanOptions {
  size?: number;
  fill?: number;
  format?: ShotFormat;
  /** JPEG quality (default 95, 4:4:4 chroma) */
  quality?: number;
}

export interface ShotResult {
  buffer: Buffer;
  format: ShotFormat;
  mime: string;
  width: number;
  height: number;
  /** resampling factor source px -> output px */
  scale: number;
  /** where the product (or crop) sits on the output canvas */
  productBox: BBox;
  /** the source region used, in working-image pixels */
  sourceBox: BBox;
  warnings: PipelineWarning[];
}

/** Bounding box of mask > threshold, padded by `pad` px and clamped. */
export function maskBox(mask: Uint8Array, w: number, h: number, threshold = 8, pad = 2): BBox {
  let minX = w, minY = h, maxX = -1, maxY = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (mask[row + x] > threshold) {
        if (x < minX) minX = x; if (x > maxX) maxX = x; if (y < minY) minY = y; if (y > maxY) maxY = y;
      }
    }
  }
  if (maxX < 0) return { x: 0, y: 0, width: 0, height: 0 };
  minX = Math.max(0, minX - pad); minY = Math.max(0, minY - pad);
  maxX = Math.min(w - 1, maxX + pad); maxY = Math.min(h - 1, maxY + pad);
  return { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/**
 * The product region composited over pure white (RGB, 3 channels), its edge unmixed from the
 * photo's background first (matte.ts), so no grey or marble rim remains. Pure function over raw buffers.
 */
export function compositeOnWhite(working: RawImage, cut: Pick<CutoutResult, 'mask' | 'background'>, box: BBox): Uint8Array {
  const product = unmixedProduct(working, cut.mask, box, cut.background);
  const out = new Uint8Array(box.width * box.height * 3);
  for (let i = 0, n = box.width * box.height; i < n; i++) {
    const a = product.data[i * 4 + 3];
    for (let c = 0; c < 3; c++) out[i * 3 + c] = a === 255 ? product.data[i * 4 + c] : Math.round((product.data[i * 4 + c] * a + 255 * (255 - a)) / 255);
  }
  return out;
}

async function encode(img: Sharp, format: ShotFormat, quality = 95): Promise<Buffer> {
  return format === 'jpeg'
    ? img.jpeg({ quality, chromaSubsampling: '4:4:4', mozjpeg: false }).toBuffer()
    : img.png({ compressionLevel: 6 }).toBuffer();
}

/** Clean product shot: product on pure white (255,255,255), centred, long side = fill * size. */
export async function renderClean(working: RawImage, cut: CutoutResult, options: CleanOptions = {}): Promise<ShotResult> {
  const size = options.size ?? CLEAN_DEFAULTS.size;
  const fill = options.fill ?? CLEAN_DEFAULTS.fill;
  const format = options.format ?? CLEAN_DEFAULTS.format;
  if (!Number.isFinite(fill) || fill < CLEAN_DEFAULTS.minFill || fill > CLEAN_DEFAULTS.maxFill) {
    throw new PipelineError('invalid_option', `The product must fill between ${CLEAN_DEFAULTS.minFill * 100}% and ${CLEAN_DEFAULTS.maxFill * 100}% of a clean image (asked: ${fill}).`, { fill });
  }
  if (!Number.isInteger(size) || size < 100 || size > 10000) {
    throw new PipelineError('invalid_option', `A clean image must be between 100 and 10000 px square (asked: ${size}).`, { size });
  }
  const W = working.width, H = working.height;
  const box = maskBox(cut.mask, W, H);
  if (box.width === 0) throw new PipelineError('blank', 'No product was found in the photo, so no clean image can be made.');
  const warnings: PipelineWarning[] = [];
  const rgb = compositeOnWhite(working, cut, box);
  const target = Math.max(1, Math.round(fill * size));
  const scale = target / Math.max(box.width, box.height);
  const pw = Math.max(1, Math.min(target, Math.round(box.width * scale)));
  const ph = Math.max(1, Math.min(target, Math.round(box.height * scale)));
  if (scale > MAX_CLEAN_UPSCALE) {
    warnings.push({ code: 'upscaled', message: `The source has too few pixels for a ${size} px image: the product was enlarged ${scale.toFixed(1)}×, so fine detail may look soft.` });
  }
  if (box.x === 0 || box.y === 0 || box.x + box.width >= W || box.y + box.height >= H) {
    warnings.push({ code: 'cut_at_frame', message: 'The product touches the edge of the source photo, so it may look cut off in the clean image.' });
  }
  const resized = await sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width: box.width, height: box.height, channels: 3 } })
    .resize(pw, ph, { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer();
  const left = Math.floor((size - pw) / 2), top = Math.floor((size - ph) / 2);
  const canvas = Buffer.alloc(size * size * 3, 255);
  for (let y = 0; y < ph; y++) resized.copy(canvas, ((top + y) * size + left) * 3, y * pw * 3, (y + 1) * pw * 3);
  const buffer = await encode(sharp(canvas, { raw: { width: size, height: size, channels: 3 } }), format, options.quality);
  return {
    buffer,
    format,
    mime: format === 'jpeg' ? 'image/jpeg' : 'image/png',
    width: size,
    height: size,
    scale: Math.round(scale * 1000) / 1000,
    productBox: { x: left, y: top, width: pw, height: ph },
    sourceBox: box,
    warnings,
  };
}

export interface DetailOptions {
  /** 'W:H', e.g. '1:1', '4:5', '3:4', '16:9' */
  aspect?: string;
  /** long edge of the output; the crop is upscaled (lanczos3) to reach it */
  minLongEdge?: number;
  format?: ShotFormat;
  quality?: number;
  /** crop long side as a fraction of the product's long side (0.15..1, default 0.4) */
  zoom?: number;
  /** 'white' (default): background replaced by white like the clean shot; 'original': source pixels as shot */
  background?: 'white' | 'original';
}

export function parseAspectRatio(aspect: string): number {
  let r = NaN;
  try {
    r = parseAspect(aspect);
  } catch {
    // refused below, in the shot's own words
  }
  if (!Number.isFinite(r) || r <= 0.2 || r >= 5) {
    throw new PipelineError('invalid_option', `The aspect ratio "${aspect}" is not valid; use a form like 1:1, 4:5 or 16:9.`, { aspect });
  }
  return r;
}

/**
 * Locate the most detailed window: maximum of (|Laplacian| of luminance x mask) summed over a
 * window of the given size (analysis resolution). Pure function over raw buffers.
 */
export function findDetailWindow(working: RawImage, mask: Uint8Array, winW: number, winH: number): BBox {
  const { image: small, scale } = downscaleRgba(working, 512);
  const w = small.width, h = small.height, n = w * h;
  // mask at analysis resolution (nearest)
  const lum = new Float32Array(n), m = new Float32Array(n);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(working.height - 1, Math.floor((y + 0.5) / scale));
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const p = i * 4;
      lum[i] = 0.299 * small.data[p] + 0.587 * small.data[p + 1] + 0.114 * small.data[p + 2];
      const sx = Math.min(working.width - 1, Math.floor((x + 0.5) / scale));
      m[i] = mask[sy * working.width + sx] / 255;
    }
  }
  const integ = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let rowSum = 0;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      let e = 0;
      if (x > 0 && y > 0 && x < w - 1 && y < h - 1) e = Math.abs(4 * lum[i] - lum[i - 1] - lum[i + 1] - lum[i - w] - lum[i + w]);
      rowSum += e * m[i] + m[i] * 0.5; // a little weight for product presence itself
      integ[(y + 1) * (w + 1) + x + 1] = integ[y * (w + 1) + x + 1] + rowSum;
    }
  }
  const ww = Math.max(1, Math.min(w, Math.round(winW * scale)));
  const wh = Math.max(1, Math.min(h, Math.round(winH * scale)));
  let best = -1, bx = 0, by = 0;
  const step = Math.max(1, Math.round(Math.min(ww, wh) / 16));
  for (let y = 0; y + wh <= h; y += step) {
    for (let x = 0; x + ww <= w; x += step) {
      const s = integ[(y + wh) * (w + 1) + x + ww] - integ[y * (w + 1) + x + ww] - integ[(y + wh) * (w + 1) + x] + integ[y * (w + 1) + x];
      if (s > best) { best = s; bx = x; by = y; }
    }
  }
  const x = Math.min(working.width - winW, Math.max(0, Math.round(bx / scale)));
  const y = Math.min(working.height - winH, Math.max(0, Math.round(by / scale)));
  return { x, y, width: winW, height: winH };
}

/** Close-up of the product's most detailed region at the requested aspect ratio. */
export async function renderDetail(working: RawImage, cut: CutoutResult, options: DetailOptions = {}): Promise<ShotResult> {
  const aspect = options.aspect ?? DETAIL_DEFAULTS.aspect;
  const ratio = parseAspectRatio(aspect);
  const minLongEdge = options.minLongEdge ?? DETAIL_DEFAULTS.minLongEdge;
  const zoom = options.zoom ?? DETAIL_DEFAULTS.zoom;
  const format = options.format ?? DETAIL_DEFAULTS.format;
  if (!Number.isInteger(minLongEdge) || minLongEdge < 64 || minLongEdge > 10000) {
    throw new PipelineError('invalid_option', `The detail image size must be between 64 and 10000 px (asked: ${minLongEdge}).`, { minLongEdge });
  }
  if (!(zoom >= 0.15 && zoom <= 1)) throw new PipelineError('invalid_option', `Detail zoom must be between 0.15 and 1 (asked: ${zoom}).`, { zoom });
  const W = working.width, H = working.height;
  const pbox = maskBox(cut.mask, W, H, 127, 0);
  if (pbox.width === 0) throw new PipelineError('blank', 'No product was found in the photo, so no detail image can be made.');
  // crop size: zoom x product long side, at the requested aspect, inside the image
  let long = Math.max(32, Math.round(zoom * Math.max(pbox.width, pbox.height)));
  let cw = ratio >= 1 ? long : Math.round(long * ratio);
  let ch = ratio >= 1 ? Math.round(long / ratio) : long;
  const fit = Math.min(1, W / cw, H / ch);
  cw = Math.max(1, Math.floor(cw * fit)); ch = Math.max(1, Math.floor(ch * fit));
  long = Math.max(cw, ch);
  const win = findDetailWindow(working, cut.mask, cw, ch);
  const warnings: PipelineWarning[] = [];
  const outLong = Math.max(minLongEdge, long);
  const scale = outLong / long;
  const ow = ratio >= 1 ? outLong : Math.round(outLong * ratio);
  const oh = ratio >= 1 ? Math.round(outLong / ratio) : outLong;
  if (scale > MAX_CLEAN_UPSCALE) {
    warnings.push({ code: 'upscaled', message: `The source has too few pixels for a ${ow}×${oh} close-up: the crop was enlarged ${scale.toFixed(1)}× and will look soft.` });
  }
  let input: Sharp;
  if ((options.background ?? 'white') === 'white') {
    const rgb = compositeOnWhite(working, cut, win);
    input = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width: win.width, height: win.height, channels: 3 } });
  } else {
    input = sharp(Buffer.from(working.data.buffer, working.data.byteOffset, working.data.byteLength), { raw: { width: W, height: H, channels: 4 } })
      .extract({ left: win.x, top: win.y, width: win.width, height: win.height })
      .flatten({ background: '#ffffff' });
  }
  const buffer = await encode(input.resize(ow, oh, { kernel: 'lanczos3', fit: 'fill' }), format, options.quality);
  return {
    buffer,
    format,
    mime: format === 'jpeg' ? 'image/jpeg' : 'image/png',
    width: ow,
    height: oh,
    scale: Math.round(scale * 1000) / 1000,
    productBox: { x: 0, y: 0, width: ow, height: oh },
    sourceBox: win,
    warnings,
  };
}

/**
 * Storefront delivery renditions: responsive widths x (AVIF where cheap, WebP, JPEG fallback),
 * a ThumbHash placeholder, the intrinsic size and a focal point, all from ONE decode.
 *
 * Fan-out: the source is decoded once to raw pixels; it is resized once, to the largest width, and
 * every smaller width is resized from that raw (a cascade: 1920 -> 1280, 960, 640, 320), then the
 * 2-3 encoders of each width read its small resized buffer. The number of sharp pipelines in flight
 * is bounded (see concurrency.ts). The cascade reads 2.4x fewer pixels per smaller width than
 * resizing from a 3000 px source; output sizes differ from direct resizing by < 1.5%.
 *
 * AVIF rule (measured on this project's 2-core CI/dev box, sharp 0.35.3 / libaom 3.14, one libvips
 * thread, necklace photo 14 resized from 3000 px; best of 3):
 *
 *   width | JPEG q82 | WebP q80 e4 | AVIF q50 e4 (default) | AVIF q50 e2   | AVIF q50 e0
 *   1920  | 50 ms    | 263 ms 43KB | 4872 ms 26KB          | 732 ms 31KB   | 157 ms 33KB
 *   1280  | 18 ms    | 115 ms 26KB | 2607 ms 18KB          | 383 ms 20KB   |  77 ms 21KB
 *    960  | 12 ms    |  69 ms 19KB | 1725 ms 13KB          | 246 ms 15KB   |  47 ms 16KB
 *    640  | 10 ms    |  47 ms 11KB | 1075 ms  9KB          | 139 ms 10KB   |  25 ms 11KB
 *    320  |  3 ms    |  11 ms  5KB |  316 ms  4KB          |  44 ms  4KB   |   8 ms  5KB
 *
 * At equal PSNR (photos 14, 25, 15 at 960 px) AVIF e4 is ~25-45% smaller than WebP e4 but ~17x
 * slower (more than the "8x" folklore); effort 0 is fast but no smaller than WebP once quality is
 * matched; effort 2 keeps ~15-30% of the saving at ~3.5x WebP's time. So: AVIF at effort 2, and
 * only at widths <= 960 px, where its absolute cost is small (~0.45 s CPU for all three widths,
 * vs ~7 s at default effort for all five) and where the saving matters most (phones, grids).
 * `bench/images.ts` reprints these figures for the machine it runs on.
 */
import { createLimiter, defaultPipelineConcurrency, type Limiter } from './concurrency';
import { decodeOnce, fromRaw, hasTransparency, parseColor, type DecodedImage, type ImageInput, type Rgb } from './decode';
import { applyEncoder, mimeFor, type EncodedImage, type OutputFormat } from './formats';
import { focalPointOf, productBox, validateFocalPoint, type FocalPoint, type ProductBox } from './product-box';
import { thumbHashFromRaw } from './thumbhash';
import sharp, { type Sharp } from 'sharp';

export type DeliveryFormat = 'avif' | 'webp' | 'jpeg';

export const DEFAULT_RENDITION_WIDTHS: readonly number[] = [320, 640, 960, 1280, 1920];

/** Encoder settings for storefront renditions. */
export const DELIVERY_ENCODING = {
  jpeg: { quality: 82 },
  webp: { quality: 80, effort: 4 },
  avif: { quality: 50, effort: 2 },
} as const;

/** AVIF only where it is worth its encoding cost (see the measurements above). */
export const AVIF_MAX_WIDTH = 960;

export interface RenditionOptions {
  /** Target widths in px (default 320, 640, 960, 1280, 1920). Never upscaled. */
  widths?: readonly number[];
  /** Formats wanted; WebP and JPEG are always produced, AVIF only at widths <= avifMaxWidth. Default all three. */
  formats?: readonly DeliveryFormat[];
  /** Focal point in percent; default: centre of the product (or of the image when none stands out). */
  focalPoint?: FocalPoint;
  /** Colour a transparent source is flattened onto for JPEG (default white). */
  background?: string | Rgb;
  /** Override the AVIF width rule (0 = no AVIF). */
  avifMaxWidth?: number;
  /** Sharp pipelines in flight (default: see concurrency.ts). */
  concurrency?: number;
  /** XMP every rendition carries (the stored file's DigitalSourceType label). */
  xmp?: string;
}

export interface Rendition extends EncodedImage {
  format: DeliveryFormat;
}

export interface RenditionSet {
  /** Intrinsic size of the source (after EXIF orientation). */
  width: number;
  height: number;
  hasAlpha: boolean;
  focalPoint: FocalPoint;
  /** Base64 ThumbHash placeholder. */
  thumbhash: string;
  /** Sorted by width, then avif, webp, jpeg. */
  renditions: Rendition[];
}

export interface RenditionSpec {
  width: number;
  height: number;
  format: DeliveryFormat;
  quality: number;
  effort?: number;
}

/** Widths actually produced for a source: no upscaling; the source's own width when it is smaller than every target. */
export function renditionWidths(sourceWidth: number, widths: readonly number[] = DEFAULT_RENDITION_WIDTHS): number[] {
  const wanted = [...new Set(widths.map((w) => Math.round(w)).filter((w) => w > 0))].sort((a, b) => a - b);
  if (!wanted.length) throw new RangeError('widths must contain at least one positive width.');
  const out = wanted.filter((w) => w <= sourceWidth);
  if (sourceWidth < wanted[0]) out.push(sourceWidth);
  return out;
}

/** The list of files `renditions` produces for a source of this size (pure; used by the benchmark). */
export function planRenditions(sourceWidth: number, sourceHeight: number, opts: RenditionOptions = {}): RenditionSpec[] {
  const formats = new Set<DeliveryFormat>(opts.formats ?? ['avif', 'webp', 'jpeg']);
  formats.add('webp');
  formats.add('jpeg');
  const avifMax = opts.avifMaxWidth ?? AVIF_MAX_WIDTH;
  const specs: RenditionSpec[] = [];
  for (const width of renditionWidths(sourceWidth, opts.widths)) {
    const height = Math.max(1, Math.round((width * sourceHeight) / sourceWidth));
    if (formats.has('avif') && width <= avifMax) specs.push({ width, height, format: 'avif', ...DELIVERY_ENCODING.avif });
    specs.push({ width, height, format: 'webp', ...DELIVERY_ENCODING.webp });
    specs.push({ width, height, format: 'jpeg', ...DELIVERY_ENCODING.jpeg });
  }
  return specs;
}

/** Storefront renditions + ThumbHash + focal point for one stored asset (decodes the source once). */
export async function renditions(input: ImageInput, opts: RenditionOptions = {}): Promise<RenditionSet> {
  const img = await decodeOnce(input);
  const limit = createLimiter(opts.concurrency ?? defaultPipelineConcurrency());
  const box = opts.focalPoint ? undefined : await productBox(img);
  return renderRenditionSet(img, opts, limit, box);
}

/** @internal shared with deliveryPack: everything from an already decoded image. */
export async function renderRenditionSet(img: DecodedImage, opts: RenditionOptions, limit: Limiter, box?: ProductBox): Promise<RenditionSet> {
  const focalPoint = opts.focalPoint
    ? validateFocalPoint(opts.focalPoint)
    : focalPointOf(box ?? (await productBox(img)), img.width, img.height);
  const alpha = hasTransparency(img);
  const background = parseColor(opts.background);
  const specs = planRenditions(img.width, img.height, opts);
  const byWidth = new Map<number, RenditionSpec[]>();
  for (const s of specs) byWidth.set(s.width, [...(byWidth.get(s.width) ?? []), s]);

  const thumb = limit(() => thumbHashFromRaw(img));
  // Cascade: the source is resized ONCE, to the largest width; every smaller width is resized from
  // that (2.4x fewer pixels to read than the 3000 px source for a 1920 px base), then each width's
  // 2-3 encoders run one after another in the width's limiter slot, so at most `concurrency`
  // resized buffers (+ the base) are alive at once, and only one rendition resize reads the source.
  const widths = [...byWidth.keys()].sort((a, b) => b - a);
  const top = widths[0];
  const topSpecs = byWidth.get(top)!;
  const encodeAll = async (resized: DecodedImage, group: RenditionSpec[]) => {
    const out: Rendition[] = [];
    for (const spec of group) out.push(await encodeRendition(resized, spec, alpha, background, opts.xmp));
    return out;
  };
  const base = top === img.width ? Promise.resolve(img) : limit(() => resizeRaw(img, top, topSpecs[0].height));
  const groups = widths.map((width) => {
    const group = byWidth.get(width)!;
    const h = group[0].height;
    return base.then((src) => limit(async () => encodeAll(width === top ? src : await resizeRaw(src, width, h), group)));
  });
  const [thumbhash, ...encoded] = await Promise.all([thumb, ...groups]);
  const order: Record<DeliveryFormat, number> = { avif: 0, webp: 1, jpeg: 2 };
  const list = (encoded as Rendition[][]).flat().sort((a, b) => a.width - b.width || order[a.format] - order[b.format]);
  return { width: img.width, height: img.height, hasAlpha: alpha, focalPoint, thumbhash: thumbhash as string, renditions: list };
}

/** Resize decoded pixels to raw pixels of exactly width x height. */
export async function resizeRaw(img: DecodedImage, width: number, height: number): Promise<DecodedImage> {
  const { data, info } = await fromRaw(img)
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels as 3 | 4 };
}

async function encodeRendition(img: DecodedImage, spec: RenditionSpec, alpha: boolean, background: Rgb, xmp?: string): Promise<Rendition> {
  let p: Sharp = fromRaw(img);
  if (spec.format === 'jpeg' && img.channels === 4) p = p.flatten({ background }).removeAlpha();
  else if (!alpha && img.channels === 4) p = p.removeAlpha();
  const buffer = await applyEncoder(p, { format: spec.format as OutputFormat, quality: spec.quality, effort: spec.effort, xmp }).toBuffer();
  return { buffer, width: img.width, height: img.height, format: spec.format, mime: mimeFor(spec.format), bytes: buffer.length };
}

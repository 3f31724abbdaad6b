/**
 * Channel presets (marketplaces, social, email) and one file per channel that meets its rules.
 * Rules come from docs/REFERENCE.md section 2 (Amazon Seller Central G9FUUH87RBNXGKB7 and
 * itemID 50211, Google Merchant 6324350, Pinterest product specs, Mailchimp); [U] = only found in
 * third-party summaries.
 */
import { createLimiter, defaultPipelineConcurrency, type Limiter } from './concurrency';
import { decodeOnce, fromRaw, hasTransparency, parseColor, type DecodedImage, type ImageInput, type Rgb } from './decode';
import { labelXmpOf, xmpOf } from './source-label';
import { applyEncoder, fileExtensionFor, mimeFor, type EncodedImage, type OutputFormat } from './formats';
import { focalPointOf, productBox, type FocalPoint, type ProductBox } from './product-box';
import sharp, { type Region, type Sharp } from 'sharp';
import type { ChannelFraming, ChannelPresetId } from '../../../shared/contracts/channel-preview';

/** A channel's file preset, as the channel preview names it. */
export type ChannelId = ChannelPresetId;

export const CHANNEL_IDS: readonly ChannelId[] = ['amazon-main', 'amazon-additional', 'etsy', 'shopify', 'google', 'meta', 'pinterest', 'email'];

/** How the output is sized: long side, short side, width, or padded into an exact box. */
export type ChannelFit =
  | { mode: 'long-edge'; size: number }
  | { mode: 'short-edge'; size: number }
  | { mode: 'width'; size: number }
  | { mode: 'pad'; width: number; height: number };

export type BackgroundRule =
  /** Pure white RGB 255,255,255 required (padding is always white, transparency flattened on white). */
  | 'white-required'
  /** White or light recommended: white padding unless a background is given. */
  | 'white-recommended'
  /** Any background: padding uses the given background, or the photo's own border colour. */
  | 'any';

export interface ChannelPreset {
  id: ChannelId;
  label: string;
  /** The format we write. */
  format: OutputFormat;
  /** Formats the channel accepts (for QC of files made elsewhere). */
  acceptedFormats: readonly OutputFormat[];
  fit: ChannelFit;
  /** Hard pixel limits (fail) and recommendations (warn). */
  minLongEdge?: number;
  recommendedMinLongEdge?: number;
  maxLongEdge?: number;
  minShortEdge?: number;
  recommendedMinShortEdge?: number;
  maxPixels?: number;
  /** Fixed aspect ratio width / height when the channel wants one (square, 2:3). */
  aspect?: number;
  /** Hard file-size cap in bytes, and the recommended cap we actually encode to. */
  maxBytes?: number;
  recommendedMaxBytes?: number;
  /** Output is always converted to sRGB (CMYK and wide-gamut sources included); tagged when true. */
  colorSpace: 'srgb';
  embedSrgbProfile: boolean;
  background: BackgroundRule;
  /** Product bounding box long side / frame long side (Amazon main). */
  minFill?: number;
  recommendedFill?: number;
  /** Frame the product at this fill (long side of the product / frame side), Amazon main only. */
  frameProductAt?: number;
  /** Starting JPEG quality and the lowest we step down to before shrinking. */
  quality: number;
  minQuality: number;
  /** Widest file the channel takes (email templates), px. */
  maxWidth?: number;
  forbidden: readonly string[];
  notes: string;
}

/** Darkest channel value (8-bit) a backdrop may have and still count as white. */
export const WHITE_MIN = 245;

const MB = 1024 * 1024;

export const CHANNEL_PRESETS: Readonly<Record<ChannelId, ChannelPreset>> = {
  'amazon-main': {
    id: 'amazon-main',
    label: 'Amazon main image (jewelry, US)',
    format: 'jpeg',
    acceptedFormats: ['jpeg', 'tiff', 'gif'],
    // Square 2000 px: inside the 500-2100 px window, >= 1000 px enables zoom.
    fit: { mode: 'pad', width: 2000, height: 2000 },
    minLongEdge: 500,
    recommendedMinLongEdge: 1000,
    maxLongEdge: 2100,
    maxBytes: 10 * MB,
    colorSpace: 'srgb',
    embedSrgbProfile: true,
    background: 'white-required',
    minFill: 0.8,
    recommendedFill: 0.85,
    frameProductAt: 0.9,
    quality: 92,
    minQuality: 80,
    forbidden: ['text', 'logos', 'watermarks', 'borders', 'inset images', 'mannequin or model', 'props'],
    notes: 'JPEG preferred (PNG not listed for jewelry). Pure white background, product >= 80% of the frame (85% general rule).',
  },
  'amazon-additional': {
    id: 'amazon-additional',
    label: 'Amazon additional image',
    format: 'jpeg',
    acceptedFormats: ['jpeg', 'tiff', 'gif'],
    fit: { mode: 'long-edge', size: 2000 },
    minLongEdge: 500,
    recommendedMinLongEdge: 1000,
    maxBytes: 10 * MB,
    colorSpace: 'srgb',
    embedSrgbProfile: true,
    background: 'any',
    quality: 90,
    minQuality: 78,
    forbidden: ['pixelation'],
    notes: '>= 1000 px on the longest side for zoom; any background.',
  },
  etsy: {
    id: 'etsy',
    label: 'Etsy listing photo',
    format: 'jpeg',
    acceptedFormats: ['jpeg', 'png', 'gif'],
    fit: { mode: 'short-edge', size: 2000 },
    recommendedMinShortEdge: 2000,
    minShortEdge: 500,
    maxBytes: 10 * MB,
    recommendedMaxBytes: 1 * MB,
    colorSpace: 'srgb',
    embedSrgbProfile: true,
    background: 'any',
    quality: 88,
    minQuality: 62,
    forbidden: ['stock photos for physical items'],
    notes: '>= 2000 px on the shortest side [U]; <= 1 MB recommended, 10 MB max [U]; thumbnails are cropped 4:3, 5:4 or 1:1 [U].',
  },
  shopify: {
    id: 'shopify',
    label: 'Shopify product image',
    format: 'jpeg',
    acceptedFormats: ['jpeg', 'png', 'webp', 'gif', 'avif'],
    fit: { mode: 'pad', width: 2048, height: 2048 },
    aspect: 1,
    maxLongEdge: 5000,
    maxPixels: 25_000_000,
    maxBytes: 20 * MB,
    colorSpace: 'srgb',
    embedSrgbProfile: true,
    background: 'any',
    quality: 88,
    minQuality: 70,
    forbidden: [],
    notes: '2048x2048 square recommended; max 5000x5000 / 25 MP [U]; < 20 MB [U].',
  },
  google: {
    id: 'google',
    label: 'Google Merchant Center',
    format: 'jpeg',
    acceptedFormats: ['jpeg', 'webp', 'png', 'gif'],
    fit: { mode: 'short-edge', size: 1500 },
    minShortEdge: 500,
    recommendedMinShortEdge: 1500,
    maxPixels: 64_000_000,
    maxBytes: 16 * MB,
    colorSpace: 'srgb',
    embedSrgbProfile: true,
    background: 'white-recommended',
    quality: 88,
    minQuality: 70,
    forbidden: ['watermarks', 'promotional text', 'logos', 'borders'],
    notes: '>= 500x500 (enforced from 31 Jan 2027), >= 1500x1500 recommended, <= 64 MP, <= 16 MB; the file extension must match the real format.',
  },
  meta: {
    id: 'meta',
    label: 'Meta shops (Facebook, Instagram)',
    format: 'jpeg',
    acceptedFormats: ['jpeg', 'png'],
    fit: { mode: 'pad', width: 1080, height: 1080 },
    aspect: 1,
    minLongEdge: 500,
    recommendedMinLongEdge: 1024,
    maxBytes: 8 * MB,
    colorSpace: 'srgb',
    embedSrgbProfile: true,
    background: 'white-recommended',
    quality: 88,
    minQuality: 70,
    forbidden: ['text', 'calls to action', 'watermarks'],
    notes: '>= 1024x1024 square recommended; JPEG/PNG, sRGB [U]; white background recommended.',
  },
  pinterest: {
    id: 'pinterest',
    label: 'Pinterest product pin',
    format: 'jpeg',
    acceptedFormats: ['jpeg', 'png'],
    fit: { mode: 'pad', width: 1000, height: 1500 },
    aspect: 2 / 3,
    recommendedMinLongEdge: 1500,
    maxBytes: 20 * MB,
    colorSpace: 'srgb',
    embedSrgbProfile: true,
    background: 'any',
    quality: 88,
    minQuality: 70,
    forbidden: ['watermarks [U]'],
    notes: '1000x1500 (2:3), PNG or JPEG.',
  },
  email: {
    id: 'email',
    label: 'Email (600 px template, 2x)',
    format: 'jpeg',
    acceptedFormats: ['jpeg', 'png', 'gif'],
    fit: { mode: 'width', size: 1200 },
    minLongEdge: 600,
    maxWidth: 1200,
    maxBytes: 1 * MB,
    colorSpace: 'srgb',
    embedSrgbProfile: true,
    background: 'any',
    quality: 85,
    minQuality: 60,
    forbidden: ['WebP', 'AVIF'],
    notes: '<= 600 px template width, uploaded at 2x (1200 px); <= 1 MB; JPG/PNG/GIF only (no WebP/AVIF).',
  },
};

export interface ChannelOptions {
  /** Padding / flatten colour where the channel allows one ('#rrggbb'); default: white for
   *  white-recommended channels, the photo's own border colour for the others. Amazon main is always white. */
  background?: string | Rgb;
  concurrency?: number;
  /** XMP every channel file carries; by default the input file's own (its DigitalSourceType label). */
  xmp?: string;
  /** Where to keep the frame when a fixed-aspect channel crops (percent); default: the product's centre. */
  focalPoint?: FocalPoint | null;
  /** Also return a small JPEG of each file (long side in px) for an on-screen preview. */
  previewEdge?: number;
}

export type { ChannelFraming } from '../../../shared/contracts/channel-preview';

export interface ChannelOutput extends EncodedImage {
  channel: ChannelId;
  /** File extension matching the real format (no dot). */
  extension: string;
  quality: number;
  /** True when the source was smaller than the channel's minimum and had to be enlarged. */
  upscaled: boolean;
  /** Product long side / frame long side when the product was framed (Amazon main). */
  fill?: number;
  /** False when a rule could not be met (e.g. still above the size cap at the minimum size). */
  meetsRules: boolean;
  notes: string[];
  framing: ChannelFraming;
  /** The source's size, to tell an enlargement from a reduction. */
  source: { width: number; height: number };
  /** Colour the product stands on in this file; absent when it stands in a scene (no plain backdrop). */
  backdrop?: Rgb;
  /** Small JPEG of the file when asked for (ChannelOptions.previewEdge). */
  preview?: Buffer;
}

export interface ChannelGeometry {
  /** Source region (source pixels). */
  region: Region;
  /** Size of the region after scaling. */
  contentWidth: number;
  contentHeight: number;
  /** Final canvas (content centred, padded). */
  width: number;
  height: number;
  upscaled: boolean;
  fill?: number;
  framing: ChannelFraming;
  /** Why a fixed-aspect frame was padded instead of cropped. */
  padReason?: 'product-too-wide' | 'product-too-tall';
}

function presetOf(id: ChannelId): ChannelPreset {
  const p = CHANNEL_PRESETS[id];
  if (!p) throw new RangeError(`Unknown channel "${id}". Known: ${CHANNEL_IDS.join(', ')}.`);
  return p;
}

/** Aspects closer than this (1%) count as the same frame: no crop, no visible band. */
const SAME_ASPECT = 0.01;


/**
 * Whether a product box says where the product is. A box from edge to edge of the frame (a scene, a
 * model: everything differs from the border) says where the picture is, not the product.
 */
function isolated(box: ProductBox, srcW: number, srcH: number): boolean {
  if (box.method === 'frame') return false;
  const spansX = box.x <= 1 && box.x + box.width >= srcW - 1;
  const spansY = box.y <= 1 && box.y + box.height >= srcH - 1;
  return !spansX && !spansY;
}

/**
 * The largest region of the frame's aspect centred on the focal point (percent) and shifted so the
 * product box stays inside. Null when the product is wider or taller than any such region: cropping
 * would cut it, so the caller pads instead.
 */
export function focalCrop(
  srcW: number,
  srcH: number,
  aspect: number,
  focal: FocalPoint,
  box?: ProductBox
): { region: Region } | { region: null; reason: 'product-too-wide' | 'product-too-tall' } {
  const wide = srcW / srcH > aspect;
  const width = wide ? Math.round(srcH * aspect) : srcW;
  const height = wide ? srcH : Math.round(srcW / aspect);
  const product = box && isolated(box, srcW, srcH) ? box : undefined;
  if (product && product.width > width) return { region: null, reason: 'product-too-wide' };
  if (product && product.height > height) return { region: null, reason: 'product-too-tall' };
  // A little air around the product when the frame has room (the box comes from a 256 px copy).
  let known = product;
  if (product) {
    const m = Math.round(Math.max(product.width, product.height, width, height) * 0.02);
    const x = Math.max(0, product.x - m);
    const y = Math.max(0, product.y - m);
    const roomy = { ...product, x, y, width: Math.min(srcW, product.x + product.width + m) - x, height: Math.min(srcH, product.y + product.height + m) - y };
    if (roomy.width <= width && roomy.height <= height) known = roomy;
  }
  const place = (centre: number, size: number, total: number, lo?: number, extent?: number) => {
    let start = Math.round(centre - size / 2);
    // Keep the product inside first, then the image's own edges (the product is inside those too).
    if (lo !== undefined && extent !== undefined) start = Math.min(Math.max(start, lo + extent - size), lo);
    return Math.min(Math.max(0, start), total - size);
  };
  const left = place((focal.x / 100) * srcW, width, srcW, known?.x, known?.width);
  const top = place((focal.y / 100) * srcH, height, srcH, known?.y, known?.height);
  return { region: { left, top, width, height } };
}

/** Where to crop, how much to scale and how big the canvas is for one channel (pure). */
export function planChannel(preset: ChannelPreset, srcW: number, srcH: number, box?: ProductBox, focal?: FocalPoint | null): ChannelGeometry {
  let region: Region = { left: 0, top: 0, width: srcW, height: srcH };
  let framing: ChannelFraming = 'fit';
  let padReason: ChannelGeometry['padReason'];
  let productLong = 0;
  if (preset.frameProductAt && box && box.method !== 'frame') {
    productLong = Math.max(box.width, box.height);
    const bg = box.background;
    if (box.method === 'alpha' || (bg && Math.min(bg.r, bg.g, bg.b) >= 245)) {
      // Cut-out or white backdrop: crop to the product (+2% margin so a low-res box never clips a
      // chain end), then pad with white to the frame.
      const m = Math.round(productLong * 0.02);
      const left = Math.max(0, box.x - m);
      const top = Math.max(0, box.y - m);
      region = { left, top, width: Math.min(srcW, box.x + box.width + m) - left, height: Math.min(srcH, box.y + box.height + m) - top };
    } else {
      // Coloured backdrop (marble, grey...): never frame it with white (that would be a border);
      // crop a frame-sized square of the photo itself, so QC reports the background honestly.
      const side = productLong / preset.frameProductAt;
      const rw = Math.round(Math.min(srcW, side));
      const rh = Math.round(Math.min(srcH, side));
      const cx = box.x + box.width / 2;
      const cy = box.y + box.height / 2;
      const left = Math.round(Math.min(Math.max(0, cx - rw / 2), srcW - rw));
      const top = Math.round(Math.min(Math.max(0, cy - rh / 2), srcH - rh));
      region = { left, top, width: rw, height: rh };
    }
  }
  const fit = preset.fit;
  if (fit.mode === 'pad' && !productLong) {
    const aspect = fit.width / fit.height;
    if (Math.abs(srcW / srcH / aspect - 1) > SAME_ASPECT) {
      // Bands around a lifestyle shot look like a mistake on a storefront: fill the frame around the
      // focal point. Amazon main never gets here (it frames the whole product on white above).
      const centre = focal ?? (box && box.method !== 'frame' ? focalPointOf(box, srcW, srcH) : { x: 50, y: 50 });
      const crop = focalCrop(srcW, srcH, aspect, centre, box);
      if (crop.region) {
        region = crop.region;
        framing = 'crop';
      } else {
        padReason = crop.reason;
      }
    }
  }
  const rw = region.width;
  const rh = region.height;
  let scale: number;
  let canvasW: number;
  let canvasH: number;
  if (fit.mode === 'pad') {
    scale = productLong ? (preset.frameProductAt! * Math.min(fit.width, fit.height)) / productLong : Math.min(fit.width / rw, fit.height / rh);
    scale = Math.min(scale, fit.width / rw, fit.height / rh);
    canvasW = fit.width;
    canvasH = fit.height;
  } else {
    scale = fit.mode === 'long-edge' ? fit.size / Math.max(rw, rh) : fit.mode === 'short-edge' ? fit.size / Math.min(rw, rh) : fit.size / rw;
    canvasW = rw * scale;
    canvasH = rh * scale;
  }
  // Never enlarge beyond what the channel's hard/recommended minimum needs.
  if (scale > 1) {
    const long = Math.max(canvasW, canvasH);
    const short = Math.min(canvasW, canvasH);
    const needs = [1 / scale];
    const minLong = Math.max(preset.minLongEdge ?? 0, preset.recommendedMinLongEdge ?? 0);
    const minShort = preset.minShortEdge ?? 0;
    if (minLong) needs.push(minLong / long);
    if (minShort) needs.push(minShort / short);
    if (fit.mode === 'width') needs.push((preset.minLongEdge ?? 0) / canvasW);
    const k = Math.min(1, Math.max(...needs));
    scale *= k;
    canvasW *= k;
    canvasH *= k;
  }
  const width = Math.max(1, Math.round(canvasW));
  const height = Math.max(1, Math.round(canvasH));
  // A crop already has the frame's aspect: fill the canvas exactly (rounding must not leave a 1 px band).
  const contentWidth = framing === 'crop' ? width : Math.max(1, Math.min(width, Math.round(rw * scale)));
  const contentHeight = framing === 'crop' ? height : Math.max(1, Math.min(height, Math.round(rh * scale)));
  if (framing !== 'crop' && (contentWidth < width || contentHeight < height)) framing = 'pad';
  const geometry: ChannelGeometry = { region, contentWidth, contentHeight, width, height, upscaled: scale > 1.0001, framing };
  if (padReason) geometry.padReason = padReason;
  if (productLong) geometry.fill = Math.round(((productLong * scale) / Math.max(width, height)) * 1000) / 1000;
  return geometry;
}

/** One file per channel, each meeting its channel's rules (decodes the source once). */
export async function channelRenditions(input: ImageInput, channels: readonly ChannelId[] = CHANNEL_IDS, opts: ChannelOptions = {}): Promise<ChannelOutput[]> {
  const img = await decodeOnce(input);
  const limit = createLimiter(opts.concurrency ?? defaultPipelineConcurrency());
  if (opts.xmp === undefined && Buffer.isBuffer(input)) opts = { ...opts, xmp: labelXmpOf(await xmpOf(input)) };
  const needsBox = channels.some((c) => presetOf(c).frameProductAt || presetOf(c).background === 'any' || presetOf(c).fit.mode === 'pad');
  const box = needsBox ? await productBox(img) : undefined;
  return renderChannels(img, channels, opts, limit, box);
}

/** @internal shared with deliveryPack. */
export async function renderChannels(img: DecodedImage, channels: readonly ChannelId[], opts: ChannelOptions, limit: Limiter, box?: ProductBox): Promise<ChannelOutput[]> {
  const alpha = hasTransparency(img);
  // One limiter slot per channel (encode, and its canvas + quality steps when over the cap).
  return Promise.all(channels.map((id) => limit(() => renderChannel(img, presetOf(id), opts, alpha, box))));
}

function backgroundFor(preset: ChannelPreset, opts: ChannelOptions, alpha: boolean, box?: ProductBox): Rgb {
  const white = { r: 255, g: 255, b: 255 };
  if (preset.background === 'white-required') return white;
  if (opts.background) return parseColor(opts.background);
  if (preset.background === 'white-recommended' || alpha || !box?.background) return white;
  return box.background;
}

async function renderChannel(img: DecodedImage, preset: ChannelPreset, opts: ChannelOptions, alpha: boolean, box?: ProductBox): Promise<ChannelOutput> {
  const g = planChannel(preset, img.width, img.height, box, opts.focalPoint);
  const bg = backgroundFor(preset, opts, alpha, box);
  const notes: string[] = [];
  if (g.upscaled) notes.push(`The source is smaller than ${preset.label} needs; it was enlarged to ${g.width}x${g.height}.`);
  if (g.padReason) {
    const side = g.padReason === 'product-too-wide' ? 'wider' : 'taller';
    notes.push(`The product is ${side} than a ${g.width}x${g.height} crop of this photo allows; padded instead of cropped so the product is not cut.`);
  }
  const cap = preset.recommendedMaxBytes ?? preset.maxBytes ?? Infinity;
  let quality = preset.quality;
  // First attempt straight from the source (crop, scale, pad, encode in one pipeline): no raw canvas
  // is materialized, which is most of a channel's memory (a 2000x2000 canvas is 12 MB that only GC
  // would give back). Only when the file is over its cap is the canvas rendered once to raw, so that
  // the quality steps re-encode it instead of re-running the resize. Same pixels either way.
  let buffer: Buffer = await applyEncoder(canvasPipeline(img, g, bg), { format: preset.format, quality, srgbProfile: preset.embedSrgbProfile, xmp: opts.xmp }).toBuffer();
  let width = g.width;
  let height = g.height;
  let canvas: DecodedImage | undefined;
  if (buffer.length > cap) {
    canvas = await renderCanvas(img, g, bg);
    while (buffer.length > cap && quality > preset.minQuality) {
      // Bytes fall roughly 10-15% per 5 quality points in the 60-90 range: step 5, or 10 when far above.
      quality = Math.max(preset.minQuality, quality - (buffer.length > cap * 1.5 ? 10 : 5));
      buffer = await encodeCanvas(canvas, preset, quality, opts.xmp);
    }
  }
  let meetsRules = true;
  while (canvas && buffer.length > cap) {
    const minLong = Math.max(preset.minLongEdge ?? 0, preset.recommendedMinLongEdge ?? 0);
    const next = { w: Math.round(canvas.width * 0.85), h: Math.round(canvas.height * 0.85) };
    if (Math.max(next.w, next.h) < minLong || Math.min(next.w, next.h) < (preset.minShortEdge ?? 0)) {
      meetsRules = false;
      notes.push(`Still ${buffer.length} bytes at quality ${quality} and the smallest allowed size; the cap is ${cap} bytes.`);
      break;
    }
    const c = canvas;
    const { data, info } = await fromRaw(c).resize(next.w, next.h, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    canvas = { data, width: info.width, height: info.height, channels: info.channels as 3 | 4 };
    width = canvas.width;
    height = canvas.height;
    notes.push(`Reduced to ${canvas.width}x${canvas.height} to stay under ${(cap / MB).toFixed(0)} MB.`);
    buffer = await encodeCanvas(canvas, preset, quality, opts.xmp);
  }
  if (quality < preset.quality) notes.push(`JPEG quality lowered to ${quality} to stay under ${(cap / MB).toFixed(cap < MB ? 1 : 0)} MB.`);
  const out: ChannelOutput = {
    channel: preset.id,
    buffer,
    width,
    height,
    format: preset.format,
    mime: mimeFor(preset.format),
    bytes: buffer.length,
    extension: fileExtensionFor(preset.format),
    quality,
    upscaled: g.upscaled,
    meetsRules,
    notes,
    framing: g.framing,
    source: { width: img.width, height: img.height },
  };
  if (g.fill !== undefined) out.fill = g.fill;
  const backdrop = alpha ? bg : box && box.method !== 'frame' ? box.background : undefined;
  if (backdrop) out.backdrop = backdrop;
  if (opts.previewEdge) {
    out.preview = await sharp(buffer).resize(opts.previewEdge, opts.previewEdge, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
  }
  return out;
}

/** The channel canvas as a sharp pipeline: crop, scale, flatten, pad, RGB (nothing run yet). */
function canvasPipeline(img: DecodedImage, g: ChannelGeometry, bg: Rgb): Sharp {
  let p = fromRaw(img);
  const r = g.region;
  if (r.left || r.top || r.width !== img.width || r.height !== img.height) p = p.extract(r);
  p = p.resize(g.contentWidth, g.contentHeight, { fit: 'fill', kernel: 'lanczos3' });
  if (img.channels === 4) p = p.flatten({ background: bg });
  const padX = g.width - g.contentWidth;
  const padY = g.height - g.contentHeight;
  if (padX > 0 || padY > 0) {
    const left = Math.floor(padX / 2);
    const top = Math.floor(padY / 2);
    p = p.extend({ left, right: padX - left, top, bottom: padY - top, background: { ...bg, alpha: 1 } });
  }
  return p.removeAlpha();
}

/** Crop, scale, flatten and pad to the channel canvas; raw RGB out. */
export async function renderCanvas(img: DecodedImage, g: ChannelGeometry, bg: Rgb): Promise<DecodedImage> {
  const { data, info } = await canvasPipeline(img, g, bg).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels as 3 | 4 };
}

function encodeCanvas(canvas: DecodedImage, preset: ChannelPreset, quality: number, xmp?: string): Promise<Buffer> {
  return applyEncoder(fromRaw(canvas), { format: preset.format, quality, srgbProfile: preset.embedSrgbProfile, xmp }).toBuffer();
}

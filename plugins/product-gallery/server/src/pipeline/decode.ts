/**
 * Decode-once helpers for the delivery half of the pipeline.
 *
 * A delivery pack needs ~25 outputs from one source. Decoding a 3000x3000 JPEG costs about as much
 * as resizing + encoding one small output, so we decode exactly once to raw 8-bit sRGB pixels
 * (`decodeOnce`) and fan out one sharp pipeline per output from that buffer (`fromRaw`). sharp
 * reads raw input straight from the Buffer (no copy), so N concurrent pipelines share one decoded
 * image in memory.
 */
import sharp, { type Sharp } from 'sharp';

/** Raw, 8-bit, sRGB, interleaved, row-major pixels (3 = RGB, 4 = RGBA with straight alpha). */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** Anything the delivery functions accept: encoded bytes (JPEG, PNG, WebP, AVIF, TIFF...) or raw pixels
 *  (e.g. the `working` copy returned by `intake`). */
export type ImageInput = Buffer | Uint8Array | DecodedImage;

export interface DecodeOptions {
  /** Passed to sharp's limitInputPixels (default 50 MP, the intake limit). */
  maxPixels?: number;
}

export function isDecodedImage(x: unknown): x is DecodedImage {
  const d = x as DecodedImage | null;
  return !!d && typeof d === 'object' && !ArrayBuffer.isView(d) && ArrayBuffer.isView(d.data) && Object.prototype.toString.call(d.data) === '[object Uint8Array]'
    && Number.isInteger(d.width) && Number.isInteger(d.height) && (d.channels === 3 || d.channels === 4)
    && d.data.length === d.width * d.height * d.channels;
}

export function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/**
 * Decode encoded bytes once: EXIF orientation applied, converted to sRGB (CMYK and wide-gamut
 * profiles included), 8 bits per sample, alpha kept only when the source has it.
 * A DecodedImage passes through unchanged.
 */
export async function decodeOnce(input: ImageInput, opts: DecodeOptions = {}): Promise<DecodedImage> {
  if (isDecodedImage(input)) return input;
  const buf = asBuffer(input);
  const { data, info } = await sharp(buf, { limitInputPixels: opts.maxPixels ?? 50_000_000, failOn: 'truncated', pages: 1 })
    .rotate()
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  let channels = info.channels;
  let pixels: Buffer = data;
  if (channels !== 3 && channels !== 4) {
    // Grey (+alpha) sources: expand to RGB(A) so every consumer sees 3 or 4 channels.
    const out = await sharp(data, { raw: { width: info.width, height: info.height, channels } })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    pixels = out.data;
    channels = out.info.channels;
  }
  return { data: pixels, width: info.width, height: info.height, channels: channels as 3 | 4 };
}

/** A fresh sharp pipeline reading the decoded pixels (no decode, no copy). */
export function fromRaw(img: DecodedImage): Sharp {
  return sharp(asBuffer(img.data), { raw: { width: img.width, height: img.height, channels: img.channels } });
}

/** True when the image has an alpha channel with at least one pixel that is not fully opaque. */
const transparencyCache = new WeakMap<Uint8Array, boolean>();
export function hasTransparency(img: DecodedImage): boolean {
  if (img.channels !== 4) return false;
  const cached = transparencyCache.get(img.data);
  if (cached !== undefined) return cached;
  const d = img.data;
  let found = false;
  for (let i = 3; i < d.length; i += 4) {
    if (d[i] !== 255) {
      found = true;
      break;
    }
  }
  transparencyCache.set(img.data, found);
  return found;
}

export type Rgb = { r: number; g: number; b: number };

/** '#fff', '#ffffff', 'white' or {r,g,b} -> {r,g,b}. */
export function parseColor(c: string | Rgb | undefined, fallback: Rgb = { r: 255, g: 255, b: 255 }): Rgb {
  if (!c) return fallback;
  if (typeof c === 'object') return { r: c.r, g: c.g, b: c.b };
  const s = c.trim().toLowerCase();
  if (s === 'white') return { r: 255, g: 255, b: 255 };
  if (s === 'black') return { r: 0, g: 0, b: 0 };
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/.exec(s);
  if (!m) throw new Error(`Unrecognized colour "${c}": use #rrggbb.`);
  const hex = m[1].length === 3 ? m[1].split('').map((ch) => ch + ch).join('') : m[1];
  return { r: parseInt(hex.slice(0, 2), 16), g: parseInt(hex.slice(2, 4), 16), b: parseInt(hex.slice(4, 6), 16) };
}

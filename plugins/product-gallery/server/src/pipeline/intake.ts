/**
 * Intake of a source photo: sniff the real format from the bytes, refuse anything that is not a
 * raster photo (or is a polyglot), enforce size limits, decode fully, normalize to an 8-bit sRGB
 * RGBA working copy with EXIF orientation applied. The original bytes are never modified.
 */
import { createHash } from 'crypto';
import zlib from 'node:zlib';
import sharp, { type Metadata } from 'sharp';
import FileType from 'file-type';
import { PipelineError } from './errors';
import type { RawImage } from './raw-image';

export const INTAKE_DEFAULTS = {
  /** 25 MB */
  maxBytes: 25 * 1024 * 1024,
  /** 50 megapixels, passed to sharp's limitInputPixels */
  maxPixels: 50_000_000,
  /** shortest side after orientation */
  minShortSide: 500,
} as const;

export interface IntakeOptions {
  maxBytes?: number;
  maxPixels?: number;
  minShortSide?: number;
}

export type IntakeFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'tiff' | 'heic';

export interface PipelineWarning {
  code: string;
  message: string;
}

export interface IntakeResult {
  format: IntakeFormat;
  mime: string;
  /** Size after EXIF orientation is applied (= working.width/height). */
  width: number;
  height: number;
  /** Whether the source has an alpha channel with at least one non-opaque pixel. */
  hasAlpha: boolean;
  /** sha256 (hex) of the original bytes, exactly as uploaded. */
  sha256: string;
  bytes: number;
  /** Source colour space as reported by the decoder (e.g. 'srgb', 'cmyk', 'rgb16', 'b-w'). */
  sourceSpace: string;
  /** Source bit depth per sample (8 or 16). */
  sourceBitDepth: number;
  /** Working copy: raw 8-bit sRGB RGBA, orientation applied, alpha kept (255 when the source has none). */
  working: RawImage;
  warnings: PipelineWarning[];
}

const ACCEPTED: Record<string, { format: IntakeFormat; label: string; mime: string }> = {
  jpg: { format: 'jpeg', label: 'JPEG', mime: 'image/jpeg' },
  png: { format: 'png', label: 'PNG', mime: 'image/png' },
  webp: { format: 'webp', label: 'WebP', mime: 'image/webp' },
  avif: { format: 'avif', label: 'AVIF', mime: 'image/avif' },
  tif: { format: 'tiff', label: 'TIFF', mime: 'image/tiff' },
  heic: { format: 'heic', label: 'HEIC', mime: 'image/heic' },
};

/** The file types intake takes, for a form that warns before uploading something it would refuse. */
export const ACCEPTED_TYPES = Object.values(ACCEPTED).map(({ label, mime }) => ({ label, mime }));

const UPLOAD_HINT = 'Upload a JPEG, PNG, WebP, AVIF, TIFF or HEIC photo.';

function unsupported(what: string, details?: Record<string, unknown>): PipelineError {
  return new PipelineError('unsupported_format', `The file is ${what}, not a photo. ${UPLOAD_HINT}`, details);
}

const ARCHIVES = new Set(['zip', 'rar', '7z', 'gz', 'bz2', 'xz', 'tar', 'cab', 'zst', 'lz', 'lzh', 'ar', 'rpm', 'deb', 'Z', 'dmg', 'epub', 'docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'jar', 'apk', 'xpi', 'crx']);
const VIDEO_AUDIO = /^(video|audio)\//;

function describeDetected(ext: string, mime: string): string {
  if (ext === 'pdf') return 'a PDF document';
  if (ext === 'xml') return 'an XML document';
  if (ARCHIVES.has(ext)) return `an archive (${ext.toUpperCase()})`;
  if (VIDEO_AUDIO.test(mime)) return `a ${mime.startsWith('video') ? 'video' : 'sound'} file (${ext.toUpperCase()})`;
  if (ext === 'apng') return 'an animated PNG (APNG), a format this gallery does not take';
  if (mime.startsWith('image/')) return `${/^[aeiou]/.test(ext) ? 'an' : 'a'} ${ext.toUpperCase()} image, a format this gallery does not take`;
  if (ext === 'exe' || ext === 'elf' || ext === 'mach' || ext === 'wasm') return 'a program';
  return `a ${ext.toUpperCase()} file (${mime})`;
}

// ---- text / markup sniffing (file-type does not detect text formats) ----

const TEXT_MARKERS: Array<{ re: RegExp; what: string }> = [
  { re: /<svg[\s>]/i, what: 'an SVG drawing' },
  { re: /<!doctype\s+html|<html[\s>]|<script[\s>]|<iframe[\s>]|<body[\s>]|<object[\s>]|<embed[\s>]/i, what: 'a web page (HTML/script)' },
  { re: /<\?php/i, what: 'a PHP script' },
  { re: /%PDF-\d/, what: 'a PDF document' },
];

function sniffText(head: string): string | null {
  const t = head.replace(/^\uFEFF/, '').trimStart();
  if (/^<\?xml/i.test(t) || /^<svg/i.test(t)) return /<svg[\s>]/i.test(head) ? 'an SVG drawing' : 'an XML document';
  for (const m of TEXT_MARKERS) if (m.re.test(t.slice(0, 64)) || (t.startsWith('<') && m.re.test(t))) return m.what;
  if (/^[{[]/.test(t)) return 'a text (JSON) file';
  // Mostly printable ASCII/UTF-8 in the first bytes: plain text.
  let printable = 0;
  const n = Math.min(head.length, 512);
  for (let i = 0; i < n; i++) {
    const c = head.charCodeAt(i);
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c > 159) printable++;
  }
  if (n > 0 && printable / n > 0.97) return 'a text file';
  return null;
}

/** Byte offset just past the end of the image data (JPEG EOI, PNG IEND, RIFF size), or -1 if unknown. */
function imageEnd(buf: Buffer, format: IntakeFormat): number {
  try {
    if (format === 'png') {
      let p = 8;
      while (p + 12 <= buf.length) {
        const len = buf.readUInt32BE(p);
        const type = buf.toString('latin1', p + 4, p + 8);
        p += 12 + len;
        if (type === 'IEND') return p;
      }
      return -1;
    }
    if (format === 'webp') {
      return Math.min(buf.length, 8 + buf.readUInt32LE(4) + (buf.readUInt32LE(4) & 1));
    }
    if (format === 'jpeg') {
      let p = 2;
      while (p + 4 <= buf.length) {
        if (buf[p] !== 0xff) return -1;
        const m = buf[p + 1];
        if (m === 0xff) { p++; continue; }
        if (m === 0xd9) return p + 2;
        if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) { p += 2; continue; }
        const len = buf.readUInt16BE(p + 2);
        p += 2 + len;
        if (m === 0xda) {
          // entropy-coded data: runs until a marker that is not a stuffed byte or a restart marker
          while (p + 1 < buf.length) {
            if (buf[p] === 0xff && buf[p + 1] !== 0x00 && !(buf[p + 1] >= 0xd0 && buf[p + 1] <= 0xd7)) break;
            p++;
          }
        }
      }
      return -1;
    }
  } catch {
    return -1;
  }
  return -1;
}

/**
 * True when every PNG chunk's CRC matches its bytes. libspng decodes past a wrong checksum, but
 * browsers refuse the file: stored as it is, it would be a broken image on the product page.
 */
function pngChecksumsMatch(buf: Buffer): boolean {
  for (let p = 8; p + 12 <= buf.length; ) {
    const len = buf.readUInt32BE(p);
    if (p + 12 + len > buf.length) return true; // truncated: the decoder says so in its own words
    if ((zlib.crc32(buf.subarray(p + 4, p + 8 + len)) >>> 0) !== buf.readUInt32BE(p + 8 + len)) return false;
    if (buf.toString('latin1', p + 4, p + 8) === 'IEND') return true;
    p += 12 + len;
  }
  return true;
}

/**
 * How many bytes follow the image data (a second file appended to a photo), 0 when none or when
 * the end cannot be found. Whoever stores an upload re-encodes it when this is not 0, so a tail
 * intake let through (camera data, or a payload no sniffer knows) is never stored or served.
 */
export function trailingBytes(buf: Buffer, format: string | undefined): number {
  if (format !== 'png' && format !== 'webp' && format !== 'jpeg') return 0;
  const end = imageEnd(buf, format);
  return end > 0 && end < buf.length ? buf.length - end : 0;
}

function isZipEocdNearEnd(buf: Buffer): boolean {
  const start = Math.max(0, buf.length - 65557);
  for (let i = buf.length - 22; i >= start; i--) {
    if (buf[i] === 0x50 && buf[i + 1] === 0x4b && buf[i + 2] === 0x05 && buf[i + 3] === 0x06) {
      const commentLen = buf.readUInt16LE(i + 20);
      if (i + 22 + commentLen === buf.length) return true;
    }
  }
  return false;
}

function hasZipLocalHeader(buf: Buffer, from: number): boolean {
  let i = buf.indexOf('PK\x03\x04', from, 'latin1');
  while (i >= 0 && i + 30 <= buf.length) {
    const version = buf.readUInt16LE(i + 4);
    const method = buf.readUInt16LE(i + 8);
    const nameLen = buf.readUInt16LE(i + 26);
    if (version <= 63 && (method === 0 || method === 8 || method === 12 || method === 14 || method === 93) && nameLen > 0 && nameLen < 1024) return true;
    i = buf.indexOf('PK\x03\x04', i + 1, 'latin1');
  }
  return false;
}

const EMBEDDED_MARKUP = /<script[\s>]|<html[\s>]|<!doctype\s+html|<svg[\s>]|<iframe[\s>]|<\?php|<body[\s>]|javascript:|%PDF-\d/i;

/** Refuse polyglots: an image whose bytes also carry an archive, a document or markup/script. */
async function checkPolyglot(buf: Buffer, format: IntakeFormat, warnings: PipelineWarning[]): Promise<void> {
  if (isZipEocdNearEnd(buf) || hasZipLocalHeader(buf, 0)) {
    throw new PipelineError('unsupported_format', `The file starts like a photo but also contains a ZIP archive, so it was refused for safety. ${UPLOAD_HINT.replace('Upload', 'Upload a plain')}`, { reason: 'polyglot', payload: 'zip' });
  }
  // Markup anywhere in the file (metadata included): legitimate photos never carry script or HTML.
  const latin = buf.toString('latin1');
  const m = EMBEDDED_MARKUP.exec(latin);
  if (m) {
    throw new PipelineError('unsupported_format', `The file starts like a photo but also contains web-page or script content ("${m[0].trim()}"), so it was refused for safety. ${UPLOAD_HINT}`, { reason: 'polyglot', payload: 'markup', offset: m.index });
  }
  const end = imageEnd(buf, format);
  if (end > 0 && end < buf.length) {
    const trailer = buf.subarray(end);
    let padding = true;
    for (let i = 0; i < trailer.length; i++) if (trailer[i] !== 0 && trailer[i] !== 0xff && trailer[i] !== 0x0a && trailer[i] !== 0x0d) { padding = false; break; }
    if (padding) return;
    const ft = trailer.length >= 4 ? await FileType.fromBuffer(trailer) : undefined;
    if (ft && !ACCEPTED[ft.ext]) {
      throw new PipelineError('unsupported_format', `The file starts like a photo but carries ${describeDetected(ft.ext, ft.mime)} after the image data, so it was refused for safety. ${UPLOAD_HINT}`, { reason: 'polyglot', payload: ft.ext });
    }
    warnings.push({ code: 'trailing_data', message: `The file has ${trailer.length} bytes of extra data after the image (camera metadata or a second picture); it was ignored.` });
  }
}

export async function sniffFormat(bytes: Buffer): Promise<{ format: IntakeFormat; mime: string; label: string }> {
  const ft = await FileType.fromBuffer(bytes);
  if (!ft) {
    const what = sniffText(bytes.toString('utf8', 0, Math.min(bytes.length, 4096)));
    throw unsupported(what ?? 'not a recognizable image', { detected: null });
  }
  const accepted = ACCEPTED[ft.ext];
  if (!accepted) {
    if (ft.ext === 'xml') {
      const what = sniffText(bytes.toString('utf8', 0, Math.min(bytes.length, 4096)));
      throw unsupported(what ?? 'an XML document', { detected: ft.ext });
    }
    throw unsupported(describeDetected(ft.ext, ft.mime), { detected: ft.ext, mime: ft.mime });
  }
  return { format: accepted.format, mime: ft.mime, label: accepted.label };
}

/**
 * The refusal for an image whose header says it decodes to more than `maxPixels` (a pixel flood:
 * a few KB that would take gigabytes once decoded), or null. Decided before any pixel is decoded.
 */
export function tooManyPixels(width: number, height: number, maxPixels: number): PipelineError | null {
  if (width * height <= maxPixels) return null;
  return new PipelineError('too_many_pixels', `The photo is ${width}×${height} (${(width * height / 1e6).toFixed(1)} megapixels); the limit is ${(maxPixels / 1e6).toFixed(0)} megapixels. Resize it and upload it again.`, { width, height, maxPixels });
}

function mb(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(n >= 10 * 1024 * 1024 ? 0 : 1)} MB`;
}

/** The refusal of a file over the byte limit (also said of an upload measured before it is read). */
export const tooManyBytes = (bytes: number, maxBytes: number) =>
  new PipelineError('too_many_bytes', `The file is ${mb(bytes)}; the limit is ${mb(maxBytes)}. Export the photo at a lower quality or size and upload it again.`, { bytes, maxBytes });

/**
 * Validate and normalize one uploaded photo.
 * Throws PipelineError: 413 too_many_bytes / too_many_pixels, 415 unsupported_format,
 * 422 corrupt / blank / transparent / too_small.
 */
export async function intake(bytes: Buffer | Uint8Array, options: IntakeOptions = {}): Promise<IntakeResult> {
  const maxBytes = options.maxBytes ?? INTAKE_DEFAULTS.maxBytes;
  const maxPixels = options.maxPixels ?? INTAKE_DEFAULTS.maxPixels;
  const minShortSide = options.minShortSide ?? INTAKE_DEFAULTS.minShortSide;
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const warnings: PipelineWarning[] = [];

  if (buf.length === 0) throw new PipelineError('corrupt', 'The file is empty. Upload the photo again.');
  if (buf.length > maxBytes) throw tooManyBytes(buf.length, maxBytes);

  const { format, mime, label } = await sniffFormat(buf);
  await checkPolyglot(buf, format, warnings);
  if (format === 'png' && !pngChecksumsMatch(buf)) {
    throw new PipelineError('corrupt', `The ${label} file is damaged: a checksum inside it does not match its data, so browsers would not show it. Export the photo again and re-upload it.`);
  }
  const sha256 = createHash('sha256').update(buf).digest('hex');

  let meta: Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw decodeError(err, label, format);
  }
  const rawW = meta.width ?? 0;
  const rawH = meta.height ?? 0;
  if (!rawW || !rawH) throw new PipelineError('corrupt', `The ${label} file is damaged: its size cannot be read. Export the photo again and re-upload it.`);
  const flood = tooManyPixels(rawW, rawH, maxPixels);
  if (flood) throw flood;
  const swap = (meta.orientation ?? 1) >= 5;
  const width = swap ? rawH : rawW;
  const height = swap ? rawW : rawH;
  if (Math.min(width, height) < minShortSide) {
    throw new PipelineError('too_small', `The photo is only ${width}×${height} pixels; its shorter side must be at least ${minShortSide} px for a product page. Upload the original, larger photo.`, { width, height, minShortSide });
  }

  let working: RawImage;
  try {
    const { data, info } = await sharp(buf, { limitInputPixels: maxPixels, failOn: 'truncated', pages: 1 })
      .rotate()
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4 || data.length !== info.width * info.height * 4) {
      throw new Error(`unexpected decoder output ${info.width}x${info.height}x${info.channels}`);
    }
    working = { data, width: info.width, height: info.height, channels: 4 };
  } catch (err) {
    throw decodeError(err, label, format);
  }

  if ((meta.orientation ?? 1) !== 1) warnings.push({ code: 'orientation_applied', message: 'The camera rotation (EXIF orientation) was applied.' });
  const space = String(meta.space ?? 'srgb');
  if (space === 'cmyk') warnings.push({ code: 'cmyk_converted', message: 'The photo was in CMYK (print colours); it was converted to sRGB for screens.' });
  const depth = meta.depth === 'ushort' ? 16 : meta.depth === 'uchar' || meta.depth === undefined ? 8 : 16;
  if (depth > 8) warnings.push({ code: 'reduced_to_8_bit', message: 'The photo had 16 bits per channel; it was reduced to 8 bits.' });
  if ((meta.pages ?? 1) > 1) warnings.push({ code: 'first_frame_only', message: 'The file holds several frames or pages; only the first was used.' });
  if (meta.icc && space !== 'cmyk') warnings.push({ code: 'icc_converted', message: 'The photo carried a colour profile; colours were converted to sRGB.' });

  const content = inspectContent(working, meta.hasAlpha === true);
  if (content.transparent) {
    throw new PipelineError('transparent', 'The image is fully transparent: there is nothing to see. Upload a photo of the product.', { opaqueFraction: content.opaqueFraction });
  }
  if (content.blank) {
    throw new PipelineError('blank', 'The image is a single flat colour with no product in it. Upload a photo of the product.', { spread: content.spread });
  }
  if (content.hasAlpha && content.opaqueFraction < 0.05) {
    warnings.push({ code: 'mostly_transparent', message: `Only ${(content.opaqueFraction * 100).toFixed(1)}% of the image is visible; the rest is transparent.` });
  }
  if (Math.max(width, height) < 1000) {
    warnings.push({ code: 'below_zoom_size', message: `The photo's longest side is ${Math.max(width, height)} px; marketplaces want at least 1000 px for zoom, so generated images will be upscaled.` });
  }

  return {
    format,
    mime,
    width: working.width,
    height: working.height,
    hasAlpha: content.hasAlpha,
    sha256,
    bytes: buf.length,
    sourceSpace: space,
    sourceBitDepth: depth,
    working,
    warnings,
  };
}

function decodeError(err: unknown, label: string, format: IntakeFormat): PipelineError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/pixel limit|exceeds pixel limit/i.test(msg)) {
    return new PipelineError('too_many_pixels', 'The photo has more pixels than this gallery accepts. Resize it and upload it again.', { decoder: msg });
  }
  if (format === 'heic' && /compression format|not supported|no decoder|heif|bad seek/i.test(msg)) {
    return new PipelineError('unsupported_format', `This server cannot decode HEIC photos. Export the photo as JPEG and upload it again.`, { decoder: msg });
  }
  return new PipelineError('corrupt', `The ${label} file is damaged or incomplete (it could not be fully decoded). Export the photo again and re-upload it.`, { decoder: msg.split('\n')[0] });
}

/** Content checks on the working copy: fully transparent, or uniform (blank). Pure, sync. */
export function inspectContent(img: RawImage, declaredAlpha: boolean): { transparent: boolean; blank: boolean; hasAlpha: boolean; opaqueFraction: number; spread: number } {
  const { data, width, height } = img;
  const n = width * height;
  const step = Math.max(1, Math.floor(Math.sqrt(n / 250_000)));
  let opaque = 0, total = 0, anyTransparent = false;
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  for (let y = 0; y < height; y += step) {
    for (let x = 0; x < width; x += step) {
      const p = (y * width + x) * 4;
      total++;
      const a = data[p + 3];
      if (a < 255) anyTransparent = true;
      if (a >= 16) {
        opaque++;
        hist[0][data[p]]++; hist[1][data[p + 1]]++; hist[2][data[p + 2]]++;
      }
    }
  }
  const opaqueFraction = total ? opaque / total : 0;
  const hasAlpha = declaredAlpha && anyTransparent;
  if (opaque === 0) return { transparent: true, blank: false, hasAlpha, opaqueFraction, spread: 0 };
  // Spread: the widest 0.1%..99.9% percentile range over the three channels.
  let spread = 0;
  for (const h of hist) {
    const lo = percentileFromHist(h, opaque, 0.001);
    const hi = percentileFromHist(h, opaque, 0.999);
    spread = Math.max(spread, hi - lo);
  }
  return { transparent: false, blank: spread <= 6, hasAlpha, opaqueFraction, spread };
}

function percentileFromHist(h: Uint32Array, count: number, q: number): number {
  const target = q * count;
  let acc = 0;
  for (let i = 0; i < 256; i++) {
    acc += h[i];
    if (acc > target) return i;
  }
  return 255;
}

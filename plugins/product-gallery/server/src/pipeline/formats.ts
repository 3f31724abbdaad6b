/**
 * Output formats of the delivery pipeline: MIME types, file extensions and the encoder settings
 * shared by storefront renditions and channel files.
 */
import sharp, { type Sharp } from 'sharp';

export type OutputFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif' | 'tiff';

/** One encoded file with what a storefront or marketplace needs to know about it. */
export interface EncodedImage {
  buffer: Buffer;
  width: number;
  height: number;
  format: OutputFormat;
  mime: string;
  bytes: number;
}

const MIME: Record<OutputFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
  tiff: 'image/tiff',
};

const EXTENSION: Record<OutputFormat, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  avif: 'avif',
  gif: 'gif',
  tiff: 'tif',
};

export function mimeFor(format: OutputFormat): string {
  return MIME[format];
}

/** File extension (no dot) matching the real format: Google Merchant rejects a mismatch. */
export function fileExtensionFor(format: OutputFormat | string): string {
  const f = String(format).toLowerCase();
  if (f === 'jpg') return 'jpg';
  if (f === 'heif') return 'avif';
  if (f === 'tif') return 'tif';
  const ext = EXTENSION[f as OutputFormat];
  if (!ext) throw new RangeError(`No file extension for format "${format}".`);
  return ext;
}

/** Normalizes a sharp metadata format name ('jpeg', 'heif' for AVIF, ...) to an OutputFormat. */
export function normalizeFormat(format: string | undefined, compression?: string): OutputFormat | undefined {
  if (!format) return undefined;
  if (format === 'heif') return compression === 'av1' ? 'avif' : undefined;
  if (format === 'jpg') return 'jpeg';
  return (format in MIME ? format : undefined) as OutputFormat | undefined;
}

export interface EncodeSettings {
  format: OutputFormat;
  quality: number;
  /** AVIF / WebP effort (CPU vs bytes). */
  effort?: number;
  /** Embed a compact sRGB ICC profile (channel files: some marketplaces ask for tagged sRGB). */
  srgbProfile?: boolean;
  /** The one metadata an output carries: the XMP packet saying what made it (DigitalSourceType). */
  xmp?: string;
}

/** Apply an output encoder to a pipeline. Metadata (EXIF, GPS, XMP) is never copied to outputs; only the given XMP is written. */
export function applyEncoder(pipeline: Sharp, s: EncodeSettings): Sharp {
  let p = pipeline;
  if (s.srgbProfile) p = p.withIccProfile('srgb');
  if (s.xmp) p = p.withXmp(s.xmp);
  switch (s.format) {
    case 'jpeg':
      return p.jpeg({ quality: s.quality, progressive: true, chromaSubsampling: s.quality >= 90 ? '4:4:4' : '4:2:0' });
    case 'webp':
      return p.webp({ quality: s.quality, effort: s.effort ?? 4, alphaQuality: 90, smartSubsample: true });
    case 'avif':
      return p.avif({ quality: s.quality, effort: s.effort ?? 4 });
    case 'png':
      return p.png({ compressionLevel: 9, effort: s.effort ?? 7, palette: false });
    case 'gif':
      return p.gif();
    case 'tiff':
      return p.tiff({ quality: s.quality });
  }
}

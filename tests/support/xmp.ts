/**
 * Reading back what a file says made it: exifr (a maintained metadata reader) for JPEG and PNG;
 * for WebP and AVIF, which exifr does not read, the XMP packet is found in the container's bytes
 * (both store it uncompressed), never through sharp, the library that wrote it.
 */
import exifr from 'exifr';

export interface ReadLabel {
  digitalSourceType: string | null;
  aiSystem: string | null;
}

const VOCABULARY = 'http://cv.iptc.org/newscodes/digitalsourcetype/';
const strip = (v: unknown) => (typeof v === 'string' && v.startsWith(VOCABULARY) ? v.slice(VOCABULARY.length) : typeof v === 'string' ? v : null);

const isJpeg = (b: Buffer) => b[0] === 0xff && b[1] === 0xd8;
const isPng = (b: Buffer) => b.subarray(1, 4).toString('latin1') === 'PNG';

export async function readLabel(bytes: Buffer): Promise<ReadLabel> {
  if (isJpeg(bytes) || isPng(bytes)) {
    const out = (await exifr.parse(bytes, { xmp: true, mergeOutput: true })) ?? {};
    return { digitalSourceType: strip(out.DigitalSourceType), aiSystem: strip(out.AISystemUsed) };
  }
  const text = bytes.toString('latin1');
  const start = text.indexOf('<x:xmpmeta');
  const end = text.indexOf('</x:xmpmeta>', start);
  if (start < 0 || end < 0) return { digitalSourceType: null, aiSystem: null };
  const packet = text.slice(start, end);
  const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(packet)?.[1] ?? null;
  return { digitalSourceType: strip(attr('Iptc4xmpExt:DigitalSourceType')), aiSystem: attr('Iptc4xmpExt:AISystemUsed') };
}

/** The GPS position and camera fields a file still carries (exifr), if any. */
export async function cameraMetadataOf(bytes: Buffer): Promise<Record<string, unknown>> {
  const out = (await exifr.parse(bytes, { tiff: true, gps: true, exif: true, xmp: false }).catch(() => undefined)) ?? {};
  return Object.fromEntries(Object.entries(out).filter(([k]) => /^(GPS|latitude|longitude|Make|Model)/.test(k)));
}

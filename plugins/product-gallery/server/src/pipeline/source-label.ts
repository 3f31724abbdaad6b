import zlib from 'node:zlib';
import sharp from 'sharp';
import { INTAKE_DEFAULTS, trailingBytes } from './intake';

/**
 * IPTC DigitalSourceType: what made an image, in its own file. Google Merchant Center requires
 * `trainedAlgorithmicMedia` on AI-generated images and disapproves ones stripped of it; the EU AI Act
 * (Article 50) asks for a machine-readable mark on synthetic images.
 */
export const DIGITAL_SOURCE_TYPES = ['trainedAlgorithmicMedia', 'compositeWithTrainedAlgorithmicMedia', 'composite', 'digitalCapture'] as const;
export type DigitalSourceType = (typeof DIGITAL_SOURCE_TYPES)[number];

const VOCABULARY = 'http://cv.iptc.org/newscodes/digitalsourcetype/';

export interface SourceLabel {
  type: DigitalSourceType;
  /** The software that made the file. */
  generator: string;
  /** The AI model, when one was used. */
  model?: string | null;
}

/** True for the types a storefront must show as AI-generated. */
export const isAiGenerated = (type: DigitalSourceType | null | undefined) => type === 'trainedAlgorithmicMedia' || type === 'compositeWithTrainedAlgorithmicMedia';

/**
 * The label an asset's file carries, from how it was made: a Replicate edit of the product photo
 * is the real photo composited with trained algorithmic media (an AI upscale does not change
 * that); the local compositor places the untouched photo on a background or scene (`composite`);
 * a crop of the photo is still the photograph.
 */
export function labelFromProvenance(provenance: Record<string, any> | null | undefined): SourceLabel | null {
  if (!provenance) return null;
  if (provenance.generator === 'replicate') {
    // Every editing model here is given the product photo; one that made an image from text alone
    // would be trainedAlgorithmicMedia.
    const type = provenance.fromPhoto === false ? 'trainedAlgorithmicMedia' : 'compositeWithTrainedAlgorithmicMedia';
    return { type, generator: 'product-gallery', model: provenance.model ?? null };
  }
  if (provenance.generator === 'local') {
    return { type: provenance.method === 'crop' ? 'digitalCapture' : 'composite', generator: 'product-gallery' };
  }
  return null;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The XMP packet of a label (IPTC Extension DigitalSourceType, AI system, creator tool). */
export function xmpPacket(label: SourceLabel): string {
  const tool = label.model ? `${label.generator} (${label.model})` : label.generator;
  const ai = label.model ? `\n      Iptc4xmpExt:AISystemUsed="${escapeXml(label.model)}"` : '';
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
    <rdf:Description rdf:about=""
      xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
      xmlns:xmp="http://ns.adobe.com/xap/1.0/"
      Iptc4xmpExt:DigitalSourceType="${VOCABULARY}${label.type}"${ai}
      xmp:CreatorTool="${escapeXml(tool)}"/>
  </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}

/** The DigitalSourceType a file's XMP states, if any (ours, read back without a full XMP parser). */
export function digitalSourceTypeOf(xmp: Buffer | string | undefined): DigitalSourceType | null {
  if (!xmp) return null;
  const m = /DigitalSourceType(?:="|>)\s*http:\/\/cv\.iptc\.org\/newscodes\/digitalsourcetype\/(\w+)/.exec(xmp.toString());
  return m && (DIGITAL_SOURCE_TYPES as readonly string[]).includes(m[1]!) ? (m[1] as DigitalSourceType) : null;
}

/** A file's XMP re-made from its label alone: nothing else an upload's XMP held is passed on. */
export const labelXmpOf = (xmp: string | undefined): string | undefined => {
  const type = digitalSourceTypeOf(xmp);
  if (!type || !xmp) return undefined;
  const model = /AISystemUsed="([^"]*)"/.exec(xmp)?.[1];
  return xmpPacket({ type, generator: 'product-gallery', model: model ? model.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : null });
};

/** The XMP of an encoded image, when it has one. */
export async function xmpOf(bytes: Buffer | Uint8Array): Promise<string | undefined> {
  const meta = await sharp(bytes).metadata();
  return meta.xmp ? meta.xmp.toString() : undefined;
}

/**
 * The file to store: its pixels as they came, its metadata replaced by the label alone. Camera
 * EXIF, GPS, IPTC and any XMP an upload or a model brought are dropped. PNG and WebP-lossless stay
 * lossless; a JPEG is re-encoded at quality 95 only when it carried metadata, needs the label, or
 * is not yet what a browser shows as intended: upright, 8-bit sRGB, one frame, and nothing after
 * the image data (a polyglot's tail). `maxPixels` bounds the decode (intake's limit): this runs
 * before intake, on whatever was uploaded.
 */
export async function labelFile(bytes: Buffer, label: SourceLabel | null, options: { maxPixels?: number } = {}): Promise<Buffer> {
  const meta = await sharp(bytes).metadata();
  const carries = Boolean(meta.exif || meta.xmp || meta.iptc);
  const plain = meta.space === 'srgb' && meta.depth === 'uchar' && (meta.pages ?? 1) === 1 && trailingBytes(bytes, meta.format) === 0;
  if (!label && !carries && plain) return bytes;
  let img = sharp(bytes, { limitInputPixels: options.maxPixels ?? INTAKE_DEFAULTS.maxPixels }).rotate().toColourspace('srgb');
  // An RGB profile (Display P3, Adobe RGB) still describes the pixels; a CMYK one no longer does.
  if (meta.icc && meta.space !== 'cmyk') img = img.keepIccProfile();
  if (label) img = img.withXmp(xmpPacket(label));
  switch (meta.format) {
    case 'png':
      return label ? withPngXmp(await img.png({ compressionLevel: 6 }).toBuffer(), xmpPacket(label)) : img.png({ compressionLevel: 6 }).toBuffer();
    case 'webp':
      return img.webp({ quality: 95 }).toBuffer();
    case 'jpeg':
      return img.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
    default:
      return label ? withPngXmp(await img.png({ compressionLevel: 6 }).toBuffer(), xmpPacket(label)) : img.png({ compressionLevel: 6 }).toBuffer();
  }
}

/**
 * XMP in a PNG where readers look for it: an uncompressed iTXt chunk keyed XML:com.adobe.xmp
 * right after IHDR (the XMP specification's place). libvips writes it as a compressed zTXt chunk,
 * which metadata readers (and so, likely, marketplace crawlers) skip.
 */
export function withPngXmp(png: Buffer, xmp: string): Buffer {
  const ihdrEnd = 8 + 4 + 4 + png.readUInt32BE(8) + 4;
  const data = Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0\0\0\0', 'latin1'), Buffer.from(xmp, 'utf8')]);
  const type = Buffer.from('iTXt', 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([type, data])) >>> 0);
  return Buffer.concat([png.subarray(0, ihdrEnd), length, type, data, crc, png.subarray(ihdrEnd)]);
}

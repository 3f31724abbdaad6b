import sharp from 'sharp';

/** What a model accepts as its photo input (a registry adapter's `photo`). */
export interface PhotoLimits {
  formats: readonly string[];
  maxBytes: number;
  maxPixels: number;
  maxSide?: number;
  minSide?: number;
}

export interface ModelPhoto {
  bytes: Buffer;
  mime: string;
  width: number;
  height: number;
  /** Why the photo was re-encoded, or null when it went as it was. */
  converted: string | null;
}

type Img = ReturnType<typeof sharp>;

const ENCODERS: Record<string, (img: Img, quality: number) => Img> = {
  'image/jpeg': (img, q) => img.jpeg({ quality: q, mozjpeg: true }),
  'image/webp': (img, q) => img.webp({ quality: q }),
  'image/png': (img) => img.png({ compressionLevel: 6 }),
};

/**
 * The source photo in a form the model takes: intake accepts AVIF, TIFF, HEIC and up to 50 MP,
 * while the models take a few formats up to a few megapixels and megabytes. A photo that already
 * fits goes as it is, unless it carries EXIF (its GPS position is nobody else's business); any
 * other is turned upright, scaled into the limits and re-encoded (PNG where it has alpha, else
 * JPEG). Metadata never survives a re-encode.
 */
export async function fitPhotoToModel(bytes: Buffer, mime: string, limits: PhotoLimits): Promise<ModelPhoto> {
  const meta = await sharp(bytes).metadata();
  const swap = (meta.orientation ?? 1) >= 5;
  const width = (swap ? meta.height : meta.width) ?? 0;
  const height = (swap ? meta.width : meta.height) ?? 0;
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  const reasons: string[] = [];
  if (!limits.formats.includes(mime)) reasons.push(`${mime} is not accepted`);
  if (width * height > limits.maxPixels) reasons.push(`over ${(limits.maxPixels / 1e6).toFixed(1)} MP`);
  if (limits.maxSide && long > limits.maxSide) reasons.push(`over ${limits.maxSide} px`);
  if (limits.minSide && short < limits.minSide) reasons.push(`under ${limits.minSide} px`);
  if (bytes.byteLength > limits.maxBytes) reasons.push(`over ${Math.round(limits.maxBytes / 1024 / 1024)} MB`);
  if (meta.exif) reasons.push('carries EXIF');
  if (!reasons.length) return { bytes, mime, width, height, converted: null };

  let scale = Math.min(1, Math.sqrt(limits.maxPixels / (width * height)), limits.maxSide ? limits.maxSide / long : 1);
  if (limits.minSide && short * scale < limits.minSide) scale = limits.minSide / short;
  const alpha = Boolean(meta.hasAlpha);
  const target =
    (alpha && limits.formats.includes('image/png') && 'image/png') ||
    (limits.formats.includes('image/jpeg') && 'image/jpeg') ||
    limits.formats.find((f) => f in ENCODERS) ||
    'image/png';
  for (const quality of [92, 85, 75, 65]) {
    const w = Math.max(1, Math.floor(width * scale));
    const h = Math.max(1, Math.floor(height * scale));
    const out = await ENCODERS[target]!(sharp(bytes).rotate().resize(w, h, { fit: 'fill' }), quality).toBuffer();
    if (out.byteLength <= limits.maxBytes) return { bytes: out, mime: target, width: w, height: h, converted: reasons.join(', ') };
    // PNG has no quality to give: only fewer pixels make it smaller.
    if (target === 'image/png' || quality === 65) scale *= Math.sqrt(limits.maxBytes / out.byteLength) * 0.95;
  }
  const w = Math.max(1, Math.floor(width * scale));
  const h = Math.max(1, Math.floor(height * scale));
  const out = await ENCODERS[target]!(sharp(bytes).rotate().resize(w, h, { fit: 'fill' }), 60).toBuffer();
  return { bytes: out, mime: target, width: w, height: h, converted: reasons.join(', ') };
}

/**
 * A model output cut to the brief's exact ratio around its centre: the model was asked for the
 * nearest ratio it has, so the cut is a thin strip. Lossless PNG; undefined when nothing to cut.
 */
export async function cropToRatio(bytes: Buffer, ratio: number): Promise<{ bytes: Buffer; width: number; height: number; from: { width: number; height: number } } | undefined> {
  const meta = await sharp(bytes).metadata();
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!width || !height) return undefined;
  let w = width;
  let h = Math.round(width / ratio);
  if (h > height) {
    h = height;
    w = Math.round(height * ratio);
  }
  if (Math.abs(w - width) <= 1 && Math.abs(h - height) <= 1) return undefined;
  const out = await sharp(bytes)
    .extract({ left: Math.floor((width - w) / 2), top: Math.floor((height - h) / 2), width: w, height: h })
    .png({ compressionLevel: 6 })
    .toBuffer();
  return { bytes: out, width: w, height: h, from: { width, height } };
}

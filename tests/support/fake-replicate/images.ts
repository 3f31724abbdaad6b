import crypto from 'node:crypto';
import sharp from 'sharp';

export interface GeneratedImage {
  bytes: Buffer;
  contentType: string;
}

/** Decodes a `data:` URI; undefined when it is not one. */
export function decodeDataUri(uri: string): { bytes: Buffer; mime: string } | undefined {
  const m = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(uri);
  if (!m) return undefined;
  const mime = m[1] ?? 'application/octet-stream';
  const bytes = m[2] ? Buffer.from(m[3]!, 'base64') : Buffer.from(decodeURIComponent(m[3]!), 'utf8');
  return { bytes, mime };
}

/** The image input of a prediction, whatever the model calls it. */
export function imageInputOf(input: Record<string, unknown>, field?: string): string | undefined {
  for (const key of field ? [field] : ['input_image', 'image', 'image_url', 'input_images', 'image_input']) {
    const v = input[key];
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  }
  return undefined;
}

/**
 * The source at most 768 px, decoded once per source photo: a batch of predictions on one photo
 * would otherwise spend the shared machine's CPU on the fake's own resizing, not on the app.
 */
const resized = new Map<string, Promise<{ data: Buffer; info: sharp.OutputInfo } | undefined>>();
const resizedSource = (source: Buffer) => {
  const key = crypto.createHash('sha1').update(source).digest('hex');
  let hit = resized.get(key);
  if (!hit) {
    hit = (async () => {
      try {
        await sharp(source, { failOn: 'error' }).metadata();
        return await sharp(source).rotate().resize(768, 768, { fit: 'inside', withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
      } catch {
        return undefined;
      }
    })();
    if (resized.size >= 8) resized.delete(resized.keys().next().value as string);
    resized.set(key, hit);
  }
  return hit;
};

type Size = { width: number; height: number };

/**
 * An "edited" version of the source: hue-rotated and slightly brightened, or a plain generated image
 * when there is no usable source. At the size `sizeFor` gives for the source (a real model's output
 * size), else at most 768 px. PNG unless `output_format` asks for jpg/webp.
 */
export async function generateOutputImage(source: Buffer | undefined, format: unknown, seed = 0, sizeFor?: (source: Size | undefined) => Size): Promise<GeneratedImage> {
  const fmt = format === 'jpg' || format === 'jpeg' ? 'jpeg' : format === 'webp' ? 'webp' : 'png';
  const hue = 90 + (seed % 180);
  const dims = source ? await sourceSize(source) : undefined;
  const size = sizeFor?.(dims);
  // Made once per source, format, hue and size: Replicate's work is not the app's, and on a shared
  // 2-core machine the fake encoding 20 outputs a second would take the CPU the app is measured on.
  const key = `${source ? crypto.createHash('sha1').update(source).digest('hex') : 'plain'}:${fmt}:${hue}:${size ? `${size.width}x${size.height}` : ''}`;
  let made = outputs.get(key);
  if (!made) {
    made = render(source, fmt, hue, size);
    made.catch(() => outputs.delete(key));
    if (outputs.size >= 64) outputs.delete(outputs.keys().next().value as string);
    outputs.set(key, made);
  }
  return made;
}

const outputs = new Map<string, Promise<GeneratedImage>>();

async function sourceSize(source: Buffer): Promise<Size | undefined> {
  try {
    const m = await sharp(source).metadata();
    if (!m.width || !m.height) return undefined;
    // Orientation 5-8 swaps the sides once the photo is upright.
    return (m.orientation ?? 1) >= 5 ? { width: m.height, height: m.width } : { width: m.width, height: m.height };
  } catch {
    return undefined;
  }
}

async function render(source: Buffer | undefined, fmt: 'jpeg' | 'webp' | 'png', hue: number, size?: Size): Promise<GeneratedImage> {
  let img: ReturnType<typeof sharp> | undefined;
  const base = source ? await resizedSource(source) : undefined;
  if (base) {
    const { width, height, channels } = base.info;
    img = sharp(base.data, { raw: { width, height, channels } }).modulate({ hue, brightness: 1.05 });
  }
  if (!img) {
    img = sharp({ create: { width: 512, height: 512, channels: 3, background: { r: 236, g: 230, b: 220 } } }).composite([
      {
        input: Buffer.from(
          `<svg width="512" height="512"><circle cx="256" cy="256" r="120" fill="none" stroke="#c9a227" stroke-width="28"/><circle cx="256" cy="136" r="26" fill="#7fb3d5"/></svg>`,
        ),
      },
    ]);
  }
  if (size) img = sharp(await img.png({ compressionLevel: 0 }).toBuffer()).resize(size.width, size.height, { fit: 'cover' });
  // A fast PNG (low compression): the bytes are a real image either way.
  const bytes = await (fmt === 'png' ? img.png({ compressionLevel: 2 }) : img.toFormat(fmt)).toBuffer();
  return { bytes, contentType: `image/${fmt}` };
}

/**
 * Background removers (recraft-ai/recraft-remove-background, 851-labs/background-remover): the
 * source as a PNG whose alpha is 0 where a pixel is close to the photo's border colour. A plain
 * colour-distance matte, unlike the app's own cutout, so a second opinion can disagree with it.
 */
export async function removeBackground(source: Buffer | undefined): Promise<GeneratedImage> {
  if (!source) throw new Error('no image');
  const { data, info } = await sharp(source).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = info;
  const border: number[][] = [[], [], []];
  for (let x = 0; x < w; x += 2) for (const y of [0, h - 1]) for (let c = 0; c < 3; c++) border[c].push(data[(y * w + x) * 3 + c]);
  for (let y = 0; y < h; y += 2) for (const x of [0, w - 1]) for (let c = 0; c < 3; c++) border[c].push(data[(y * w + x) * 3 + c]);
  const bg = border.map((v) => v.sort((a, b) => a - b)[v.length >> 1]);
  const out = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const d = Math.hypot(data[i * 3] - bg[0], data[i * 3 + 1] - bg[1], data[i * 3 + 2] - bg[2]);
    out[i * 4] = data[i * 3];
    out[i * 4 + 1] = data[i * 3 + 1];
    out[i * 4 + 2] = data[i * 3 + 2];
    out[i * 4 + 3] = Math.max(0, Math.min(255, Math.round(((d - 28) / 20) * 255)));
  }
  const bytes = await sharp(out, { raw: { width: w, height: h, channels: 4 } }).png({ compressionLevel: 2 }).toBuffer();
  return { bytes, contentType: 'image/png' };
}

/**
 * Technical and channel QC of one encoded image (a generated shot, a rendition or a channel file).
 * Pure measurement: no Strapi, no network. The pixel loops are synchronous JS, so the server runs
 * this through the worker pool (pool.ts, task 'technicalQc').
 */
import sharp, { type Metadata } from 'sharp';
import { asBuffer } from './decode';
import { CHANNEL_PRESETS, type ChannelId, type ChannelPreset } from './channels';
import { normalizeFormat, type EncodedImage, type OutputFormat } from './formats';
import type { QcCheck, QcStatus, QcUnit } from './qc';
import { ASPECT_TOLERANCE, aspectLabel, parseAspect } from './frames';

export interface TechnicalQcOptions {
  /** Gallery role of the image ('clean', 'model', 'detail', 'lifestyle', ...); named in messages. */
  role: string;
  /** Minimum long side for the role (from the brief); default 1000 px (marketplace zoom). */
  minLongEdge?: number;
  /** The brief's aspect ratio: width / height as a number, or 'w:h'. A channel with a fixed aspect wins. */
  aspect?: number | string;
  /** Also check the channel's rules (pixels, format, size cap, background, fill). */
  channel?: ChannelId;
  /** File-size cap in bytes (defaults to the channel's). */
  maxBytes?: number;
  /** File name the image will be published under: its extension must match the real format. */
  filename?: string;
}

export const DEFAULT_MIN_LONG_EDGE = 1000;

/** |actual/target - 1| up to 1% passes (rounding of odd sizes), up to 5% warns (storefront crops a sliver). */

/**
 * Sharpness: variance of the 4-neighbour Laplacian on the luminance, downscaled so the long side is
 * at most 512 px (so the number does not depend on resolution), averaged over the 10% most
 * detailed 32x32 tiles (so a product on a large plain background is judged by the product, not by
 * the empty background). Calibrated on the 18 project photos and Gaussian-blurred copies of them
 * at the 512 px scale: sharp originals 59..7173 (median ~1400; the 59 is white pearls on white
 * marble), sigma = 1 px blur 14..611 (median ~170), sigma = 2 px 4..55 (median ~20), sigma = 3 px 2..17.
 * So: below 25 (as soft as a 2 px blur at thumbnail scale, visibly out of focus) fails; below 100
 * (softer than a typical 1 px blur, or very low contrast) warns.
 */
export const SHARPNESS = { normalizedEdge: 512, tile: 32, topShare: 0.1, warnBelow: 100, failBelow: 25 } as const;

/** Blank: the 0.1..99.9 percentile range of every channel within this many levels = one flat colour. */
export const BLANK = { failSpread: 6, warnSpread: 16 } as const;

/** Pixels darker than this in any channel count as "product" for the fill ratio (ignores JPEG ringing near 255). */
export const FILL_NON_WHITE_BELOW = 250;

const WEB_FORMATS: readonly OutputFormat[] = ['jpeg', 'png', 'webp', 'avif', 'gif'];

interface Measured {
  buf: Buffer;
  meta: Metadata;
  format: OutputFormat | string;
  width: number;
  height: number;
  rgb: Buffer;
  alpha: Buffer | null;
}

async function measure(input: Buffer | Uint8Array | EncodedImage): Promise<Measured> {
  const buf = asBuffer(input instanceof Uint8Array ? input : input.buffer);
  const meta = await sharp(buf).metadata();
  const format = normalizeFormat(meta.format, meta.compression) ?? String(meta.format ?? 'unknown');
  const decoded = await sharp(buf, { failOn: 'truncated' }).rotate().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = decoded.info;
  let rgb = decoded.data;
  let alpha: Buffer | null = null;
  if (channels === 4 || channels === 2) {
    // Split alpha out; RGB stays straight (not premultiplied).
    const n = width * height;
    const c = channels;
    rgb = Buffer.allocUnsafe(n * 3);
    alpha = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) {
      const p = i * c;
      rgb[i * 3] = decoded.data[p];
      rgb[i * 3 + 1] = decoded.data[p + (c === 4 ? 1 : 0)];
      rgb[i * 3 + 2] = decoded.data[p + (c === 4 ? 2 : 0)];
      alpha[i] = decoded.data[p + c - 1];
    }
  } else if (channels === 1) {
    rgb = Buffer.allocUnsafe(width * height * 3);
    for (let i = 0; i < width * height; i++) rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = decoded.data[i];
  }
  return { buf, meta, format, width, height, rgb, alpha };
}

/** Run the technical checks (and the channel's, when given) on one encoded image. */
export async function technicalQc(image: Buffer | Uint8Array | EncodedImage, opts: TechnicalQcOptions): Promise<QcCheck[]> {
  const preset = opts.channel ? CHANNEL_PRESETS[opts.channel] : undefined;
  if (opts.channel && !preset) throw new RangeError(`Unknown channel "${opts.channel}".`);
  const m = await measure(image);
  const checks: QcCheck[] = [
    checkResolution(m.width, m.height, opts, preset),
    checkAspect(m.width, m.height, opts, preset),
    checkFormat(m.format, opts, preset),
    checkFileSize(m.buf.length, opts, preset),
    checkSrgb(m.meta, preset),
    checkBlank(m),
  ];
  checks.push(checks[checks.length - 1].status === 'fail'
    ? check('tech.sharpness', 'fail', 0, SHARPNESS.failBelow, 'There is no detail to judge: the image is blank.')
    : checkSharpness(m));
  if (preset?.background === 'white-required') checks.push(checkWhiteBackground(m, preset));
  if (preset?.minFill) checks.push(checkFill(m, preset));
  return checks;
}

const px = (n: number) => `${n.toLocaleString('en-US')} px`;
function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
}
/** Each technical check measures one thing, whatever the channel. */
const UNIT: Record<string, QcUnit> = {
  'tech.resolution': 'px',
  'tech.aspect': 'ratio',
  'tech.format': 'text',
  'tech.filesize': 'bytes',
  'tech.srgb': 'text',
  'tech.blank': 'levels',
  'tech.sharpness': 'score',
  'channel.white-background': 'fraction',
  'channel.fill': 'fraction',
};

function check(id: string, status: QcStatus, value: QcCheck['value'], threshold: QcCheck['threshold'], message: string, unit: QcUnit | undefined = UNIT[id]): QcCheck {
  return { id, status, value, threshold, ...(unit ? { unit } : {}), message };
}

export function checkResolution(w: number, h: number, opts: Pick<TechnicalQcOptions, 'role' | 'minLongEdge'>, preset?: ChannelPreset): QcCheck {
  const long = Math.max(w, h);
  const short = Math.min(w, h);
  const size = `${w}×${h}`;
  const roleMin = opts.minLongEdge ?? DEFAULT_MIN_LONG_EDGE;
  const who = preset ? preset.label : `a ${opts.role} image`;
  if (long < roleMin) {
    return check('tech.resolution', 'fail', long, roleMin, `The image is ${size}; a ${opts.role} image needs at least ${px(roleMin)} on its longest side. Regenerate it at a larger size.`);
  }
  if (preset) {
    if (preset.minLongEdge && long < preset.minLongEdge) {
      return check('tech.resolution', 'fail', long, preset.minLongEdge, `The image is ${size}; ${who} needs at least ${px(preset.minLongEdge)} on the longest side.`);
    }
    if (preset.minShortEdge && short < preset.minShortEdge) {
      return check('tech.resolution', 'fail', short, preset.minShortEdge, `The image is ${size}; ${who} needs at least ${px(preset.minShortEdge)} on the shortest side.`);
    }
    if (preset.maxLongEdge && long > preset.maxLongEdge) {
      return check('tech.resolution', 'fail', long, preset.maxLongEdge, `The image is ${size}; ${who} allows at most ${px(preset.maxLongEdge)} on the longest side. Use the channel export, which resizes it.`);
    }
    if (preset.maxPixels && w * h > preset.maxPixels) {
      return check('tech.resolution', 'fail', w * h, preset.maxPixels, `The image is ${size} (${(w * h / 1e6).toFixed(1)} MP); ${who} allows at most ${(preset.maxPixels / 1e6).toFixed(0)} MP.`, 'megapixels');
    }
    if (preset.recommendedMinLongEdge && long < preset.recommendedMinLongEdge) {
      return check('tech.resolution', 'warn', long, preset.recommendedMinLongEdge, `The image is ${size}; ${who} recommends at least ${px(preset.recommendedMinLongEdge)} on the longest side${preset.id.startsWith('amazon') ? ' (needed for zoom)' : ''}.`);
    }
    if (preset.recommendedMinShortEdge && short < preset.recommendedMinShortEdge) {
      return check('tech.resolution', 'warn', short, preset.recommendedMinShortEdge, `The image is ${size}; ${who} recommends at least ${px(preset.recommendedMinShortEdge)} on the shortest side.`);
    }
  }
  return check('tech.resolution', 'pass', long, roleMin, `${size} is large enough for ${who}.`);
}

export function checkAspect(w: number, h: number, opts: Pick<TechnicalQcOptions, 'aspect'>, preset?: ChannelPreset): QcCheck {
  const target = preset?.aspect ?? (opts.aspect !== undefined ? parseAspect(opts.aspect) : undefined);
  const actual = Math.round((w / h) * 1000) / 1000;
  if (target === undefined) return check('tech.aspect', 'pass', actual, null, `Aspect ratio ${aspectLabel(w / h)}; no ratio was required.`);
  const off = Math.abs(w / h / target - 1);
  const whose = preset?.aspect ? preset.label : 'the brief';
  const t = Math.round(target * 1000) / 1000;
  if (off <= ASPECT_TOLERANCE.pass) return check('tech.aspect', 'pass', actual, t, `Aspect ratio ${aspectLabel(w / h)} matches ${whose}.`);
  const status: QcStatus = off <= ASPECT_TOLERANCE.warn ? 'warn' : 'fail';
  return check('tech.aspect', status, actual, t, `The image is ${aspectLabel(w / h)} (${w}×${h}) but ${whose} asks for ${aspectLabel(target)}; ${status === 'warn' ? 'a thin strip will be cropped when it is shown' : 'it will be cropped or letterboxed. Regenerate or re-crop it'}.`);
}

export function checkFormat(format: string, opts: Pick<TechnicalQcOptions, 'filename'>, preset?: ChannelPreset): QcCheck {
  const accepted = preset ? preset.acceptedFormats : WEB_FORMATS;
  const list = accepted.map((f) => f.toUpperCase()).join(', ');
  const name = format.toUpperCase();
  if (!accepted.includes(format as OutputFormat)) {
    const status: QcStatus = preset ? 'fail' : 'warn';
    return check('tech.format', status, format, list, preset ? `${preset.label} does not take ${name} files; it accepts ${list}. Use the channel export.` : `${name} is not a web image format; browsers show ${list}.`);
  }
  if (opts.filename) {
    const ext = (/\.([a-z0-9]+)$/i.exec(opts.filename)?.[1] ?? '').toLowerCase();
    const expected = format === 'jpeg' ? ['jpg', 'jpeg'] : format === 'tiff' ? ['tif', 'tiff'] : [format];
    if (!expected.includes(ext)) {
      return check('tech.format', 'fail', format, expected[0], `The file is ${name} but is named "${opts.filename}"; the extension must match the real format (.${expected[0]}).`);
    }
  }
  return check('tech.format', 'pass', format, list, `${name} is accepted${preset ? ` by ${preset.label}` : ''}.`);
}

export function checkFileSize(bytes: number, opts: Pick<TechnicalQcOptions, 'maxBytes'>, preset?: ChannelPreset): QcCheck {
  const hard = opts.maxBytes ?? preset?.maxBytes;
  const soft = opts.maxBytes === undefined ? preset?.recommendedMaxBytes : undefined;
  if (hard !== undefined && bytes > hard) {
    return check('tech.filesize', 'fail', bytes, hard, `The file is ${mb(bytes)}; the limit${preset ? ` for ${preset.label}` : ''} is ${mb(hard)}. Re-export it at a lower quality.`);
  }
  if (soft !== undefined && bytes > soft) {
    return check('tech.filesize', 'warn', bytes, soft, `The file is ${mb(bytes)}; ${preset!.label} recommends at most ${mb(soft)} so listings load fast.`);
  }
  return check('tech.filesize', 'pass', bytes, soft ?? hard ?? null, `The file is ${mb(bytes)}${hard !== undefined ? `, within the ${mb(soft ?? hard)} limit` : ''}.`);
}

/** Colour space from the ICC header and description ('desc' v2 or 'mluc' v4 tag). */
export function describeIcc(icc: Buffer | undefined): { space: string; description: string } | undefined {
  if (!icc || icc.length < 132) return undefined;
  const space = icc.toString('latin1', 16, 20).trim();
  let description = '';
  const count = icc.readUInt32BE(128);
  for (let i = 0; i < count && 132 + i * 12 + 12 <= icc.length; i++) {
    const e = 132 + i * 12;
    if (icc.toString('latin1', e, e + 4) !== 'desc') continue;
    const off = icc.readUInt32BE(e + 4);
    const type = icc.toString('latin1', off, off + 4);
    if (type === 'desc' && off + 12 <= icc.length) {
      const n = icc.readUInt32BE(off + 8);
      description = icc.toString('latin1', off + 12, Math.min(icc.length, off + 12 + n)).replace(/\0+$/, '');
    } else if (type === 'mluc' && off + 28 <= icc.length) {
      const len = icc.readUInt32BE(off + 20);
      const start = off + icc.readUInt32BE(off + 24);
      const raw = icc.subarray(start, Math.min(icc.length, start + len));
      let s = '';
      for (let k = 0; k + 1 < raw.length; k += 2) s += String.fromCharCode(raw.readUInt16BE(k));
      description = s.replace(/\0+$/, '');
    }
    break;
  }
  return { space, description };
}

export function checkSrgb(meta: Metadata, preset?: ChannelPreset): QcCheck {
  const space = String(meta.space ?? 'srgb');
  const icc = describeIcc(meta.icc);
  if (space === 'cmyk' || icc?.space === 'CMYK') {
    return check('tech.srgb', 'fail', 'cmyk', 'srgb', 'The image is in CMYK (print colours); screens and marketplaces need sRGB. Use the channel export, which converts it.');
  }
  if (icc && icc.space === 'RGB' && !/srgb|iec\s*61966/i.test(icc.description)) {
    const name = icc.description || 'a non-sRGB RGB profile';
    return check('tech.srgb', preset ? 'fail' : 'warn', icc.description || 'rgb-profile', 'srgb', `The image carries the colour profile "${name}", not sRGB; colours will shift where the profile is dropped${preset ? ` (${preset.label} expects sRGB)` : ''}. Convert it to sRGB.`);
  }
  if (space !== 'srgb' && space !== 'b-w' && space !== 'rgb') {
    return check('tech.srgb', 'warn', space, 'srgb', `The image is stored in the ${space} colour space; convert it to sRGB.`);
  }
  return check('tech.srgb', 'pass', icc?.description || space, 'srgb', icc ? `sRGB (profile "${icc.description}").` : 'sRGB (untagged, which browsers and marketplaces treat as sRGB).');
}

export function checkBlank(m: Pick<Measured, 'rgb' | 'alpha' | 'width' | 'height'>): QcCheck {
  const n = m.width * m.height;
  const step = Math.max(1, Math.floor(Math.sqrt(n / 250_000)));
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let visible = 0;
  let total = 0;
  for (let y = 0; y < m.height; y += step) {
    for (let x = 0; x < m.width; x += step) {
      const i = y * m.width + x;
      total++;
      if (m.alpha && m.alpha[i] < 16) continue;
      visible++;
      hist[0][m.rgb[i * 3]]++;
      hist[1][m.rgb[i * 3 + 1]]++;
      hist[2][m.rgb[i * 3 + 2]]++;
    }
  }
  if (visible === 0) return check('tech.blank', 'fail', 0, BLANK.failSpread, 'The image is fully transparent: there is nothing to see. Regenerate it.');
  const pct = (h: Uint32Array, q: number) => {
    let acc = 0;
    for (let v = 0; v < 256; v++) if ((acc += h[v]) > q * visible) return v;
    return 255;
  };
  const spread = Math.max(...hist.map((h) => pct(h, 0.999) - pct(h, 0.001)));
  if (spread <= BLANK.failSpread) return check('tech.blank', 'fail', spread, BLANK.failSpread, 'The image is a single flat colour with no product in it. Regenerate it.');
  if (spread <= BLANK.warnSpread) return check('tech.blank', 'warn', spread, BLANK.warnSpread, 'The image is almost a flat colour; check that the product is visible.');
  return check('tech.blank', 'pass', spread, BLANK.failSpread, `The image has visible content${visible < total * 0.05 ? `, though only ${Math.round((visible / total) * 100)}% of it is opaque` : ''}.`);
}

/** Top-decile tile variance of the Laplacian at <= 512 px (see SHARPNESS). */
export function laplacianSharpness(rgb: Uint8Array, width: number, height: number): number {
  // Area-average downscale of the luminance to <= 512 px on the long side.
  const scale = Math.min(1, SHARPNESS.normalizedEdge / Math.max(width, height));
  const w = Math.max(3, Math.round(width * scale));
  const h = Math.max(3, Math.round(height * scale));
  const g = new Float32Array(w * h);
  const fx = width / w;
  const fy = height / h;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * fy);
    const y1 = Math.max(y0 + 1, Math.min(height, Math.floor((y + 1) * fy)));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * fx);
      const x1 = Math.max(x0 + 1, Math.min(width, Math.floor((x + 1) * fx)));
      let s = 0;
      for (let yy = y0; yy < y1; yy++) {
        let p = (yy * width + x0) * 3;
        for (let xx = x0; xx < x1; xx++, p += 3) s += 0.2126 * rgb[p] + 0.7152 * rgb[p + 1] + 0.0722 * rgb[p + 2];
      }
      g[y * w + x] = s / ((y1 - y0) * (x1 - x0));
    }
  }
  const T = SHARPNESS.tile;
  const tw = Math.max(1, Math.floor((w - 2) / T));
  const th = Math.max(1, Math.floor((h - 2) / T));
  const s1 = new Float64Array(tw * th);
  const s2 = new Float64Array(tw * th);
  const cnt = new Float64Array(tw * th);
  for (let y = 1; y < h - 1; y++) {
    const ty = Math.min(th - 1, Math.floor((y - 1) / T));
    for (let x = 1; x < w - 1; x++) {
      const tx = Math.min(tw - 1, Math.floor((x - 1) / T));
      const i = y * w + x;
      const L = g[i - 1] + g[i + 1] + g[i - w] + g[i + w] - 4 * g[i];
      const k = ty * tw + tx;
      s1[k] += L;
      s2[k] += L * L;
      cnt[k]++;
    }
  }
  const vars: number[] = [];
  for (let k = 0; k < tw * th; k++) if (cnt[k]) vars.push(s2[k] / cnt[k] - (s1[k] / cnt[k]) ** 2);
  vars.sort((a, b) => b - a);
  const top = vars.slice(0, Math.max(1, Math.ceil(vars.length * SHARPNESS.topShare)));
  return top.reduce((a, b) => a + b, 0) / top.length;
}

export function checkSharpness(m: Pick<Measured, 'rgb' | 'width' | 'height'>): QcCheck {
  const v = Math.round(laplacianSharpness(m.rgb, m.width, m.height) * 10) / 10;
  if (v < SHARPNESS.failBelow) return check('tech.sharpness', 'fail', v, SHARPNESS.failBelow, 'The image is blurry even at thumbnail size (out of focus or over-smoothed). Regenerate it or use a sharper source photo.');
  if (v < SHARPNESS.warnBelow) return check('tech.sharpness', 'warn', v, SHARPNESS.warnBelow, 'The image looks soft or very low in contrast; zoom in and check that chain links, settings and stones are crisp.');
  return check('tech.sharpness', 'pass', v, SHARPNESS.warnBelow, 'The image is sharp.');
}

/** Share of border pixels (outermost ring) that are not exactly RGB 255,255,255 (transparent counts as not white). */
export function nonWhiteBorderShare(m: Pick<Measured, 'rgb' | 'alpha' | 'width' | 'height'>, ring = 1): number {
  const { width: w, height: h, rgb, alpha } = m;
  let bad = 0;
  let n = 0;
  const test = (x: number, y: number) => {
    const i = y * w + x;
    n++;
    if ((alpha && alpha[i] !== 255) || rgb[i * 3] !== 255 || rgb[i * 3 + 1] !== 255 || rgb[i * 3 + 2] !== 255) bad++;
  };
  const r = Math.max(1, Math.min(ring, Math.floor(Math.min(w, h) / 2)));
  for (let y = 0; y < h; y++) {
    if (y < r || y >= h - r) for (let x = 0; x < w; x++) test(x, y);
    else for (let x = 0; x < r; x++) {
      test(x, y);
      test(w - 1 - x, y);
    }
  }
  return n ? bad / n : 0;
}

export function checkWhiteBackground(m: Pick<Measured, 'rgb' | 'alpha' | 'width' | 'height'>, preset: ChannelPreset): QcCheck {
  const ring = Math.max(1, Math.round(Math.max(m.width, m.height) / 200));
  const share = nonWhiteBorderShare(m, ring);
  const value = Number(share.toPrecision(3));
  if (share === 0) return check('channel.white-background', 'pass', 0, 0, `The background at the edges is pure white (255, 255, 255), as ${preset.label} requires.`);
  return check('channel.white-background', 'fail', value, 0, `${share < 0.0001 ? 'A few' : `${(share * 100).toFixed(share < 0.01 ? 2 : 1)}%`} of the edge pixels are not pure white; ${preset.label} requires RGB 255, 255, 255 behind the product. Use a cut-out on white.`);
}

/** Bounding box of pixels darker than FILL_NON_WHITE_BELOW (or not opaque-white): long side / frame long side. */
export function productFill(m: Pick<Measured, 'rgb' | 'alpha' | 'width' | 'height'>): number {
  const { width: w, height: h, rgb, alpha } = m;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  const t = FILL_NON_WHITE_BELOW;
  for (let y = 0; y < h; y++) {
    let p = y * w * 3;
    for (let x = 0; x < w; x++, p += 3) {
      const product = alpha ? alpha[y * w + x] >= 128 && (rgb[p] < t || rgb[p + 1] < t || rgb[p + 2] < t) : rgb[p] < t || rgb[p + 1] < t || rgb[p + 2] < t;
      if (!product) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return 0;
  return Math.max(x1 - x0 + 1, y1 - y0 + 1) / Math.max(w, h);
}

export function checkFill(m: Pick<Measured, 'rgb' | 'alpha' | 'width' | 'height'>, preset: ChannelPreset): QcCheck {
  const fill = productFill(m);
  const value = Math.round(fill * 1000) / 1000;
  const min = preset.minFill ?? 0;
  const rec = preset.recommendedFill ?? min;
  const pct = `${Math.round(fill * 100)}%`;
  if (fill < min) return check('channel.fill', 'fail', value, min, `The product spans ${pct} of the frame; ${preset.label} needs at least ${Math.round(min * 100)}%. Crop tighter (the channel export frames it at ${Math.round((preset.frameProductAt ?? rec) * 100)}%).`);
  if (fill < rec) return check('channel.fill', 'warn', value, rec, `The product spans ${pct} of the frame; ${Math.round(rec * 100)}% or more is recommended for ${preset.label}.`);
  return check('channel.fill', 'pass', value, rec, `The product spans ${pct} of the frame.`);
}

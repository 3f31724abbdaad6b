/**
 * Reference fingerprint of a product: a plain JSON object stored with the product and used to
 * check every generated image. Everything is measured on the product region (cutout mask) and
 * normalised to the product's bounding square, so it does not depend on framing or resolution.
 */
import { colorSignature, rgbToLab, type ColorSignature } from './color';
import { backgroundRgbAt, cutout as runCutout, type CutoutResult } from './cutout';
import { alignShape, structureMetrics } from './fidelity/structure';
import { components } from './morphology';
import { downscaleRgba, type BBox, type RawImage } from './raw-image';
import { maskBox } from './shots';

export const FINGERPRINT_VERSION = 1;
/** side of the normalised product grid (mask coverage + colour thumbnail) */
export const GRID = 32;
/** side of the finer shape grid (presence of the product per cell), for aligned shape comparisons */
export const SHAPE_GRID = 96;
/** the wide grid: the bounding square grown this much, at the shape grid's resolution */
export const SHAPE_WIDE = 1.3;
export const SHAPE_WIDE_CELLS = 128;
/** a cell of the shape grid holds product when this much of it is covered */
export const SHAPE_PRESENT = 0.2;
/** scales at which sharpness (edge steepness, see gradientEnergy) is stored */
export const SHARPNESS_SCALES = [32, 64, 128, 256] as const;

export interface ProductShape {
  /** product area / image area */
  areaFraction: number;
  /** robust product extent (1st..99th percentile of mask mass), as fractions of the image size */
  extent: BBox;
  /** robust long side of the product / long side of the image */
  longSideFraction: number;
  /** bbox width / height */
  bboxAspect: number;
  /**
   * The product runs off the frame along this axis (x: left or right edge, y: top or bottom):
   * its extent on that axis is the frame's, not the product's, so it cannot measure scale.
   */
  clipped?: { x: boolean; y: boolean };
  holes: number;
  parts: number;
  /** distinct saturated or bright components ("stones", beads, charms) */
  blobs: number;
  /** GRID x GRID mask coverage (0..255) in the product's bounding square, base64 */
  mask: string;
  /** SHAPE_GRID x SHAPE_GRID presence (coverage >= SHAPE_PRESENT), one bit per cell, row-major, base64. Absent in older fingerprints. */
  presence?: string;
}

export interface Fingerprint {
  version: number;
  /** sha256 of the source file bytes */
  sha256: string | null;
  width: number;
  height: number;
  /** 64-bit DCT perceptual hash (hex) of the product on neutral grey */
  phash: string;
  color: ColorSignature;
  shape: ProductShape;
  /** GRID x GRID RGB thumbnail of the product over neutral grey (128), base64 */
  thumb: string;
  /** mean gradient magnitude of the normalised product at SHARPNESS_SCALES, keyed by scale */
  sharpness: Record<string, number>;
  /** robust product long side in source pixels */
  productLongSidePx: number;
  /**
   * long side of the box a clean shot frames (every pixel of the mask, renderClean's maskBox), in
   * source pixels: a clean shot's fill is measured on it, the checks on the robust long side.
   * Absent in older fingerprints.
   */
  frameLongSidePx?: number;
  /**
   * Self-noise of the structure measures: the same measures between this reference and a re-cut
   * of the product itself (composited on white and downsampled), i.e. how much the cutout of this
   * product moves under edits that do not change it. Low-contrast products (white pearls on marble)
   * have noisy cutouts; the structure limits widen with it. Absent in older fingerprints.
   */
  selfNoise?: { outline: number; localDE: number; missingCells: number; phash: number; shapeCells?: number };
}

/**
 * The product re-shot without changing it: composited on white (edge decontamination against
 * the background model) and downsampled to 75%. Pure, sync.
 */
export function selfPerturbation(working: RawImage, cut: Pick<CutoutResult, 'mask' | 'background'>): RawImage {
  const { data, width: W, height: H } = working;
  const out = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x, a = cut.mask[i] / 255;
      out[i * 4 + 3] = 255;
      if (a >= 1) { out[i * 4] = data[i * 4]; out[i * 4 + 1] = data[i * 4 + 1]; out[i * 4 + 2] = data[i * 4 + 2]; continue; }
      if (a <= 0) { out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = 255; continue; }
      const bg = backgroundRgbAt(cut.background, x, y, W, H);
      for (let c = 0; c < 3; c++) {
        const v = data[i * 4 + c] + (1 - a) * (255 - Math.min(255, Math.max(0, bg[c])));
        out[i * 4 + c] = v >= 255 ? 255 : v <= 0 ? 0 : Math.round(v);
      }
    }
  }
  return downscaleRgba({ data: out, width: W, height: H, channels: 4 }, Math.max(8, Math.round(Math.max(W, H) * 0.75))).image;
}

export interface Normalized {
  cov: Float32Array; // coverage 0..1
  rgb: Float32Array; // premultiplied-over-grey RGB 0..255
  gray: Float32Array; // plain luminance of the pixels as shot (background included)
  size: number;
}

/** Robust product box: 1st..99th percentile of mask mass along x and y. */
export function robustBox(mask: Uint8Array, w: number, h: number): BBox {
  const colSum = new Float64Array(w), rowSum = new Float64Array(h);
  let total = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const a = mask[row + x];
      if (a < 64) continue;
      colSum[x] += a; rowSum[y] += a; total += a;
    }
  }
  if (total === 0) return { x: 0, y: 0, width: 0, height: 0 };
  const pct = (arr: Float64Array, q: number) => {
    let acc = 0;
    for (let i = 0; i < arr.length; i++) { acc += arr[i]; if (acc >= q * total) return i; }
    return arr.length - 1;
  };
  const x0 = pct(colSum, 0.005), x1 = pct(colSum, 0.995), y0 = pct(rowSum, 0.005), y1 = pct(rowSum, 0.995);
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Sample the product's bounding square into size x size cells (area average). */
export function normalizeProduct(working: RawImage, mask: Uint8Array, box: BBox, size: number): Normalized {
  const { data, width: W, height: H } = working;
  const side = Math.max(box.width, box.height) * 1.04 + 2;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const x0 = cx - side / 2, y0 = cy - side / 2;
  const cov = new Float32Array(size * size), acc = new Float32Array(size * size * 3), lum = new Float32Array(size * size);
  const xa = Math.max(0, Math.floor(x0)), xb = Math.min(W - 1, Math.ceil(x0 + side));
  const ya = Math.max(0, Math.floor(y0)), yb = Math.min(H - 1, Math.ceil(y0 + side));
  const k = size / side;
  for (let y = ya; y <= yb; y++) {
    const gy = Math.floor((y + 0.5 - y0) * k);
    if (gy < 0 || gy >= size) continue;
    for (let x = xa; x <= xb; x++) {
      const gx = Math.floor((x + 0.5 - x0) * k);
      if (gx < 0 || gx >= size) continue;
      const i = y * W + x, g = gy * size + gx;
      const a = (mask[i] / 255) * (data[i * 4 + 3] / 255);
      cov[g] += a;
      acc[g * 3] += a * data[i * 4] + (1 - a) * 128;
      acc[g * 3 + 1] += a * data[i * 4 + 1] + (1 - a) * 128;
      acc[g * 3 + 2] += a * data[i * 4 + 2] + (1 - a) * 128;
      lum[g] += 0.299 * data[i * 4] + 0.587 * data[i * 4 + 1] + 0.114 * data[i * 4 + 2];
    }
  }
  const counts = new Float32Array(size * size);
  for (let y = ya; y <= yb; y++) {
    const gy = Math.floor((y + 0.5 - y0) * k);
    if (gy < 0 || gy >= size) continue;
    for (let x = xa; x <= xb; x++) {
      const gx = Math.floor((x + 0.5 - x0) * k);
      if (gx < 0 || gx >= size) continue;
      counts[gy * size + gx]++;
    }
  }
  const rgb = new Float32Array(size * size * 3);
  for (let g = 0; g < size * size; g++) {
    const c = counts[g];
    if (c === 0) { rgb[g * 3] = rgb[g * 3 + 1] = rgb[g * 3 + 2] = 128; lum[g] = 128; continue; }
    cov[g] /= c;
    lum[g] /= c;
    rgb[g * 3] = acc[g * 3] / c; rgb[g * 3 + 1] = acc[g * 3 + 1] / c; rgb[g * 3 + 2] = acc[g * 3 + 2] / c;
  }
  return { cov, rgb, gray: lum, size };
}

function dct1d(input: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += input[i] * Math.cos((Math.PI * (2 * i + 1) * k) / (2 * n));
    out[k] = s;
  }
  return out;
}

/** 64-bit DCT perceptual hash of a 32x32 grey image (hex). */
export function phash32(gray: Float64Array): string {
  const n = 32;
  const rows = new Float64Array(n * n);
  for (let y = 0; y < n; y++) rows.set(dct1d(gray.subarray(y * n, y * n + n), n), y * n);
  const coef = new Float64Array(64);
  for (let x = 0; x < 8; x++) {
    const col = new Float64Array(n);
    for (let y = 0; y < n; y++) col[y] = rows[y * n + x];
    const d = dct1d(col, n);
    for (let y = 0; y < 8; y++) coef[y * 8 + x] = d[y];
  }
  const sorted = Array.from(coef.subarray(1)).sort((a, b) => a - b);
  const med = sorted[Math.floor(sorted.length / 2)];
  let hex = '';
  for (let i = 0; i < 64; i += 4) {
    let v = 0;
    for (let j = 0; j < 4; j++) v = (v << 1) | (coef[i + j] > med ? 1 : 0);
    hex += v.toString(16);
  }
  return hex;
}

export function hammingHex(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    let x = parseInt(a[i], 16) ^ parseInt(b[i], 16);
    while (x) { d += x & 1; x >>= 1; }
  }
  return d + Math.abs(a.length - b.length) * 4;
}

function grayOf(nz: Normalized): Float64Array {
  const g = new Float64Array(nz.size * nz.size);
  for (let i = 0; i < g.length; i++) g[i] = 0.299 * nz.rgb[i * 3] + 0.587 * nz.rgb[i * 3 + 1] + 0.114 * nz.rgb[i * 3 + 2];
  return g;
}

/**
 * Edge steepness of the pixels as shot (not the cutout composite, whose mask edges would look
 * sharp even on a blurred photo) over the product and its immediate surroundings: the
 * gradient-magnitude-weighted mean gradient magnitude, sum(|g|^2) / sum(|g|).
 * Unlike the plain mean |g| (total variation, which a blur leaves unchanged on a thick edge: the
 * step is only spread out), this follows the steepness of the strongest edges, so a blur of width
 * w divides it by about w whatever the thickness of the content (thin chains or thick cords), and
 * it does not depend on how much edge the product has.
 */
export function gradientEnergy(nz: Pick<Normalized, 'cov' | 'gray' | 'size'>, height = nz.size): number {
  const g = nz.gray, s = nz.size;
  let e = 0, wsum = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < s - 1; x++) {
      const i = y * s + x;
      const wgt = Math.max(nz.cov[i], nz.cov[i - 1], nz.cov[i + 1], nz.cov[i - s], nz.cov[i + s]);
      if (wgt <= 0.05) continue;
      const gx = g[i + 1] - g[i - 1], gy = g[i + s] - g[i - s];
      const m = Math.sqrt(gx * gx + gy * gy);
      e += m * m * wgt; wsum += m * wgt;
    }
  }
  return wsum > 0 ? e / wsum : 0;
}

/** Distinct saturated or bright components of the product ("stones"), at analysis resolution. */
export function countBlobs(working: RawImage, mask: Uint8Array, box: BBox, grid?: Normalized): number {
  const size = SHAPE_GRID;
  const nz = grid && grid.size === size ? grid : normalizeProduct(working, mask, box, size);
  const lab = [0, 0, 0];
  const n = size * size;
  const C = new Float32Array(n), Lr = new Float32Array(n);
  let cSum = 0, cnt = 0;
  for (let i = 0; i < n; i++) {
    if (nz.cov[i] < 0.6) continue;
    // un-premultiply over grey
    const a = nz.cov[i];
    const r = Math.min(255, Math.max(0, (nz.rgb[i * 3] - (1 - a) * 128) / a));
    const g = Math.min(255, Math.max(0, (nz.rgb[i * 3 + 1] - (1 - a) * 128) / a));
    const b = Math.min(255, Math.max(0, (nz.rgb[i * 3 + 2] - (1 - a) * 128) / a));
    rgbToLab(Math.round(r), Math.round(g), Math.round(b), lab, 0);
    C[i] = Math.hypot(lab[1], lab[2]); Lr[i] = lab[0];
    cSum += C[i]; cnt++;
  }
  if (!cnt) return 0;
  const cMean = cSum / cnt;
  // "stone" cells: clearly more saturated than the product's average, or near-white highlights
  const sel = (i: number) => nz.cov[i] >= 0.6 && (C[i] > Math.max(25, cMean * 1.6) || (Lr[i] > 92 && C[i] < 8));
  const cc = components(size, size, sel);
  let blobs = 0;
  for (let l = 1; l <= cc.count; l++) if (cc.areas[l] >= 4) blobs++;
  return blobs;
}

export interface ProductFeatures {
  width: number;
  height: number;
  box: BBox;
  phash: string;
  color: ColorSignature;
  shape: ProductShape;
  thumb: Uint8Array;
  cov: Float32Array;
  sharpness: Record<string, number>;
  productLongSidePx: number;
  /** coverage on the SHAPE_GRID x SHAPE_GRID bounding square (0..1) */
  cov96: Float32Array;
  /**
   * coverage on a SHAPE_WIDE_CELLS grid over the bounding square grown SHAPE_WIDE times about its
   * centre: room to align the product with a reference framed a little differently
   */
  covWide: Float32Array;
}

/** Presence bits of a coverage grid (coverage >= SHAPE_PRESENT), packed 8 per byte. */
export function packPresence(cov: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(cov.length / 8));
  for (let i = 0; i < cov.length; i++) if (cov[i] >= SHAPE_PRESENT) out[i >> 3] |= 1 << (i & 7);
  return out;
}

export function unpackPresence(bits: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (bits[i >> 3] >> (i & 7)) & 1;
  return out;
}

/** The wide grid's square over the plain one, in pixels (normalizeProduct frames a box's long side x 1.04 + 2). */
export const shapeWideRatio = (long: number) => (long * SHAPE_WIDE * 1.04 + 2) / (long * 1.04 + 2);

/** Background lightness spread (L units) under which a background counts as plain (a studio white). */
const PLAIN_BACKGROUND_SPREAD = 4;

/**
 * On a plain background, everything that is not the background is product: a thin silver chain
 * fading into white is still there even where the cutout's thresholds let it go. Without this a
 * faint part reads as a missing part and moves the product's box (the reference's cutout, on the
 * source photo, kept it). Busy backgrounds keep the cutout as it is.
 */
export function withFaintParts(img: RawImage, cut: Pick<CutoutResult, 'mask' | 'background'>): Uint8Array {
  if (cut.background.lightnessSpread > PLAIN_BACKGROUND_SPREAD) return cut.mask;
  const { data, width: W, height: H } = img;
  const out = new Uint8Array(cut.mask);
  const lab = [0, 0, 0], bgLab = [0, 0, 0];
  const [r, g, b] = cut.background.rgb.map((v) => Math.max(0, Math.min(255, Math.round(v))));
  rgbToLab(r, g, b, bgLab, 0);
  for (let i = 0; i < W * H; i++) {
    if (out[i] === 255) continue;
    rgbToLab(data[i * 4], data[i * 4 + 1], data[i * 4 + 2], lab, 0);
    const d = Math.hypot(lab[0] - bgLab[0], lab[1] - bgLab[1], lab[2] - bgLab[2]);
    // ΔE 4 is below what JPEG leaves on a flat white; ΔE 12 is clearly something there
    const a = Math.round(Math.max(0, Math.min(1, (d - 4) / 8)) * 255);
    if (a > out[i]) out[i] = a;
  }
  return out;
}

/** A box grown by `k` about its centre (normalizeProduct frames the square around it). */
function grownBox(b: BBox, k: number): BBox {
  const w = b.width * k, h = b.height * k;
  return { x: b.x + b.width / 2 - w / 2, y: b.y + b.height / 2 - h / 2, width: w, height: h };
}

/** All measurements of a product (used for the reference and for every candidate). Pure, sync. */
export function productFeatures(working: RawImage, cut: Pick<CutoutResult, 'mask' | 'holes' | 'parts' | 'areaFraction'>): ProductFeatures {
  const W = working.width, H = working.height;
  const box = robustBox(cut.mask, W, H);
  const nz = normalizeProduct(working, cut.mask, box, GRID);
  const thumb = new Uint8Array(GRID * GRID * 3);
  for (let i = 0; i < thumb.length; i++) thumb[i] = Math.round(nz.rgb[i]);
  const covBytes = new Uint8Array(GRID * GRID);
  for (let i = 0; i < covBytes.length; i++) covBytes[i] = Math.round(Math.min(1, nz.cov[i]) * 255);
  const sharpness: Record<string, number> = {};
  for (const s of SHARPNESS_SCALES) sharpness[String(s)] = Math.round(gradientEnergy(s === GRID ? nz : normalizeProduct(working, cut.mask, box, s)) * 1000) / 1000;
  const color = colorSignature(working.data, cut.mask, W, H);
  const long = Math.max(box.width, box.height);
  const nz96 = normalizeProduct(working, cut.mask, box, SHAPE_GRID);
  let cx = false, cy = false;
  for (let y = 0; y < H && !cx; y++) if (cut.mask[y * W] >= 128 || cut.mask[y * W + W - 1] >= 128) cx = true;
  for (let x = 0; x < W && !cy; x++) if (cut.mask[x] >= 128 || cut.mask[(H - 1) * W + x] >= 128) cy = true;
  const shape: ProductShape = {
    areaFraction: cut.areaFraction,
    extent: { x: box.x / W, y: box.y / H, width: box.width / W, height: box.height / H },
    longSideFraction: Math.round((long / Math.max(W, H)) * 1e5) / 1e5,
    bboxAspect: box.height ? Math.round((box.width / box.height) * 1000) / 1000 : 0,
    clipped: { x: cx, y: cy },
    holes: cut.holes,
    parts: cut.parts,
    blobs: countBlobs(working, cut.mask, box, nz96),
    mask: Buffer.from(covBytes).toString('base64'),
    presence: Buffer.from(packPresence(nz96.cov)).toString('base64'),
  };
  return {
    width: W, height: H, box,
    phash: phash32(grayOf(nz)),
    color, shape, thumb, cov: nz.cov, sharpness,
    productLongSidePx: long,
    cov96: nz96.cov,
    covWide: normalizeProduct(working, cut.mask, grownBox(box, SHAPE_WIDE), SHAPE_WIDE_CELLS).cov,
  };
}

/** The reference fingerprint stored on the product. */
export function fingerprint(working: RawImage, cut: CutoutResult, source: string | null | { sha256?: string | null } = null): Fingerprint {
  const sha256 = typeof source === 'string' ? source : source?.sha256 ?? null;
  const f = productFeatures(working, cut);
  let selfNoise: Fingerprint['selfNoise'];
  try {
    const pert = selfPerturbation(working, cut);
    const pc = runCutout(pert);
    // measured the way a candidate is (checkFidelity): faint parts on a plain background kept
    const pf = productFeatures(pert, { ...pc, mask: withFaintParts(pert, pc) });
    const covBytes = Buffer.from(f.shape.mask, 'base64');
    const sm = structureMetrics(new Uint8Array(covBytes), f.thumb, pf.cov, pf.thumb, GRID);
    const shape = alignShape(unpackPresence(packPresence(f.cov96), SHAPE_GRID * SHAPE_GRID), SHAPE_GRID, pf.covWide, SHAPE_WIDE_CELLS, shapeWideRatio(pf.productLongSidePx), SHAPE_PRESENT);
    selfNoise = { outline: Math.round(sm.outline * 1e4) / 1e4, localDE: Math.round(sm.localDE * 100) / 100, missingCells: sm.missingCells, phash: hammingHex(f.phash, pf.phash), shapeCells: Math.max(shape.missing, shape.extra) };
  } catch {
    selfNoise = undefined;
  }
  return {
    version: FINGERPRINT_VERSION,
    sha256,
    width: f.width,
    height: f.height,
    phash: f.phash,
    color: f.color,
    shape: f.shape,
    thumb: Buffer.from(f.thumb).toString('base64'),
    sharpness: f.sharpness,
    productLongSidePx: f.productLongSidePx,
    frameLongSidePx: (() => { const b = maskBox(cut.mask, working.width, working.height); return Math.max(b.width, b.height); })(),
    ...(selfNoise ? { selfNoise } : {}),
  };
}

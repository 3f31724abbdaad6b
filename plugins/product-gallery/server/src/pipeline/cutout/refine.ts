/**
 * A cutout corrected by a person: OpenCV's grabCut initialised from the automatic mask (probable
 * product / probable background) and the editor's strokes (keep = definitely product, remove =
 * definitely background). grabCut re-learns the colours of both from that start, so a stroke over
 * one reflection shard also takes out the shards that look like it. It runs on a downscaled copy
 * (long side <= 800 px) and the result is brought back to full size with a soft edge; where the
 * refinement agrees with the automatic cutout that the pixel is product, the automatic edge alpha
 * (finer) is kept.
 */
import { loadOpenCv } from '../fidelity/opencv';
import { cropRaw, downscaleRgba, resizePlaneBilinear, type BBox, type RawImage, type RawMask } from '../raw-image';
import { components } from '../morphology';
import { maskGeometry } from './alpha';
import { partsAndContact } from './holes';
import type { CutoutResult } from './types';

/** A brush stroke in source-relative coordinates: x and y in 0..1 of the photo's width and height. */
export interface RefineStroke {
  mode: 'keep' | 'remove';
  /** brush radius as a fraction of the photo's long side */
  radius: number;
  points: Array<{ x: number; y: number }>;
}

export const REFINE_DEFAULTS = {
  /** long side of the grabCut resolution */
  maxSide: 800,
  iterations: 4,
  /** background margin around the product and strokes, as a fraction of the long side */
  margin: 0.08,
  /** grabCut's colour models are seeded by k-means: a fixed seed makes a refinement repeatable */
  seed: 12345,
} as const;

export interface RefineOptions {
  maxSide?: number;
  iterations?: number;
}

/** What a mask says about the product: the same geometry the automatic cutout reports. */
export interface MaskSummary {
  bbox: BBox;
  areaFraction: number;
  holes: number;
  parts: number;
  borderContact: number;
}

export interface RefinedMask extends MaskSummary {
  width: number;
  height: number;
  /** full-resolution alpha, 0 = background, 255 = product */
  mask: Uint8Array;
  /** share of the photo whose product / background decision differs from the automatic cutout */
  changedFraction: number;
  /** intersection over union with the automatic cutout (alpha >= 128) */
  agreement: number;
  /** false when there was nothing to refine (no stroke, or only one side known) and the input came back */
  refined: boolean;
  ms: number;
}

// grabCut's labels
const GC_BGD = 0, GC_FGD = 1, GC_PR_BGD = 2, GC_PR_FGD = 3;

/** Paints the strokes into a label plane of size (w, h): every pixel within the radius of a segment. */
export function paintStrokes(labels: Uint8Array, w: number, h: number, strokes: RefineStroke[]): { keep: number; remove: number } {
  const long = Math.max(w, h);
  const painted = { keep: 0, remove: 0 };
  for (const s of strokes) {
    const value = s.mode === 'keep' ? GC_FGD : GC_BGD;
    const r = Math.max(0.75, s.radius * long);
    const pts = s.points.map((p) => ({ x: p.x * w, y: p.y * h }));
    if (pts.length === 1) pts.push(pts[0]);
    for (let k = 1; k < pts.length; k++) {
      const a = pts[k - 1], b = pts[k];
      const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - r)), x1 = Math.min(w - 1, Math.ceil(Math.max(a.x, b.x) + r));
      const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - r)), y1 = Math.min(h - 1, Math.ceil(Math.max(a.y, b.y) + r));
      const dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const cx = x + 0.5, cy = y + 0.5;
          const t = len2 ? Math.max(0, Math.min(1, ((cx - a.x) * dx + (cy - a.y) * dy) / len2)) : 0;
          const ex = a.x + t * dx - cx, ey = a.y + t * dy - cy;
          if (ex * ex + ey * ey <= r * r) {
            const i = y * w + x;
            if (labels[i] !== value) painted[s.mode]++;
            labels[i] = value;
          }
        }
      }
    }
  }
  return painted;
}

/** Geometry of any full-resolution mask (a refined or adopted one), as the automatic cutout reports it. */
export function summarizeMask(mask: Uint8Array, width: number, height: number): MaskSummary {
  const { bbox, areaFraction } = maskGeometry(mask, width, height);
  // parts, holes and frame contact are judged at the automatic cutout's analysis scale
  const scale = Math.min(1, 1024 / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale)), h = Math.max(1, Math.round(height * scale));
  const small = resizePlaneBilinear(mask, width, height, w, h);
  const bin = new Uint8Array(w * h);
  for (let i = 0; i < bin.length; i++) bin[i] = small[i] >= 128 ? 255 : 0;
  const { parts, borderContact } = partsAndContact(bin, w, h);
  const minHole = Math.max(12, Math.round(w * h * 0.0002));
  const gaps = components(w, h, (i) => bin[i] === 0, false);
  let holes = 0;
  for (let l = 1; l <= gaps.count; l++) if (!gaps.touchesBorder[l] && gaps.areas[l] >= minHole) holes++;
  return {
    bbox,
    areaFraction: Math.round(areaFraction * 1e6) / 1e6,
    holes,
    parts,
    borderContact: Math.round(borderContact * 1e4) / 1e4,
  };
}

/**
 * Refines `initial` (a full-resolution alpha of `working`, usually the automatic cutout's) with
 * the strokes. Deterministic: the same photo, mask and strokes give the same mask.
 */
export async function refineMask(working: RawImage, initial: Uint8Array, strokes: RefineStroke[], options: RefineOptions = {}): Promise<RefinedMask> {
  const t0 = Date.now();
  const W = working.width, H = working.height;
  if (initial.length !== W * H) throw new Error(`The mask has ${initial.length} pixels, the photo ${W * H}.`);
  const { image: small } = downscaleRgba(working, options.maxSide ?? REFINE_DEFAULTS.maxSide);
  const w = small.width, h = small.height, n = w * h;
  const initialSmall = resizePlaneBilinear(initial, W, H, w, h);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) labels[i] = initialSmall[i] >= 128 ? GC_PR_FGD : GC_PR_BGD;
  paintStrokes(labels, w, h, strokes);

  let hasFg = false, hasBg = false;
  for (let i = 0; i < n && !(hasFg && hasBg); i++) {
    if (labels[i] === GC_FGD || labels[i] === GC_PR_FGD) hasFg = true;
    else hasBg = true;
  }
  if (!strokes.length) {
    // nothing to correct: the mask as it is (a confirmation of the automatic cutout)
    const mask = initial.slice();
    return { width: W, height: H, mask, ...summarizeMask(mask, W, H), changedFraction: 0, agreement: 1, refined: false, ms: Date.now() - t0 };
  }
  let refinedSmall: Uint8Array;
  const refined = hasFg && hasBg;
  if (refined) {
    // Only the region around the product and the strokes is cut: far background stays background,
    // and grabCut's time follows the piece's size, not the photo's.
    const roi = regionOfInterest(labels, w, h);
    const cut = await grabCut(cropRaw(small, roi), cropPlane(labels, w, roi), options.iterations ?? REFINE_DEFAULTS.iterations);
    refinedSmall = new Uint8Array(n);
    for (let y = 0; y < roi.height; y++) refinedSmall.set(cut.subarray(y * roi.width, (y + 1) * roi.width), (roi.y + y) * w + roi.x);
  } else {
    // grabCut needs both sides: a mask all product or all background is taken as the strokes say
    refinedSmall = new Uint8Array(n);
    for (let i = 0; i < n; i++) refinedSmall[i] = labels[i] === GC_FGD || labels[i] === GC_PR_FGD ? 255 : 0;
  }

  // Soft edge: a 3x3 box blur of the binary result, then bilinear to full size.
  const soft = new Uint8Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0, c = 0;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) { s += refinedSmall[yy * w + xx]; c++; }
      soft[y * w + x] = Math.round(s / c);
    }
  }
  const up = resizePlaneBilinear(soft, w, h, W, H);
  const mask = new Uint8Array(W * H);
  let changed = 0, inter = 0, union = 0;
  for (let i = 0; i < mask.length; i++) {
    const a = initial[i] >= 128, b = up[i] >= 128;
    // agreeing on product: the automatic edge (finer); on background: whichever is more transparent,
    // so the old soft edge does not linger as a faint outline where the product was removed
    mask[i] = a !== b ? up[i] : a ? initial[i] : Math.min(initial[i], up[i]);
    if (a !== b) changed++;
    if (a && b) inter++;
    if (a || b) union++;
  }
  // a photo's own transparency is never made opaque
  for (let i = 0, p = 3; i < mask.length; i++, p += 4) if (working.data[p] < 255) mask[i] = Math.min(mask[i], working.data[p]);
  return {
    width: W,
    height: H,
    mask,
    ...summarizeMask(mask, W, H),
    changedFraction: Math.round((changed / mask.length) * 1e5) / 1e5,
    agreement: union ? Math.round((inter / union) * 1e4) / 1e4 : 1,
    refined,
    ms: Date.now() - t0,
  };
}

/** The box around every pixel that is not probable background, with a margin of background for grabCut to learn from. */
function regionOfInterest(labels: Uint8Array, w: number, h: number): BBox {
  let minX = w, minY = h, maxX = -1, maxY = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (labels[y * w + x] === GC_PR_BGD) continue;
      if (x < minX) minX = x; if (x > maxX) maxX = x; if (y < minY) minY = y; if (y > maxY) maxY = y;
    }
  }
  const m = Math.max(16, Math.round(REFINE_DEFAULTS.margin * Math.max(w, h)));
  const x0 = Math.max(0, minX - m), y0 = Math.max(0, minY - m);
  const x1 = Math.min(w - 1, maxX + m), y1 = Math.min(h - 1, maxY + m);
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

function cropPlane(plane: Uint8Array, w: number, b: BBox): Uint8Array {
  const out = new Uint8Array(b.width * b.height);
  for (let y = 0; y < b.height; y++) out.set(plane.subarray((b.y + y) * w + b.x, (b.y + y) * w + b.x + b.width), y * b.width);
  return out;
}

/** grabCut with GC_INIT_WITH_MASK on an RGBA image; returns 255 where it decided product. */
async function grabCut(img: RawImage, labels: Uint8Array, iterations: number): Promise<Uint8Array> {
  const { cv } = await loadOpenCv();
  const { width: w, height: h } = img;
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0, p = 0, q = 0; i < w * h; i++, p += 4, q += 3) {
    // transparent pixels are seen on white, as every shot shows them
    const a = img.data[p + 3] / 255;
    rgb[q] = Math.round(img.data[p] * a + 255 * (1 - a));
    rgb[q + 1] = Math.round(img.data[p + 1] * a + 255 * (1 - a));
    rgb[q + 2] = Math.round(img.data[p + 2] * a + 255 * (1 - a));
  }
  const src = cv.matFromArray(h, w, cv.CV_8UC3, rgb);
  const mask = cv.matFromArray(h, w, cv.CV_8UC1, labels);
  const bgd = new cv.Mat();
  const fgd = new cv.Mat();
  const rect = new cv.Rect(0, 0, w, h);
  try {
    cv.setRNGSeed(REFINE_DEFAULTS.seed);
    cv.grabCut(src, mask, rect, bgd, fgd, iterations, cv.GC_INIT_WITH_MASK);
    const out = new Uint8Array(w * h);
    const m = mask.data as Uint8Array;
    for (let i = 0; i < out.length; i++) out[i] = m[i] === GC_FGD || m[i] === GC_PR_FGD ? 255 : 0;
    return out;
  } finally {
    src.delete();
    mask.delete();
    bgd.delete();
    fgd.delete();
  }
}

/**
 * The automatic cutout with its mask replaced by a confirmed one (resized to the photo when its
 * size differs): what the reference fingerprint and the local shots are made from.
 */
export function cutoutWithMask(c: CutoutResult, mask: RawMask): CutoutResult {
  if (mask.data.length !== mask.width * mask.height) throw new Error(`The mask is ${mask.width}x${mask.height} but has ${mask.data.length} pixels.`);
  const data = mask.width === c.width && mask.height === c.height ? mask.data : resizePlaneBilinear(mask.data, mask.width, mask.height, c.width, c.height);
  return { ...c, mask: data, ...summarizeMask(data, c.width, c.height) };
}

/**
 * Compare the source product with a scene image where registration found it. The warped source
 * and the candidate are read on one small grid over the product's box; the scene's light is
 * fitted on the product (a gain and offset on lightness, a white-balance shift on a and b) and
 * only what that fit cannot explain is judged: a recolour of a part or of the whole piece, a
 * part added or removed, a stretch. A registration that found nothing gives "cannot verify".
 */
import { deltaE2000, rgbaToLabPlanes } from '../color';
import type { Fingerprint } from '../fingerprint';
import { boxBlur, components, dilate, erode } from '../morphology';
import type { QcCheck, QcStatus, QcUnit } from '../qc';
import { downscaleRgba, type RawImage } from '../raw-image';
import { applyAffine, composeAffine, invertAffine, type Registration } from './registration';
import type { Affine } from './similarity';
import { unverified } from './verdict';

export interface SceneCompareOptions {
  role: string;
  /** the product's real long side, mm, and the scene's scale, px per mm, when both are known */
  productLongSideMm?: number | null;
  pxPerMm?: number | null;
  /** the product's category and description (chains, cords and beads are judged by a person) */
  category?: string | null;
  description?: string | null;
}

/**
 * Limits for scenes, set on the odd-numbered photos (scripts/fidelity-scenes.ts): on their
 * unchanged scenes the largest values were ΔE2000 3.2 overall and 5.5 for a patch, a white-balance
 * shift of 7.1, a changed patch of 0.1%, a stretch of 5.3%, new colours touching the piece over
 * 1.0% of the square on its length, and no patch that lost its detail (0.0%).
 */
export const SCENE_LIMITS = {
  /** ΔE2000 of the piece's overall colour once the scene's light is fitted */
  COLOR_GLOBAL_WARN: 3.5,
  COLOR_GLOBAL_FAIL: 5,
  /** ΔE2000 of the most changed patch (about 6% of the piece across), light fitted */
  COLOR_LOCAL_WARN: 9,
  COLOR_LOCAL_FAIL: 12,
  /** a white-balance shift larger than a scene's light plausibly makes (Lab a/b units) */
  WB_SHIFT_WARN: 7,
  WB_SHIFT_FAIL: 9,
  /** largest patch that changed (ΔE2000 over STRUCT_DE), % of the piece's area */
  STRUCT_DE: 18,
  STRUCT_WARN: 1.2,
  STRUCT_FAIL: 2.5,
  /** larger / smaller axis scale of the registration (1 = none) */
  ANISOTROPY_WARN: 1.06,
  ANISOTROPY_FAIL: 1.1,
  /** inliers needed to trust a measured stretch */
  ANISOTROPY_MIN_INLIERS: 15,
  /** relative error of the product's size against mm x px/mm */
  SIZE_WARN: 0.1,
  SIZE_FAIL: 0.2,
  /** below this share of the piece inside its rim, parts cannot be compared one by one */
  MIN_INTERIOR_SHARE: 0.12,
  /** long side of the comparison grid over the product, px */
  GRID_LONG_SIDE: 256,
  /** how far beside the piece something added is looked for, fraction of the piece's long side */
  BESIDE_REACH: 0.08,
  /** colour distance (Lab, lightness at half weight: shadows are not parts) from both the
   *  piece's colours and its surroundings' above which a pixel beside the piece is new */
  BESIDE_DE: 20,
  /** window over which the piece's detail is compared, fraction of its long side */
  FLAT_WINDOW: 0.04,
  /** lightness spread (L units, light fitted) below which the source has no detail to lose */
  FLAT_MIN_DETAIL: 6,
  /** candidate spread below this share of the source's: the detail is gone */
  FLAT_RATIO: 0.35,
  /** largest patch whose detail is gone, % of the piece's area */
  FLAT_WARN: 1,
  FLAT_FAIL: 2,
  /** largest such patch touching the piece, % of the square on its long side */
  BESIDE_WARN: 1.5,
  BESIDE_FAIL: 2.5,
} as const;

/** Chains, cords and beads: thin, flexible pieces whose worn shape differs from the photo's. */
export function isFlexibleCategory(category?: string | null, description?: string | null): boolean {
  const c = (category ?? '').toLowerCase();
  const d = (description ?? '').toLowerCase();
  if (/ring|earring|stud/.test(c)) return false;
  if (c === 'pendant') return /\bcord\b/.test(d) && !/chain/.test(d) ? true : false;
  if (c === 'bracelet') return !/bangle|cuff/.test(d);
  if (c === 'necklace' || c === 'chain' || c === 'anklet') return true;
  return /chain|cord|bead|strand|choker|lariat/.test(d);
}

/** Thin pieces from the mask's shape: little of it survives an erosion of 1.5% of its size. */
export function isThinMask(mask: Uint8Array, w: number, h: number): boolean {
  let x0 = w, y0 = h, x1 = -1, y1 = -1, area = 0;
  const bin = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (mask[y * w + x] < 128) continue;
    bin[y * w + x] = 255;
    area++;
    if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
  }
  if (!area) return false;
  const r = Math.max(1, Math.round(0.015 * Math.max(x1 - x0, y1 - y0)));
  const e = erode(bin, w, h, r);
  let kept = 0;
  for (let i = 0; i < e.length; i++) if (e[i]) kept++;
  return kept / area < 0.25;
}

interface Grid {
  w: number;
  h: number;
  /** candidate, warped source (Lab planes) and warped source mask on the grid */
  cand: { L: Float32Array; A: Float32Array; B: Float32Array };
  src: { L: Float32Array; A: Float32Array; B: Float32Array };
  mask: Uint8Array;
  /** grid px per candidate px */
  k: number;
}

function bilinearRgba(img: RawImage, x: number, y: number, out: Float32Array): boolean {
  if (x < 0 || y < 0 || x > img.width - 1 || y > img.height - 1) return false;
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const x1 = Math.min(img.width - 1, x0 + 1), y1 = Math.min(img.height - 1, y0 + 1);
  const tx = x - x0, ty = y - y0;
  const d = img.data, W = img.width;
  for (let c = 0; c < 4; c++) {
    const a = d[(y0 * W + x0) * 4 + c], b = d[(y0 * W + x1) * 4 + c], e = d[(y1 * W + x0) * 4 + c], f = d[(y1 * W + x1) * 4 + c];
    out[c] = (a * (1 - tx) + b * tx) * (1 - ty) + (e * (1 - tx) + f * tx) * ty;
  }
  return true;
}

/** The candidate's box and the source warped onto it, on one grid of about GRID_LONG_SIDE px. */
function sampleGrid(source: RawImage, sourceMask: Uint8Array, candidate: RawImage, reg: Registration): Grid {
  // wide enough for the surroundings beside the piece (three times BESIDE_REACH) to be read
  const pad = (3 * SCENE_LIMITS.BESIDE_REACH + 0.04) * Math.max(reg.box.width, reg.box.height);
  const bx = Math.max(0, Math.floor(reg.box.x - pad)), by = Math.max(0, Math.floor(reg.box.y - pad));
  const bw = Math.min(candidate.width, Math.ceil(reg.box.x + reg.box.width + pad)) - bx;
  const bh = Math.min(candidate.height, Math.ceil(reg.box.y + reg.box.height + pad)) - by;
  const k = Math.min(1, SCENE_LIMITS.GRID_LONG_SIDE / Math.max(1, reg.productLongSidePx));
  // candidate box, area-averaged down to the grid
  const crop = new Uint8Array(bw * bh * 4);
  for (let row = 0; row < bh; row++) crop.set(candidate.data.subarray(((by + row) * candidate.width + bx) * 4, ((by + row) * candidate.width + bx + bw) * 4), row * bw * 4);
  const small = downscaleRgba({ data: crop, width: bw, height: bh, channels: 4 }, Math.max(8, Math.round(Math.max(bw, bh) * k)));
  const w = small.image.width, h = small.image.height, n = w * h;
  const kx = w / bw, ky = h / bh;
  // source, area-averaged to about the grid's resolution, so warping does not alias
  const srcScale = Math.min(1, reg.scale * Math.max(kx, ky) * 1.2);
  const srcSmall = srcScale < 0.9 ? downscaleRgba(withMask(source, sourceMask), Math.max(8, Math.round(Math.max(source.width, source.height) * srcScale))) : { image: withMask(source, sourceMask), scale: 1 };
  const sw = srcSmall.image.width / source.width, sh = srcSmall.image.height / source.height;
  // grid px -> candidate px -> source px -> small source px
  const gridToCand: Affine = [1 / kx, 0, bx, 0, 1 / ky, by];
  const m = composeAffine([sw, 0, 0, 0, sh, 0], composeAffine(invertAffine(reg.affine), gridToCand));
  const warped = new Uint8Array(n * 4);
  const mask = new Uint8Array(n);
  const px = new Float32Array(4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const [u, v] = applyAffine(m, x + 0.5, y + 0.5);
    if (!bilinearRgba(srcSmall.image, u - 0.5, v - 0.5, px)) continue;
    const i = y * w + x;
    warped[i * 4] = px[0]; warped[i * 4 + 1] = px[1]; warped[i * 4 + 2] = px[2]; warped[i * 4 + 3] = 255;
    mask[i] = Math.round(px[3]);
  }
  return { w, h, cand: rgbaToLabPlanes(small.image.data, n), src: rgbaToLabPlanes(warped, n), mask, k: (kx + ky) / 2 };
}

/** The source with its product mask as alpha (so both are resampled together). */
function withMask(source: RawImage, mask: Uint8Array): RawImage {
  const data = Uint8Array.from(source.data);
  for (let i = 0; i < mask.length; i++) data[i * 4 + 3] = mask[i];
  return { data, width: source.width, height: source.height, channels: 4 };
}

const median = (v: number[]): number => {
  if (!v.length) return 0;
  const s = v.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

interface LightFit {
  gain: number;
  offset: number;
  da: number;
  db: number;
}

/** The scene's light on the product: L' = gain L + offset (least squares, trimmed), a/b shifted by medians. */
function fitLight(g: Grid, sel: Uint8Array): LightFit {
  const idx: number[] = [];
  for (let i = 0; i < sel.length; i++) if (sel[i]) idx.push(i);
  const fitL = (ids: number[]) => {
    let sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const i of ids) { const x = g.src.L[i], y = g.cand.L[i]; sx += x; sy += y; sxx += x * x; sxy += x * y; }
    const n = ids.length, vx = sxx - (sx * sx) / n;
    let gain = vx > 1e-6 * n ? (sxy - (sx * sy) / n) / vx : 1;
    gain = Math.max(0.5, Math.min(2, gain));
    return { gain, offset: (sy - gain * sx) / n };
  };
  let { gain, offset } = fitL(idx);
  // refit without the worst quarter: a changed part should not bend the light
  const res = idx.map((i) => Math.abs(g.cand.L[i] - (gain * g.src.L[i] + offset)));
  const cut = median(res) * 2 + 1;
  const keep = idx.filter((_, j) => res[j] <= cut);
  if (keep.length > 20) ({ gain, offset } = fitL(keep));
  const da = median(keep.map((i) => g.cand.A[i] - g.src.A[i]));
  const db = median(keep.map((i) => g.cand.B[i] - g.src.B[i]));
  return { gain, offset, da, db };
}

export interface SceneMeasures {
  globalDE: number;
  localDE: number;
  wbShift: number;
  changedPct: number;
  anisotropy: number;
  sizeError: number | null;
  thin: boolean;
  /** share of the piece left once its rim is set aside: what the part-by-part comparison sees */
  interiorShare: number;
  /** largest patch just beside the piece in colours neither of the piece nor of its surroundings, % of the square on its long side */
  addedPct: number;
  /** largest patch of the piece whose detail is gone (flat where the source has texture), % of the piece's area */
  flattenedPct: number;
}

/**
 * A part removed where the piece lay on a surface of its own colour (silver on a pale backdrop)
 * changes no colour: what changes is that the part's detail (its edges, facets, highlights) is
 * gone. Per window of the piece, the spread of lightness in the source (scaled by the scene's
 * light) against the candidate's; a patch of windows where the source has detail and the
 * candidate is flat has lost it.
 */
function flattened(g: Grid, sel: Uint8Array, light: LightFit, productLongGrid: number, area: number): number {
  const { w, h } = g, n = w * h;
  const r = Math.max(2, Math.round(SCENE_LIMITS.FLAT_WINDOW * productLongGrid));
  const on = new Float32Array(n), s1 = new Float32Array(n), s2 = new Float32Array(n), c1 = new Float32Array(n), c2 = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (!sel[i]) continue;
    on[i] = 1;
    const sl = light.gain * g.src.L[i], cl = g.cand.L[i];
    s1[i] = sl; s2[i] = sl * sl; c1[i] = cl; c2[i] = cl * cl;
  }
  const [den, ms1, ms2, mc1, mc2] = [on, s1, s2, c1, c2].map((p) => boxBlur(p, w, h, r));
  const flat = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!sel[i] || den[i] < 0.5) continue;
    const ms = ms1[i] / den[i], mc = mc1[i] / den[i];
    const ss = Math.sqrt(Math.max(0, ms2[i] / den[i] - ms * ms)), sc = Math.sqrt(Math.max(0, mc2[i] / den[i] - mc * mc));
    if (ss >= SCENE_LIMITS.FLAT_MIN_DETAIL && sc < SCENE_LIMITS.FLAT_RATIO * ss) flat[i] = 1;
  }
  const comps = components(w, h, (i) => flat[i] !== 0);
  let largest = 0;
  for (let c = 1; c <= comps.count; c++) largest = Math.max(largest, comps.areas[c]);
  return area ? (100 * largest) / area : 0;
}

/**
 * Something added beside the piece (a stone set on its edge, a charm in its opening) lies outside
 * the source's outline, where the source says nothing. It shows as colours found neither on the
 * piece (light fitted) nor commonly in a band of surroundings further out; the rim itself is left
 * out, as it blends the piece with whatever it lies on.
 */
function addedBeside(g: Grid, light: LightFit, productLongGrid: number): number {
  const { w, h } = g, n = w * h;
  const reach = Math.max(2, Math.round(SCENE_LIMITS.BESIDE_REACH * productLongGrid));
  const any = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (g.mask[i] >= 16) any[i] = 255;
  const rim = dilate(any, w, h, 2), near = dilate(any, w, h, reach);
  // the surroundings: a band further out, clear of anything the size of the reach that touches the piece
  const inner = dilate(any, w, h, Math.round(1.5 * reach)), outer = dilate(any, w, h, 3 * reach);
  const pick = (sel: (i: number) => boolean, max: number): number[] => {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (sel(i)) idx.push(i);
    const step = Math.max(1, Math.ceil(idx.length / max));
    return idx.filter((_, j) => j % step === 0);
  };
  const t2 = SCENE_LIMITS.BESIDE_DE ** 2;
  const near2 = (x: number[], i: number, y: number[], j: number) => {
    const dl = 0.5 * (x[i] - y[j]), da = x[i + 1] - y[j + 1], db = x[i + 2] - y[j + 2];
    return dl * dl + da * da + db * db <= t2;
  };
  const ring: number[] = [];
  for (const i of pick((i) => outer[i] !== 0 && !inner[i], 400)) ring.push(g.cand.L[i], g.cand.A[i], g.cand.B[i]);
  // a colour of the surroundings counts when it is common there, not where a stray spot shows it
  const known: number[] = [];
  const support = Math.max(3, Math.round(0.02 * (ring.length / 3)));
  for (let i = 0; i < ring.length; i += 3) {
    let c = 0;
    for (let j = 0; j < ring.length && c < support; j += 3) if (near2(ring, i, ring, j)) c++;
    if (c >= support) known.push(ring[i], ring[i + 1], ring[i + 2]);
  }
  for (const i of pick((i) => g.mask[i] >= 128, 400)) known.push(light.gain * g.src.L[i] + light.offset, g.src.A[i] + light.da, g.src.B[i] + light.db);
  if (!known.length) return 0;
  // new colours anywhere out to the surroundings, then only the patches that touch the piece's
  // near side count, at their whole size (a stone reaching past the near band is still one stone)
  const novel = new Uint8Array(n);
  const px = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    if (!outer[i] || rim[i]) continue;
    px[0] = g.cand.L[i]; px[1] = g.cand.A[i]; px[2] = g.cand.B[i];
    let isNew = true;
    for (let j = 0; j < known.length && isNew; j += 3) if (near2(known, j, px, 0)) isNew = false;
    if (isNew) novel[i] = 1;
  }
  const comps = components(w, h, (i) => novel[i] !== 0);
  const touches = new Uint8Array(comps.count + 1);
  for (let i = 0; i < n; i++) if (comps.labels[i] && near[i]) touches[comps.labels[i]] = 1;
  let largest = 0;
  for (let c = 1; c <= comps.count; c++) if (touches[c]) largest = Math.max(largest, comps.areas[c]);
  // against the square on the piece's long side: a stone's size is judged against the piece's
  // size, whether the piece is a solid disc or a thin chain
  return (100 * largest) / (productLongGrid * productLongGrid);
}

/** The numbers behind the checks (exported for the evaluation and the difference map). */
export function measureScene(source: RawImage, sourceMask: Uint8Array, candidate: RawImage, reg: Registration, opts: SceneCompareOptions): { measures: SceneMeasures; residual: Float32Array; grid: { w: number; h: number; mask: Uint8Array; k: number } } {
  const g = sampleGrid(source, sourceMask, candidate, reg);
  const { w, h } = g, n = w * h;
  const bin = new Uint8Array(n);
  let area = 0;
  for (let i = 0; i < n; i++) if (g.mask[i] >= 128) { bin[i] = 255; area++; }
  // the inside of the piece: a pixel of misregistration at the rim is not a change
  const inner = erode(bin, w, h, 1);
  let innerCount = 0;
  for (let i = 0; i < n; i++) if (inner[i]) innerCount++;
  const sel = innerCount > 30 ? inner : bin;
  const light = fitLight(g, sel);
  // per-pixel ΔE2000 after the light fit, the best within ±2 grid px (alignment tolerance),
  // judged on the inside of the piece: its rim mixes with whatever surface it lies on
  const residual = new Float32Array(n);
  const lab = { l: 0, a: 0, b: 0 }, ref = { l: 0, a: 0, b: 0 };
  const zone = sel;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    if (!zone[i]) continue;
    lab.l = g.cand.L[i]; lab.a = g.cand.A[i]; lab.b = g.cand.B[i];
    let best = Infinity, bj = i;
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
      const xx = x + dx, yy = y + dy;
      if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
      const j = yy * w + xx;
      if (g.mask[j] < 64) continue;
      const dl = light.gain * g.src.L[j] + light.offset - lab.l, d1 = g.src.A[j] + light.da - lab.a, d2 = g.src.B[j] + light.db - lab.b;
      const e = dl * dl + d1 * d1 + d2 * d2;
      if (e < best) { best = e; bj = j; }
    }
    if (best === Infinity) continue;
    ref.l = light.gain * g.src.L[bj] + light.offset; ref.a = g.src.A[bj] + light.da; ref.b = g.src.B[bj] + light.db;
    residual[i] = deltaE2000(ref, lab);
  }
  // overall colour: mean colours of the piece, light fitted
  let sl = 0, sa = 0, sb = 0, cl = 0, ca = 0, cb = 0, m = 0;
  for (let i = 0; i < n; i++) {
    if (!sel[i]) continue;
    sl += light.gain * g.src.L[i] + light.offset; sa += g.src.A[i] + light.da; sb += g.src.B[i] + light.db;
    cl += g.cand.L[i]; ca += g.cand.A[i]; cb += g.cand.B[i]; m++;
  }
  const globalDE = m ? deltaE2000({ l: sl / m, a: sa / m, b: sb / m }, { l: cl / m, a: ca / m, b: cb / m }) : 0;
  // the most changed patch: residual averaged over a window of ~6% of the piece, on the piece
  const r = Math.max(1, Math.round(0.03 * Math.max(w, h)));
  const on = new Float32Array(n);
  const resOn = new Float32Array(n);
  for (let i = 0; i < n; i++) if (zone[i]) { on[i] = 1; resOn[i] = residual[i]; }
  const num = boxBlur(resOn, w, h, r), den = boxBlur(on, w, h, r);
  let localDE = 0;
  for (let i = 0; i < n; i++) if (bin[i] && den[i] > 0.3) localDE = Math.max(localDE, num[i] / den[i]);
  // the largest connected patch that changed, as a share of the piece
  const comps = components(w, h, (i) => zone[i] !== 0 && residual[i] >= SCENE_LIMITS.STRUCT_DE);
  let largest = 0;
  for (let c = 1; c <= comps.count; c++) largest = Math.max(largest, comps.areas[c]);
  const changedPct = area ? (100 * largest) / area : 0;
  const addedPct = addedBeside(g, light, reg.productLongSidePx * g.k);
  const flattenedPct = flattened(g, sel, light, reg.productLongSidePx * g.k, area);
  let sizeError: number | null = null;
  if (opts.productLongSideMm && opts.pxPerMm && reg.productLongSidePx > 0) {
    sizeError = reg.productLongSidePx / (opts.productLongSideMm * opts.pxPerMm) - 1;
  }
  return {
    measures: {
      globalDE,
      localDE,
      wbShift: Math.hypot(light.da, light.db),
      changedPct,
      anisotropy: reg.anisotropy,
      sizeError,
      thin: isThinMask(g.mask, w, h),
      interiorShare: area ? innerCount / area : 0,
      addedPct,
      flattenedPct,
    },
    residual,
    grid: { w, h, mask: g.mask, k: g.k },
  };
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const grade = (v: number, warn: number, fail: number): QcStatus => (v >= fail ? 'fail' : v >= warn ? 'warn' : 'pass');

/**
 * The scene's fidelity checks ('fidelity.color', 'fidelity.structure', 'fidelity.scale'),
 * each with a message an editor understands. `reference` is the product's fingerprint (its
 * stored measures); the pixels compared are the source's.
 */
export function compareScene(source: RawImage, sourceMask: Uint8Array, candidate: RawImage, reg: Registration, _reference: Fingerprint | null, opts: SceneCompareOptions): QcCheck[] {
  if (!reg.found) {
    return unverified(`Cannot verify: ${reg.reason ?? 'the product was not found in this image with confidence.'} A person must compare it with the source photo.`);
  }
  const L = SCENE_LIMITS;
  const { measures: s } = measureScene(source, sourceMask, candidate, reg, opts);
  const flexible = isFlexibleCategory(opts.category, opts.description) || (!opts.category && s.thin);
  // A thin, flexible piece drapes differently in every scene: a measured change may be the drape.
  const personMustLook = (msg: string, status: QcStatus) =>
    status === 'fail' && flexible ? `A person must look: this is a chain, cord or bead piece, whose shape changes as it is worn, so this may be the drape rather than an edit. Here is why it was flagged: ${msg}` : msg;

  const wbStatus = grade(s.wbShift, L.WB_SHIFT_WARN, L.WB_SHIFT_FAIL);
  const globalStatus = grade(s.globalDE, L.COLOR_GLOBAL_WARN, L.COLOR_GLOBAL_FAIL);
  const localStatus = grade(s.localDE, L.COLOR_LOCAL_WARN, L.COLOR_LOCAL_FAIL);
  const colorStatus = [wbStatus, globalStatus, localStatus].sort((a, b) => rank(b) - rank(a))[0];
  let colorMsg: string;
  if (colorStatus === 'pass') {
    colorMsg = `Colours match the source once the scene's light is allowed for (overall ΔE2000 ${r1(s.globalDE)}, most changed patch ${r1(s.localDE)}, limits ${L.COLOR_GLOBAL_FAIL} and ${L.COLOR_LOCAL_FAIL}).`;
  } else if (localStatus === colorStatus && s.localDE / L.COLOR_LOCAL_FAIL >= Math.max(s.globalDE / L.COLOR_GLOBAL_FAIL, s.wbShift / L.WB_SHIFT_FAIL)) {
    colorMsg = `Part of the piece changed colour: ΔE2000 ${r1(s.localDE)} in the most changed patch once the scene's light is allowed for (limit ${L.COLOR_LOCAL_FAIL}). A stone or part may have been recoloured.`;
  } else if (wbStatus === colorStatus && s.wbShift / L.WB_SHIFT_FAIL >= s.globalDE / L.COLOR_GLOBAL_FAIL) {
    colorMsg = `The whole piece is tinted more than a scene's light explains: a shift of ${r1(s.wbShift)} Lab units in hue (limit ${L.WB_SHIFT_FAIL}). The metal or stones may have been recoloured.`;
  } else {
    colorMsg = `ΔE2000 ${r1(s.globalDE)} between the piece's colours and the source's once the scene's light is allowed for (limit ${L.COLOR_GLOBAL_FAIL}). The metal or stones may have been recoloured.`;
  }

  // Three ways a part shows added or removed; the one furthest past its limit speaks.
  const structural = [
    { value: s.changedPct, warn: L.STRUCT_WARN, fail: L.STRUCT_FAIL, says: `A patch covering ${r1(s.changedPct)}% of the piece differs from the source where it was found (limit ${L.STRUCT_FAIL}%): a stone or part may have been added or removed.` },
    { value: s.addedPct, warn: L.BESIDE_WARN, fail: L.BESIDE_FAIL, says: `Something touching the piece from outside its outline, ${r1(s.addedPct)}% of the square on its length (limit ${L.BESIDE_FAIL}%), has colours found neither on the piece nor around it: a stone or part may have been added beside the piece.` },
    { value: s.flattenedPct, warn: L.FLAT_WARN, fail: L.FLAT_FAIL, says: `A patch covering ${r1(s.flattenedPct)}% of the piece has lost the detail the source shows there (limit ${L.FLAT_FAIL}%): a part may have been removed, leaving the surface behind it.` },
  ];
  const lead = structural.reduce((a, b) => (b.value / b.fail > a.value / a.fail ? b : a));
  let structStatus = grade(lead.value, lead.warn, lead.fail);
  let structMsg =
    structStatus === 'pass'
      ? `The piece lines up with the source where it was found (largest changed patch ${r1(s.changedPct)}% of the piece, limit ${L.STRUCT_FAIL}%), keeps its detail, and nothing new touches it.`
      : lead.says;

  if (structStatus !== 'fail' && s.interiorShare < L.MIN_INTERIOR_SHARE) {
    // Nothing measured cannot be a pass: a chain a pixel or two wide here has no inside to compare.
    structStatus = 'unverified';
    structMsg = `Cannot verify the parts: the piece is too thin at this size to compare part by part (${Math.round(s.interiorShare * 100)}% of it lies away from its edges, ${Math.round(L.MIN_INTERIOR_SHARE * 100)}% needed), so a link, bead or charm added or removed would not be seen. A person must look at it beside the source.`;
  }
  let scaleStatus: QcStatus = 'pass';
  let scaleMsg = `The piece keeps its proportions (stretch ${r1((s.anisotropy - 1) * 100)}%, limit ${r1((L.ANISOTROPY_FAIL - 1) * 100)}%).`;
  let scaleValue: number = Math.round(s.anisotropy * 1000) / 1000;
  let scaleThreshold: number = L.ANISOTROPY_FAIL;
  let scaleUnit: QcUnit = 'stretch';
  if (reg.exact) {
    scaleMsg = `The piece was placed at one scale on both axes and lines up with the source there (a stretch would show as a changed patch).`;
  } else if (!reg.anisotropyMeasurable || (reg.inliers < L.ANISOTROPY_MIN_INLIERS && reg.denseRho === undefined)) {
    // A stretch that cannot be measured is not a pass, nor a mere warning: a person decides.
    scaleStatus = 'unverified';
    scaleMsg = `Cannot verify the proportions: too few matched points${reg.anisotropyMeasurable ? '' : ', or points nearly on one line,'} to measure a stretch here (${reg.inliers}, ${L.ANISOTROPY_MIN_INLIERS} needed, spread across the piece). A person must check that it is not stretched.`;
  } else {
    scaleStatus = grade(s.anisotropy, L.ANISOTROPY_WARN, L.ANISOTROPY_FAIL);
    if (scaleStatus !== 'pass') scaleMsg = `The piece is stretched: ${r1((s.anisotropy - 1) * 100)}% longer one way than the other compared with the source (limit ${r1((L.ANISOTROPY_FAIL - 1) * 100)}%).`;
  }
  if (s.sizeError !== null) {
    const e = Math.abs(s.sizeError);
    const st = grade(e, L.SIZE_WARN, L.SIZE_FAIL);
    if (rank(st) > rank(scaleStatus)) {
      scaleStatus = st;
      scaleValue = Math.round(s.sizeError * 1000) / 1000;
      scaleThreshold = L.SIZE_FAIL;
      scaleUnit = 'change';
      scaleMsg = `The piece is ${Math.round(reg.productLongSidePx)} px long here, ${r1(Math.abs(s.sizeError) * 100)}% ${s.sizeError > 0 ? 'larger' : 'smaller'} than its real ${opts.productLongSideMm} mm at this scene's ${opts.pxPerMm} px/mm (limit ${L.SIZE_FAIL * 100}%).`;
    }
  }
  return [
    { id: 'fidelity.color', status: colorStatus, value: r1(Math.max(s.globalDE, s.localDE)), threshold: L.COLOR_LOCAL_FAIL, unit: 'delta-e', message: personMustLook(colorMsg, colorStatus) },
    { id: 'fidelity.structure', status: structStatus, value: r1(lead.value), threshold: lead.fail, unit: 'percent', message: personMustLook(structMsg, structStatus) },
    { id: 'fidelity.scale', status: scaleStatus, value: scaleValue, threshold: scaleThreshold, unit: scaleUnit, message: personMustLook(scaleMsg, scaleStatus) },
  ];
}

const rank = (s: QcStatus) => ({ pass: 0, warn: 1, unverified: 2, fail: 3 })[s];

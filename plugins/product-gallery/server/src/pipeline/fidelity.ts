/**
 * Fidelity checks: does a candidate image still show the same product as the reference
 * fingerprint? Each check returns plain data with a message written for an editor.
 */
import { deltaE2000, paletteDistance, rgbToLab } from './color';
import { cutout as runCutout, type CutoutResult } from './cutout';
import { GRID, SHARPNESS_SCALES, hammingHex, productFeatures, type Fingerprint, type ProductFeatures } from './fingerprint';
import type { RawImage } from './raw-image';

/** Thresholds (units in each name). warn at *_WARN, fail at *_FAIL. */
export const FIDELITY_THRESHOLDS = {
  /** CIEDE2000 between the mean Lab of the product regions */
  COLOR_MEAN_DE_WARN: 4,
  /** the mean alone never fails: it moves with how much soft edge the cutout keeps (dark cords) */
  COLOR_MEAN_DE_FAIL: Infinity,
  /** weighted CIEDE2000 between dominant-colour palettes */
  COLOR_PALETTE_DE_WARN: 4,
  COLOR_PALETTE_DE_FAIL: 6,
  /** mean symmetric outline distance between bbox-normalised masks, fraction of the product size */
  OUTLINE_WARN: 0.025,
  OUTLINE_FAIL: 0.04,
  /** largest local colour change (Lab distance, 3x3-cell mean) inside the product */
  LOCAL_DE_WARN: 14,
  LOCAL_DE_FAIL: 22,
  /**
   * product cells (of a 32x32 grid) clearly present in one image (coverage >= 25%) with less than a
   * fifth of that within one cell in the other, largest connected group
   */
  MISSING_CELLS_WARN: 2,
  MISSING_CELLS_FAIL: 4,
  /** pHash Hamming distance (of 64 bits) */
  PHASH_WARN: 16,
  /** thin chains make the hash noisy under resampling: it only fails on gross changes */
  PHASH_FAIL: 30,
  /** candidate / reference edge steepness of the normalised product (at a common scale) */
  SHARPNESS_WARN: 0.8,
  SHARPNESS_FAIL: 0.65,
  /** relative change of the product's size in the frame */
  SCALE_WARN: 0.06,
  SCALE_FAIL: 0.1,
} as const;

export const FIDELITY_COLOR_FAIL_DE = FIDELITY_THRESHOLDS.COLOR_PALETTE_DE_FAIL;
export const FIDELITY_SCALE_FAIL = FIDELITY_THRESHOLDS.SCALE_FAIL;

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface FidelityCheck {
  id: 'fidelity.color' | 'fidelity.structure' | 'fidelity.sharpness' | 'fidelity.scale';
  status: CheckStatus;
  value: number | null;
  threshold: number;
  message: string;
  /** the individual measurements behind the verdict */
  metrics?: Record<string, number | null>;
}

export interface FidelityOptions {
  /** expected product long side in candidate pixels (e.g. from mm x px/mm of a scene) */
  expectedLongSidePx?: number;
  /** expected product long side as a fraction of the candidate's long side */
  expectedLongSideFraction?: number;
  /** the candidate claims the same framing as the reference: compare the product's size in the frame */
  sameFraming?: boolean;
  /**
   * Role of the candidate. 'clean' (default) is compared view-for-view. For 'detail' (a crop) and
   * 'model' / 'lifestyle' (another view of the product) the view-dependent structure and sharpness
   * measures cannot prove a change, so they warn at most; colour is checked the same way.
   */
  role?: string;
}

function status(value: number, warn: number, fail: number, higherIsWorse = true): CheckStatus {
  if (higherIsWorse) return value >= fail ? 'fail' : value >= warn ? 'warn' : 'pass';
  return value <= fail ? 'fail' : value <= warn ? 'warn' : 'pass';
}

const r2 = (x: number) => Math.round(x * 100) / 100;

function decodeB64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}

/** Mean symmetric chamfer distance between two binary grids, in cells. */
export function outlineDistance(a: Uint8Array, b: Uint8Array, size: number): number {
  const dt = (m: Uint8Array) => {
    const INF = 1e9, d = new Float32Array(size * size);
    for (let i = 0; i < d.length; i++) d[i] = m[i] ? 0 : INF;
    // two-pass chamfer (1, sqrt2)
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      const i = y * size + x;
      if (x > 0) d[i] = Math.min(d[i], d[i - 1] + 1);
      if (y > 0) d[i] = Math.min(d[i], d[i - size] + 1);
      if (x > 0 && y > 0) d[i] = Math.min(d[i], d[i - size - 1] + Math.SQRT2);
      if (x < size - 1 && y > 0) d[i] = Math.min(d[i], d[i - size + 1] + Math.SQRT2);
    }
    for (let y = size - 1; y >= 0; y--) for (let x = size - 1; x >= 0; x--) {
      const i = y * size + x;
      if (x < size - 1) d[i] = Math.min(d[i], d[i + 1] + 1);
      if (y < size - 1) d[i] = Math.min(d[i], d[i + size] + 1);
      if (x < size - 1 && y < size - 1) d[i] = Math.min(d[i], d[i + size + 1] + Math.SQRT2);
      if (x > 0 && y < size - 1) d[i] = Math.min(d[i], d[i + size - 1] + Math.SQRT2);
    }
    return d;
  };
  const da = dt(a), db = dt(b);
  let sa = 0, na = 0, sb = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i]) { sa += Math.min(db[i], size); na++; }
    if (b[i]) { sb += Math.min(da[i], size); nb++; }
  }
  if (!na || !nb) return size;
  return (sa / na + sb / nb) / 2;
}

function binarize(cov: ArrayLike<number>, t: number, scale = 1): Uint8Array {
  const out = new Uint8Array(cov.length);
  for (let i = 0; i < cov.length; i++) out[i] = cov[i] / scale >= t ? 1 : 0;
  return out;
}

/** Structure metrics between reference and candidate normalised grids. */
export function structureMetrics(refCov: Uint8Array, refThumb: Uint8Array, cand: ProductFeatures): { outline: number; localDE: number; missingCells: number } {
  const n = GRID * GRID;
  const candCov = new Uint8Array(n);
  for (let i = 0; i < n; i++) candCov[i] = Math.round(Math.min(1, cand.cov[i]) * 255);
  const outline = outlineDistance(binarize(refCov, 0.25, 255), binarize(candCov, 0.25, 255), GRID) / GRID;
  // local colour differences inside the product (cells covered in both)
  const de = new Float32Array(n), both = new Uint8Array(n);
  const la = [0, 0, 0], lb = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    if (refCov[i] < 128 || candCov[i] < 128) continue;
    both[i] = 1;
    rgbToLab(refThumb[i * 3], refThumb[i * 3 + 1], refThumb[i * 3 + 2], la, 0);
    rgbToLab(cand.thumb[i * 3], cand.thumb[i * 3 + 1], cand.thumb[i * 3 + 2], lb, 0);
    de[i] = Math.hypot(la[0] - lb[0], la[1] - lb[1], la[2] - lb[2]);
  }
  let localDE = 0;
  for (let y = 1; y < GRID - 1; y++) for (let x = 1; x < GRID - 1; x++) {
    let s = 0, c = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const j = (y + dy) * GRID + x + dx;
      if (both[j]) { s += de[j]; c++; }
    }
    if (c >= 5) localDE = Math.max(localDE, s / c);
  }
  // product cells present in one and absent in the other (largest 4-connected group)
  // A cell counts when the product is clearly present in one image and nothing comparable is
  // within one cell in the other: tolerant to mask-edge jitter and to the normalisation moving by
  // a cell, and relative, so that thin chains (low coverage per cell) count as well as solid parts.
  const PRESENT = 64, REL = 0.2;
  const max3 = (m: Uint8Array) => {
    const out = new Uint8Array(n);
    for (let y = 0; y < GRID; y++) for (let x = 0; x < GRID; x++) {
      let v = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx, yy = y + dy;
        if (xx >= 0 && yy >= 0 && xx < GRID && yy < GRID) v = Math.max(v, m[yy * GRID + xx]);
      }
      out[y * GRID + x] = v;
    }
    return out;
  };
  const refMax = max3(refCov), candMax = max3(candCov);
  const diff = new Uint8Array(n);
  for (let i = 0; i < n; i++) diff[i] = (refCov[i] >= PRESENT && candMax[i] < refCov[i] * REL) || (candCov[i] >= PRESENT && refMax[i] < candCov[i] * REL) ? 1 : 0;
  let missingCells = 0;
  const seen = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    if (!diff[s] || seen[s]) continue;
    let size = 0;
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const i = stack.pop() as number;
      size++;
      const x = i % GRID, y = (i - x) / GRID;
      for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const xx = x + dx, yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= GRID || yy >= GRID) continue;
        const j = yy * GRID + xx;
        if (diff[j] && !seen[j]) { seen[j] = 1; stack.push(j); }
      }
    }
    missingCells = Math.max(missingCells, size);
  }
  return { outline, localDE, missingCells };
}

/**
 * Compare a candidate image with the reference fingerprint.
 * `candidateCut` is computed when not given.
 */
export function checkFidelity(candidate: RawImage, candidateCut: CutoutResult | null | undefined, ref: Fingerprint, opts: FidelityOptions = {}): FidelityCheck[] {
  const T = FIDELITY_THRESHOLDS;
  const cut = candidateCut ?? runCutout(candidate);
  const cand = productFeatures(candidate, cut);
  const checks: FidelityCheck[] = [];

  // ---- colour
  const meanDE = deltaE2000(ref.color.mean, cand.color.mean);
  const paletteDE = paletteDistance(ref.color.dominant, cand.color.dominant);
  const colorStatus = [status(meanDE, T.COLOR_MEAN_DE_WARN, T.COLOR_MEAN_DE_FAIL), status(paletteDE, T.COLOR_PALETTE_DE_WARN, T.COLOR_PALETTE_DE_FAIL)];
  const colorValue = paletteDE;
  const cStat: CheckStatus = colorStatus.includes('fail') ? 'fail' : colorStatus.includes('warn') ? 'warn' : 'pass';
  checks.push({
    id: 'fidelity.color',
    status: cStat,
    value: r2(colorValue),
    threshold: T.COLOR_PALETTE_DE_FAIL,
    metrics: { meanDE: r2(meanDE), paletteDE: r2(paletteDE) },
    message:
      cStat === 'pass'
        ? `Colour matches the source (ΔE2000 ${paletteDE.toFixed(1)} between dominant colours, limit ${T.COLOR_PALETTE_DE_FAIL}).`
        : `${cStat === 'fail' ? 'Metal or stone colour drifted' : 'Product colour shifted slightly'}: ΔE2000 ${paletteDE.toFixed(1)} between the dominant colours and the source's (limit ${T.COLOR_PALETTE_DE_FAIL}); average colour ${meanDE.toFixed(1)} apart. A rose-gold ring turned yellow-gold would look like this.`,
  });

  // ---- structure
  const sm = structureMetrics(decodeB64(ref.shape.mask), decodeB64(ref.thumb), cand);
  const ph = hammingHex(ref.phash, cand.phash);
  const blobDiff = Math.abs(ref.shape.blobs - cand.shape.blobs);
  // Each limit sits on top of the reference's own self-noise: what the same measure gives between
  // the reference and a re-cut of the unchanged product (fingerprint.selfNoise). A crisp cutout has
  // ~0 self-noise and keeps the generic limits; a low-contrast product whose cutout moves by itself
  // (white pearls on white marble) gets limits widened by exactly that much.
  const nz = ref.selfNoise ?? { outline: 0, localDE: 0, missingCells: 0, phash: 0 };
  const lim = {
    outline: [T.OUTLINE_WARN + nz.outline, T.OUTLINE_FAIL + nz.outline],
    localDE: [T.LOCAL_DE_WARN + nz.localDE, T.LOCAL_DE_FAIL + nz.localDE],
    missing: [T.MISSING_CELLS_WARN + nz.missingCells, T.MISSING_CELLS_FAIL + nz.missingCells],
    phash: [T.PHASH_WARN + nz.phash, T.PHASH_FAIL + nz.phash],
  };
  const parts: CheckStatus[] = [
    status(sm.outline, lim.outline[0], lim.outline[1]),
    status(sm.localDE, lim.localDE[0], lim.localDE[1]),
    status(sm.missingCells, lim.missing[0], lim.missing[1]),
    status(ph, lim.phash[0], lim.phash[1]),
  ];
  const sStat: CheckStatus = parts.includes('fail') ? 'fail' : parts.includes('warn') ? 'warn' : 'pass';
  const why: string[] = [];
  if (parts[0] !== 'pass') why.push(`the outline moved by ${(sm.outline * 100).toFixed(1)}% of the product size (limit ${(lim.outline[1] * 100).toFixed(1)}%)`);
  if (parts[1] !== 'pass') why.push(`one area changed colour strongly (local Δ ${sm.localDE.toFixed(0)}, limit ${lim.localDE[1].toFixed(0)}) — a stone or charm added, removed or swapped`);
  if (parts[2] !== 'pass') why.push(`a part of the product is missing or new (${sm.missingCells} grid cells of 1024, limit ${lim.missing[1]})`);
  if (parts[3] !== 'pass') why.push(`the overall look differs (pHash distance ${ph} of 64, limit ${lim.phash[1]})`);
  if (blobDiff > 0) why.push(`stone/bead count ${ref.shape.blobs} → ${cand.shape.blobs}`);
  checks.push({
    id: 'fidelity.structure',
    status: sStat,
    value: r2(sm.outline),
    threshold: r2(lim.outline[1] * 1e2) / 1e2,
    metrics: { outline: Math.round(sm.outline * 1e4) / 1e4, localDE: r2(sm.localDE), missingCells: sm.missingCells, phash: ph, blobsRef: ref.shape.blobs, blobsCandidate: cand.shape.blobs, noiseLocalDE: nz.localDE, noiseMissingCells: nz.missingCells },
    message: sStat === 'pass' ? 'Shape, stones and outline match the source.' : `The product's structure ${sStat === 'fail' ? 'changed' : 'may have changed'}: ${why.join('; ')}.`,
  });

  // ---- sharpness (at the largest common scale)
  const common = Math.min(ref.productLongSidePx, cand.productLongSidePx);
  let scaleKey: number = SHARPNESS_SCALES[0];
  for (const s of SHARPNESS_SCALES) if (s <= common) scaleKey = s;
  const refS = ref.sharpness[String(scaleKey)] ?? 0;
  const candS = cand.sharpness[String(scaleKey)] ?? 0;
  const sharpRatio = refS > 0 ? candS / refS : 1;
  const shStat = status(sharpRatio, T.SHARPNESS_WARN, T.SHARPNESS_FAIL, false);
  checks.push({
    id: 'fidelity.sharpness',
    status: shStat,
    value: r2(sharpRatio),
    threshold: T.SHARPNESS_FAIL,
    metrics: { scale: scaleKey, reference: refS, candidate: candS },
    message: shStat === 'pass' ? 'Detail is as sharp as in the source.' : `The product looks ${shStat === 'fail' ? 'blurred' : 'softer'}: ${(sharpRatio * 100).toFixed(0)}% of the source's detail (limit ${(T.SHARPNESS_FAIL * 100).toFixed(0)}%). Chains, engraving and stone facets lose definition.`,
  });

  // ---- scale
  const candLong = Math.max(candidate.width, candidate.height);
  let candLongFraction = cand.productLongSidePx / candLong;
  let expected: number | null = null;
  let basis = '';
  let axis = 'long side';
  if (opts.expectedLongSidePx && opts.expectedLongSidePx > 0) { expected = opts.expectedLongSidePx / candLong; basis = 'the expected size from its dimensions'; }
  else if (opts.expectedLongSideFraction && opts.expectedLongSideFraction > 0) { expected = opts.expectedLongSideFraction; basis = 'the expected size from its dimensions'; }
  else if (opts.sameFraming) {
    expected = ref.shape.longSideFraction; basis = 'the source photo (same framing)';
    // A product cut by the frame (a chain running off the top) has the frame's extent on that
    // axis, not its own: measure the size on the axis the frame does not cut, when there is one.
    const clip = ref.shape.clipped;
    if (clip && clip.x !== clip.y) {
      const refLong = Math.max(ref.width, ref.height);
      const useX = !clip.x;
      expected = (useX ? ref.shape.extent.width * ref.width : ref.shape.extent.height * ref.height) / refLong;
      candLongFraction = (useX ? cand.box.width : cand.box.height) / candLong;
      axis = useX ? 'width (the photo cuts its height)' : 'height (the photo cuts its width)';
    }
  }
  if (expected === null) {
    checks.push({ id: 'fidelity.scale', status: 'pass', value: null, threshold: T.SCALE_FAIL, message: 'Scale not measured: the expected product size in this image is unknown.' });
  } else {
    // robust extent (1st..99th percentile of product mass): area would not scale with size for thin chains
    const extentChange = candLongFraction / expected - 1;
    const change = extentChange;
    const scStat = status(Math.abs(change), T.SCALE_WARN, T.SCALE_FAIL);
    checks.push({
      id: 'fidelity.scale',
      status: scStat,
      value: r2(change),
      threshold: T.SCALE_FAIL,
      metrics: { candidateLongSideFraction: Math.round(candLongFraction * 1e4) / 1e4, expectedLongSideFraction: Math.round(expected * 1e4) / 1e4, extentChange: r2(extentChange) },
      message: scStat === 'pass'
        ? `Product size matches ${basis} (${change >= 0 ? '+' : ''}${(change * 100).toFixed(0)}%, measured on its ${axis}).`
        : `The product looks ${change > 0 ? 'larger' : 'smaller'} than ${basis}: ${change >= 0 ? '+' : ''}${(change * 100).toFixed(0)}% on its ${axis} (limit ±${(T.SCALE_FAIL * 100).toFixed(0)}%). Shoppers judge real size from this.`,
    });
  }
  const viewChanges = opts.role !== undefined && opts.role !== 'clean';
  if (viewChanges) {
    for (const c of checks) {
      if ((c.id === 'fidelity.structure' || c.id === 'fidelity.sharpness' || (c.id === 'fidelity.scale' && opts.role === 'detail')) && c.status === 'fail') {
        c.status = 'warn';
        c.message += ` (A ${opts.role} image shows the product differently, so this is a warning: check it by eye.)`;
      }
    }
  }
  return checks;
}

/** Overall verdict of a list of checks: the worst status. */
export function fidelityVerdict(checks: FidelityCheck[]): CheckStatus {
  return checks.some((c) => c.status === 'fail') ? 'fail' : checks.some((c) => c.status === 'warn') ? 'warn' : 'pass';
}

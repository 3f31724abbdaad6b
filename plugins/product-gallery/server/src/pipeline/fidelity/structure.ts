/**
 * Structure: is the product's shape the same (outline, parts present, stones in place)? Measured
 * on the normalised product grids of the reference and the candidate (fingerprint.ts).
 */
import { rgbToLab } from '../color';
import { components } from '../morphology';
import type { QcCheck } from '../qc';
import { FIDELITY_THRESHOLDS as T } from './limits';
import { grade, r2, worst } from './verdict';

export interface StructureMetrics {
  /** mean symmetric outline distance, fraction of the product's size */
  outline: number;
  /** largest local colour change inside the product (Lab distance, 3x3-cell mean) */
  localDE: number;
  /** largest connected group of cells present in one image and absent in the other */
  missingCells: number;
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

/**
 * Structure metrics between two normalised product grids (size x size): the reference's coverage
 * (0..255) and RGB thumbnail, the candidate's coverage (0..1) and RGB thumbnail.
 */
export function structureMetrics(refCov: Uint8Array, refThumb: Uint8Array, candCovF: ArrayLike<number>, candThumb: ArrayLike<number>, size: number): StructureMetrics {
  const n = size * size;
  const candCov = new Uint8Array(n);
  for (let i = 0; i < n; i++) candCov[i] = Math.round(Math.min(1, candCovF[i]) * 255);
  const outline = outlineDistance(binarize(refCov, 0.25, 255), binarize(candCov, 0.25, 255), size) / size;
  // Local colour differences inside the product: each covered cell against the nearest-coloured
  // covered cell within one cell in the other image, both ways. A product normalised a fraction of
  // a cell apart (a textured stone, beads about a cell wide) then matches itself; a stone added,
  // removed or recoloured has no match nearby.
  const labA = new Float32Array(n * 3), labB = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgbToLab(refThumb[i * 3], refThumb[i * 3 + 1], refThumb[i * 3 + 2], labA, i * 3);
    rgbToLab(Math.round(candThumb[i * 3]), Math.round(candThumb[i * 3 + 1]), Math.round(candThumb[i * 3 + 2]), labB, i * 3);
  }
  const nearest = (from: Float32Array, fromCov: ArrayLike<number>, to: Float32Array, toCov: ArrayLike<number>, i: number) => {
    const x = i % size, y = (i - x) / size;
    let best = Infinity;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx, yy = y + dy;
      if (xx < 0 || yy < 0 || xx >= size || yy >= size) continue;
      const j = yy * size + xx;
      if (toCov[j] < 128) continue;
      const d = Math.hypot(from[i * 3] - to[j * 3], from[i * 3 + 1] - to[j * 3 + 1], from[i * 3 + 2] - to[j * 3 + 2]);
      if (d < best) best = d;
    }
    return best;
  };
  const de = new Float32Array(n), both = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (refCov[i] < 128 || candCov[i] < 128) continue;
    both[i] = 1;
    de[i] = Math.max(nearest(labA, refCov, labB, candCov, i), nearest(labB, candCov, labA, refCov, i));
  }
  let localDE = 0;
  for (let y = 1; y < size - 1; y++) for (let x = 1; x < size - 1; x++) {
    let s = 0, c = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const j = (y + dy) * size + x + dx;
      if (both[j]) { s += de[j]; c++; }
    }
    if (c >= 5) localDE = Math.max(localDE, s / c);
  }
  // A cell counts as missing (or new) when the product is clearly present in one image and nothing
  // comparable is within one cell in the other: tolerant to mask-edge jitter and to the
  // normalisation moving by a cell, and relative, so thin chains count as well as solid parts.
  const PRESENT = 64, REL = 0.2;
  const max3 = (m: Uint8Array) => {
    const out = new Uint8Array(n);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      let v = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx, yy = y + dy;
        if (xx >= 0 && yy >= 0 && xx < size && yy < size) v = Math.max(v, m[yy * size + xx]);
      }
      out[y * size + x] = v;
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
    let area = 0;
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const i = stack.pop() as number;
      area++;
      const x = i % size, y = (i - x) / size;
      for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const xx = x + dx, yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= size || yy >= size) continue;
        const j = yy * size + xx;
        if (diff[j] && !seen[j]) { seen[j] = 1; stack.push(j); }
      }
    }
    missingCells = Math.max(missingCells, area);
  }
  return { outline, localDE, missingCells };
}

export interface AlignedShape {
  /** largest group of reference cells with no candidate product within a cell (a part removed) */
  missing: number;
  /** largest group of candidate cells with no reference product within a cell (a part added) */
  extra: number;
  /** relative stretch of the best anisotropic fit (0 = none) */
  stretch: number;
  /** the alignment found: scale and shift (in cells) of the candidate's frame */
  scale: number;
  dx: number;
  dy: number;
}

/**
 * The candidate's shape laid on the reference's, then compared. Each product is framed by its own
 * robust box, and a speck, a faint chain end or a clasp kept by one cutout and not the other moves
 * that box: so the candidate is aligned first (the scale and shift that best overlay the two, over
 * a few percent and cells), then stretched along x or y if that overlays them better still
 * (a stretch), and only then are the parts one has and the other lacks counted.
 *
 * `refPresence`: size x size bits of the reference; `candWide`: the candidate's coverage on a
 * wideCells grid over its own bounding square grown by `wideRatio` (sides in pixels, exactly).
 */
export function alignShape(refPresence: Uint8Array, size: number, candWide: ArrayLike<number>, wideCells: number, wideRatio: number, present: number): AlignedShape {
  const n = size * size;
  const cand = new Uint8Array(n);
  const sampleAt = (sx: number, sy: number, dx: number, dy: number) => {
    // reference cell centre -> candidate's own square (same normalisation) -> wide grid
    for (let gy = 0; gy < size; gy++) {
      const v = 0.5 + (((gy + 0.5) / size - 0.5) * sy + dy / size) / wideRatio;
      const y = v * wideCells - 0.5;
      const y0 = Math.floor(y), fy = y - y0;
      for (let gx = 0; gx < size; gx++) {
        const u = 0.5 + (((gx + 0.5) / size - 0.5) * sx + dx / size) / wideRatio;
        const x = u * wideCells - 0.5;
        const x0 = Math.floor(x), fx = x - x0;
        let c = 0;
        if (x0 >= 0 && y0 >= 0 && x0 + 1 < wideCells && y0 + 1 < wideCells) {
          const i = y0 * wideCells + x0;
          c = (candWide[i] * (1 - fx) + candWide[i + 1] * fx) * (1 - fy) + (candWide[i + wideCells] * (1 - fx) + candWide[i + wideCells + 1] * fx) * fy;
        }
        cand[gy * size + gx] = c >= present ? 1 : 0;
      }
    }
  };
  const mismatch = (sx: number, sy: number, dx: number, dy: number) => {
    sampleAt(sx, sy, dx, dy);
    let m = 0;
    for (let i = 0; i < n; i++) m += refPresence[i] ^ cand[i];
    return m;
  };
  let best = { sx: 1, sy: 1, dx: 0, dy: 0, m: mismatch(1, 1, 0, 0) };
  const tryAt = (sx: number, sy: number, dx: number, dy: number) => {
    const m = mismatch(sx, sy, dx, dy);
    if (m < best.m) best = { sx, sy, dx, dy, m };
  };
  // coarse, then fine: isotropic scale and shift
  for (const s of [0.9, 0.95, 1, 1.05, 1.1]) for (const dy of [-6, -3, 0, 3, 6]) for (const dx of [-6, -3, 0, 3, 6]) tryAt(s, s, dx, dy);
  {
    const c = best;
    for (const ds of [-0.025, 0, 0.025]) for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) tryAt(c.sx + ds, c.sx + ds, c.dx + dx, c.dy + dy);
  }
  const iso = best;
  // then a stretch along x or y, the shift refined with it
  for (const r of [0.8, 0.85, 0.9, 0.95, 1.05, 1.1, 1.15, 1.2, 1.25]) {
    const sx = iso.sx * Math.sqrt(r), sy = iso.sx / Math.sqrt(r);
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) tryAt(sx, sy, iso.dx + dx, iso.dy + dy);
  }
  // a stretch must explain clearly more than the isotropic fit, not a cell or two of edge noise
  if (best !== iso && best.m > iso.m * 0.85) best = iso;
  sampleAt(best.sx, best.sy, best.dx, best.dy);
  const grow = (m: Uint8Array) => {
    const out = new Uint8Array(n);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      if (!m[y * size + x]) continue;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx, yy = y + dy;
        if (xx >= 0 && yy >= 0 && xx < size && yy < size) out[yy * size + xx] = 1;
      }
    }
    return out;
  };
  const refNear = grow(refPresence), candNear = grow(cand);
  const largest = (sel: (i: number) => boolean) => {
    const cc = components(size, size, sel);
    let m = 0;
    for (let l = 1; l <= cc.count; l++) m = Math.max(m, cc.areas[l]);
    return m;
  };
  const ratio = best.sx / best.sy;
  return {
    missing: largest((i) => refPresence[i] === 1 && !candNear[i]),
    extra: largest((i) => cand[i] === 1 && !refNear[i]),
    stretch: Math.exp(Math.abs(Math.log(ratio))) - 1,
    scale: Math.sqrt(best.sx * best.sy),
    dx: best.dx,
    dy: best.dy,
  };
}

export interface StructureInput {
  metrics: StructureMetrics;
  /** pHash distance (bits of 64) */
  phash: number;
  blobsRef: number;
  blobsCandidate: number;
  /** the reference's own noise on each measure (a re-cut of the unchanged product) */
  noise: { outline: number; localDE: number; missingCells: number; phash: number; shapeCells?: number };
  /** the shapes aligned and compared on the finer grid (references that carry it) */
  shape?: AlignedShape;
  /** whether the view keeps the product's orientation, so that a stretch can be measured */
  orientationKnown?: boolean;
}

/** The structure check: each limit sits on top of the reference's own self-noise. */
export function structureCheck(x: StructureInput): QcCheck {
  const { metrics: sm, phash: ph, noise: nz } = x;
  const lim = {
    outline: [T.OUTLINE_WARN + nz.outline, T.OUTLINE_FAIL + nz.outline],
    localDE: [T.LOCAL_DE_WARN + nz.localDE, T.LOCAL_DE_FAIL + nz.localDE],
    missing: [T.MISSING_CELLS_WARN + nz.missingCells, T.MISSING_CELLS_FAIL + nz.missingCells],
    phash: [T.PHASH_WARN + nz.phash, T.PHASH_FAIL + nz.phash],
  };
  const parts = [
    grade(sm.outline, lim.outline[0], lim.outline[1]),
    grade(sm.localDE, lim.localDE[0], lim.localDE[1]),
    grade(sm.missingCells, lim.missing[0], lim.missing[1]),
    grade(ph, lim.phash[0], lim.phash[1]),
  ];
  const shapeCells = x.shape ? Math.max(x.shape.missing, x.shape.extra) : 0;
  const stretch = x.shape && x.orientationKnown ? x.shape.stretch : 0;
  const shapeLim = [T.SHAPE_CELLS_WARN + (nz.shapeCells ?? 0), T.SHAPE_CELLS_FAIL + (nz.shapeCells ?? 0)];
  parts.push(grade(shapeCells, shapeLim[0], shapeLim[1]), grade(stretch, T.STRETCH_WARN, T.STRETCH_FAIL));
  const status = worst(parts);
  const why: string[] = [];
  if (parts[0] !== 'pass') why.push(`the outline moved by ${(sm.outline * 100).toFixed(1)}% of the product's size (limit ${(lim.outline[1] * 100).toFixed(1)}%)`);
  if (parts[1] !== 'pass') why.push(`one area changed colour strongly (local Lab difference ${sm.localDE.toFixed(0)}, limit ${lim.localDE[1].toFixed(0)}): a stone or charm added, removed or swapped`);
  if (parts[2] !== 'pass') why.push(`a part of the product is missing or new (${sm.missingCells} cells of a 32x32 grid, limit ${lim.missing[1]})`);
  if (parts[3] !== 'pass') why.push(`the overall look differs (perceptual hash ${ph} bits of 64 apart, limit ${lim.phash[1]})`);
  if (parts[4] !== 'pass' && x.shape) {
    const what = x.shape.missing >= x.shape.extra ? 'missing here' : 'new here';
    why.push(`a part of the product is ${what} (${shapeCells} cells of a 96x96 grid with nothing near them in the other image, limit ${shapeLim[1]})`);
  }
  if (parts[5] !== 'pass') why.push(`the product is stretched by ${(stretch * 100).toFixed(0)}% along one direction (limit ${(T.STRETCH_FAIL * 100).toFixed(0)}%)`);
  if (x.blobsRef !== x.blobsCandidate) why.push(`stones or beads counted: ${x.blobsRef} in the source, ${x.blobsCandidate} here`);
  return {
    id: 'fidelity.structure',
    status,
    value: Math.round(sm.outline * 1e4) / 1e4,
    threshold: Math.round(lim.outline[1] * 1e4) / 1e4,
    unit: 'fraction',
    metrics: { outline: Math.round(sm.outline * 1e4) / 1e4, localDE: r2(sm.localDE), missingCells: sm.missingCells, phash: ph, blobsRef: x.blobsRef, blobsCandidate: x.blobsCandidate, noiseLocalDE: nz.localDE, noiseMissingCells: nz.missingCells, shapeMissing: x.shape?.missing ?? null, noiseShapeCells: nz.shapeCells ?? null, shapeExtra: x.shape?.extra ?? null, stretch: x.shape ? r2(x.shape.stretch) : null, alignScale: x.shape ? r2(x.shape.scale) : null },
    message: status === 'pass' ? 'Shape, stones and outline match the source.' : `The product's structure ${status === 'fail' ? 'changed' : 'may have changed'}: ${why.join('; ')}.`,
  };
}

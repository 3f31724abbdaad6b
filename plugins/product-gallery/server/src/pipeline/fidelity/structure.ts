/**
 * Structure: is the product's shape the same (outline, parts present, stones in place)? Measured
 * on the normalised product grids of the reference and the candidate (fingerprint.ts).
 */
import { rgbToLab } from '../color';
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
  // local colour differences inside the product (cells covered in both)
  const de = new Float32Array(n), both = new Uint8Array(n);
  const la = [0, 0, 0], lb = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    if (refCov[i] < 128 || candCov[i] < 128) continue;
    both[i] = 1;
    rgbToLab(refThumb[i * 3], refThumb[i * 3 + 1], refThumb[i * 3 + 2], la, 0);
    rgbToLab(Math.round(candThumb[i * 3]), Math.round(candThumb[i * 3 + 1]), Math.round(candThumb[i * 3 + 2]), lb, 0);
    de[i] = Math.hypot(la[0] - lb[0], la[1] - lb[1], la[2] - lb[2]);
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

export interface StructureInput {
  metrics: StructureMetrics;
  /** pHash distance (bits of 64) */
  phash: number;
  blobsRef: number;
  blobsCandidate: number;
  /** the reference's own noise on each measure (a re-cut of the unchanged product) */
  noise: { outline: number; localDE: number; missingCells: number; phash: number };
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
  const status = worst(parts);
  const why: string[] = [];
  if (parts[0] !== 'pass') why.push(`the outline moved by ${(sm.outline * 100).toFixed(1)}% of the product's size (limit ${(lim.outline[1] * 100).toFixed(1)}%)`);
  if (parts[1] !== 'pass') why.push(`one area changed colour strongly (local Lab difference ${sm.localDE.toFixed(0)}, limit ${lim.localDE[1].toFixed(0)}): a stone or charm added, removed or swapped`);
  if (parts[2] !== 'pass') why.push(`a part of the product is missing or new (${sm.missingCells} cells of a 32x32 grid, limit ${lim.missing[1]})`);
  if (parts[3] !== 'pass') why.push(`the overall look differs (perceptual hash ${ph} bits of 64 apart, limit ${lim.phash[1]})`);
  if (x.blobsRef !== x.blobsCandidate) why.push(`stones or beads counted: ${x.blobsRef} in the source, ${x.blobsCandidate} here`);
  return {
    id: 'fidelity.structure',
    status,
    value: Math.round(sm.outline * 1e4) / 1e4,
    threshold: Math.round(lim.outline[1] * 1e4) / 1e4,
    metrics: { outline: Math.round(sm.outline * 1e4) / 1e4, localDE: r2(sm.localDE), missingCells: sm.missingCells, phash: ph, blobsRef: x.blobsRef, blobsCandidate: x.blobsCandidate, noiseLocalDE: nz.localDE, noiseMissingCells: nz.missingCells },
    message: status === 'pass' ? 'Shape, stones and outline match the source.' : `The product's structure ${status === 'fail' ? 'changed' : 'may have changed'}: ${why.join('; ')}.`,
  };
}

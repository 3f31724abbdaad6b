/** A close-up against the region of the source it shows, compared on a small aligned grid. */
import sharp from 'sharp';
import { deltaE2000, rgbToLab } from '../color';
import type { QcCheck } from '../qc';
import { gradientEnergy } from '../fingerprint';
import { components, dilate } from '../morphology';
import { resizePlaneArea, type BBox, type RawImage } from '../raw-image';
import { REGION_LIMITS as L } from './limits';
import { grade, worst } from './verdict';

/** An image reduced to a small w x h grid, as Lab planes. */
async function labGrid(img: RawImage, w: number, h: number): Promise<Float32Array> {
  const raw = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 4 } })
    .flatten({ background: '#ffffff' })
    .resize(w, h, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  const lab = new Float32Array(w * h * 3);
  for (let i = 0; i < w * h; i++) rgbToLab(raw[i * 3], raw[i * 3 + 1], raw[i * 3 + 2], lab, i * 3);
  return lab;
}

/**
 * Edge steepness of the candidate against the region's, both at the same finer grid, over the
 * piece and its surroundings (gradientEnergy): a close-up blurred, or smoothed by a generator.
 */
async function sharpnessRatio(candidate: RawImage, region: RawImage, regionMask: Uint8Array | null | undefined): Promise<number> {
  const w = Math.min(256, region.width);
  const h = Math.max(8, Math.round((w * region.height) / region.width));
  const gray = async (img: RawImage) => {
    const raw = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 4 } })
      .flatten({ background: '#ffffff' })
      .resize(w, h, { fit: 'fill', kernel: 'lanczos3' })
      .greyscale()
      .raw()
      .toBuffer();
    return Float32Array.from(raw.subarray(0, w * h));
  };
  let cov: Float32Array;
  if (regionMask && regionMask.length === region.width * region.height) {
    const m = dilate(Uint8Array.from(resizePlaneArea(regionMask, region.width, region.height, w, h), (v) => (v >= 64 ? 255 : 0)), w, h, 4);
    cov = Float32Array.from(m, (v) => v / 255);
  } else cov = new Float32Array(w * h).fill(1);
  const [a, b] = await Promise.all([gray(candidate), gray(region)]);
  const ea = gradientEnergy({ gray: a, cov, size: w }, h);
  const eb = gradientEnergy({ gray: b, cov, size: w }, h);
  return eb > 0 ? ea / eb : 1;
}

/** Bilinear sample of plane k of a Lab grid at (x, y), clamped to the edge. */
function sample(lab: Float32Array, w: number, h: number, x: number, y: number, k: number): number {
  const cx = Math.min(w - 1, Math.max(0, x)), cy = Math.min(h - 1, Math.max(0, y));
  const x0 = Math.floor(cx), y0 = Math.floor(cy), x1 = Math.min(w - 1, x0 + 1), y1 = Math.min(h - 1, y0 + 1);
  const fx = cx - x0, fy = cy - y0;
  const v = (xx: number, yy: number) => lab[(yy * w + xx) * 3 + k];
  return (v(x0, y0) * (1 - fx) + v(x1, y0) * fx) * (1 - fy) + (v(x0, y1) * (1 - fx) + v(x1, y1) * fx) * fy;
}

/**
 * The candidate grid moved onto the region's: a close-up re-encoded, trimmed or re-framed by a few
 * percent is the same picture, so the best of a few shifts and zooms (lightness SSD over the
 * piece and its surroundings) is compared, not the first.
 */
function align(cand: Float32Array, ref: Float32Array, weight: Float32Array, w: number, h: number): Float32Array {
  let best = Infinity, bs = 1, bx = 0, by = 0;
  const cx = (w - 1) / 2, cy = (h - 1) / 2;
  for (const s of [0.96, 0.98, 1, 1.02, 1.04]) {
    for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) {
      let e = 0;
      for (let y = 1; y < h - 1; y += 2) for (let x = 1; x < w - 1; x += 2) {
        const i = y * w + x;
        const d = sample(cand, w, h, cx + (x - cx) * s + dx, cy + (y - cy) * s + dy, 0) - ref[i * 3];
        e += d * d * (0.25 + weight[i]);
      }
      if (e < best) { best = e; bs = s; bx = dx; by = dy; }
    }
  }
  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    for (let k = 0; k < 3; k++) out[i * 3 + k] = sample(cand, w, h, cx + (x - cx) * bs + bx, cy + (y - cy) * bs + by, k);
  }
  return out;
}

/**
 * A close-up against the same region of its source. `regionMask` (the source's product mask over
 * the region, 0..255) says where the piece is; without it the piece is what stands out from the
 * region's surface. Colour: CIEDE2000 between the piece's mean colours. Structure: lightness
 * correlation over the piece and its surroundings, and the largest patch of the piece that
 * changed strongly (a stone added, a part removed). No scale check: the close-up has its region's
 * scale by construction, and a pass that measured nothing would read as one that did.
 */
export async function compareRegion(candidate: RawImage, region: RawImage, regionMask?: Uint8Array | null): Promise<QcCheck[]> {
  const w = 96;
  const h = Math.max(8, Math.round((w * region.height) / region.width));
  const n = w * h;
  const [rawA, b, sharpRatio] = await Promise.all([labGrid(candidate, w, h), labGrid(region, w, h), sharpnessRatio(candidate, region, regionMask)]);
  // where the piece is, 0..1 per cell
  const piece = new Float32Array(n);
  if (regionMask && regionMask.length === region.width * region.height) {
    piece.set(resizePlaneArea(regionMask, region.width, region.height, w, h));
    for (let i = 0; i < n; i++) piece[i] /= 255;
  } else {
    const L = new Float32Array(n);
    for (let i = 0; i < n; i++) L[i] = b[i * 3];
    const medianL = Float32Array.from(L).sort()[Math.floor(n / 2)];
    for (let i = 0; i < n; i++) piece[i] = Math.abs(L[i] - medianL) > 10 || Math.hypot(b[i * 3 + 1], b[i * 3 + 2]) > 12 ? 1 : 0;
  }
  const near = dilate(Uint8Array.from(piece, (v) => (v >= 0.5 ? 255 : 0)), w, h, 3);
  const weight = new Float32Array(n);
  for (let i = 0; i < n; i++) weight[i] = near[i] ? 1 : 0;
  const a = align(rawA, b, weight, w, h);

  // colour of the piece: mean Lab over its solid cells
  let count = 0;
  const sumA = [0, 0, 0], sumB = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    if (piece[i] < 0.5) continue;
    count++;
    for (let k = 0; k < 3; k++) { sumA[k] += a[i * 3 + k]; sumB[k] += b[i * 3 + k]; }
  }
  const mean = (s: number[]) => ({ l: s[0] / count, a: s[1] / count, b: s[2] / count });
  const pieceCells = count;
  const colorDE = count >= 8 ? deltaE2000(mean(sumA), mean(sumB)) : 0;

  // structure: correlation of lightness near the piece, and the largest strongly changed patch
  let ma = 0, mb = 0, m = 0;
  for (let i = 0; i < n; i++) if (weight[i]) { ma += a[i * 3]; mb += b[i * 3]; m++; }
  ma /= Math.max(1, m); mb /= Math.max(1, m);
  let num = 0, da = 0, db = 0;
  for (let i = 0; i < n; i++) {
    if (!weight[i]) continue;
    const x = a[i * 3] - ma, y = b[i * 3] - mb;
    num += x * y; da += x * x; db += y * y;
  }
  const ncc = da && db ? num / Math.sqrt(da * db) : 1;
  const diffSel = new Uint8Array(n);
  for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) {
    const i = y * w + x;
    if (!weight[i]) continue;
    // 3x3 means: a residual sub-cell misalignment is not a change
    let d = 0;
    for (let k = 0; k < 3; k++) {
      let sa = 0, sb = 0;
      for (let yy = -1; yy <= 1; yy++) for (let xx = -1; xx <= 1; xx++) { const j = (y + yy) * w + x + xx; sa += a[j * 3 + k]; sb += b[j * 3 + k]; }
      d += ((sa - sb) / 9) ** 2;
    }
    diffSel[i] = Math.sqrt(d) > L.patchDE ? 1 : 0;
  }
  const cc = components(w, h, (i) => diffSel[i] === 1);
  let patch = 0;
  for (let l = 1; l <= cc.count; l++) patch = Math.max(patch, cc.areas[l]);
  const patchFraction = patch / n;

  const colorStatus = grade(colorDE, L.colorWarn, L.colorFail);
  const structStatus = worst([grade(ncc, L.nccWarn, L.nccFail, false), grade(patchFraction, L.patchWarn, L.patchFail)]);
  const why: string[] = [];
  if (grade(ncc, L.nccWarn, L.nccFail, false) !== 'pass') why.push(`lightness correlation ${ncc.toFixed(2)} around the piece (minimum ${L.nccFail})`);
  if (grade(patchFraction, L.patchWarn, L.patchFail) !== 'pass') why.push(`a patch of ${(patchFraction * 100).toFixed(1)}% of the image changed strongly (limit ${(L.patchFail * 100).toFixed(1)}%)`);
  return [
    {
      id: 'fidelity.color',
      status: colorStatus,
      value: Math.round(colorDE * 100) / 100,
      threshold: L.colorFail,
      unit: 'delta-e',
      metrics: { pieceCells },
      message:
        colorStatus === 'pass'
          ? `Colour matches the same region of the source (ΔE2000 ${colorDE.toFixed(1)} between the piece's colours, limit ${L.colorFail}).`
          : `The close-up's colour differs from the same region of the source: ΔE2000 ${colorDE.toFixed(1)} between the piece's colours (limit ${L.colorFail}). Metal or stones may have been recoloured.`,
    },
    {
      id: 'fidelity.structure',
      status: structStatus,
      value: Math.round(ncc * 1000) / 1000,
      threshold: L.nccFail,
      unit: 'correlation',
      metrics: { ncc: Math.round(ncc * 1000) / 1000, patch: Math.round(patchFraction * 10000) / 10000 },
      message:
        structStatus === 'pass'
          ? `The close-up shows the same detail as the source region (lightness correlation ${ncc.toFixed(2)}, minimum ${L.nccFail}; no strongly changed patch).`
          : `The close-up does not match the same region of the source (${why.join('; ')}): a stone or part may have been added, removed or moved.`,
    },
    {
      id: 'fidelity.sharpness',
      status: grade(sharpRatio, L.sharpWarn, L.sharpFail, false),
      value: Math.round(sharpRatio * 100) / 100,
      threshold: L.sharpFail,
      unit: 'fraction',
      message:
        grade(sharpRatio, L.sharpWarn, L.sharpFail, false) === 'pass'
          ? `The close-up is as sharp as the same region of the source (${(sharpRatio * 100).toFixed(0)}% of its edge steepness, minimum ${(L.sharpFail * 100).toFixed(0)}%).`
          : `The close-up is softer than the same region of the source: ${(sharpRatio * 100).toFixed(0)}% of its edge steepness (minimum ${(L.sharpFail * 100).toFixed(0)}%). Engraving, chain links and facets lose definition.`,
    },
  ];
}

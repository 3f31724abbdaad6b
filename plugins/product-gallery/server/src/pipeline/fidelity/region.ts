/**
 * A close-up against the region of the source it shows. Same framing, so the two are compared
 * pixel for pixel on a small grid: colour of the piece, and correlation of lightness for
 * structure (a stone added, removed or moved breaks it).
 */
import sharp from 'sharp';
import { deltaE2000, rgbToLab } from '../color';
import type { QcCheck } from '../qc';
import type { BBox, RawImage } from '../raw-image';
import { REGION_LIMITS as L } from './limits';
import { grade } from './verdict';

/** A box grown by `margin` (fraction of its size) and kept inside a w x h image. */
export const clampBox = (b: BBox, w: number, h: number, margin = 0): BBox => {
  const mx = Math.round(b.width * margin);
  const my = Math.round(b.height * margin);
  const x = Math.max(0, Math.floor(b.x - mx));
  const y = Math.max(0, Math.floor(b.y - my));
  return { x, y, width: Math.max(1, Math.min(w, Math.ceil(b.x + b.width + mx)) - x), height: Math.max(1, Math.min(h, Math.ceil(b.y + b.height + my)) - y) };
};

export function cropRaw(img: RawImage, box: BBox): RawImage {
  const b = clampBox(box, img.width, img.height);
  const out = new Uint8Array(b.width * b.height * 4);
  for (let row = 0; row < b.height; row++) {
    const start = ((b.y + row) * img.width + b.x) * 4;
    out.set(img.data.subarray(start, start + b.width * 4), row * b.width * 4);
  }
  return { data: out, width: b.width, height: b.height, channels: 4 };
}

/** An image reduced to a small w x h grid (RGB), as both sides of the comparison are. */
async function sameGrid(img: RawImage, w: number, h: number): Promise<Uint8Array> {
  const raw = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 4 } })
    .flatten({ background: '#ffffff' })
    .resize(w, h, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return new Uint8Array(raw);
}

export async function compareRegion(candidate: RawImage, region: RawImage): Promise<QcCheck[]> {
  const w = 96;
  const h = Math.max(8, Math.round((w * region.height) / region.width));
  const [a, b] = await Promise.all([sameGrid(candidate, w, h), sameGrid(region, w, h)]);
  const n = w * h;
  const labsA = new Float32Array(n * 3);
  const labsB = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgbToLab(a[i * 3], a[i * 3 + 1], a[i * 3 + 2], labsA, i * 3);
    rgbToLab(b[i * 3], b[i * 3 + 1], b[i * 3 + 2], labsB, i * 3);
  }
  const lab = (v: Float32Array, i: number) => ({ l: v[i * 3], a: v[i * 3 + 1], b: v[i * 3 + 2] });
  const des = new Float32Array(n);
  for (let i = 0; i < n; i++) des[i] = deltaE2000(lab(labsA, i), lab(labsB, i));
  // Colour is judged on the piece, not the surface around it: pixels that stand out from the
  // region's typical lightness, or carry colour, in the source.
  const lb = new Float32Array(n);
  for (let i = 0; i < n; i++) lb[i] = labsB[i * 3];
  const medianL = Float32Array.from(lb).sort()[Math.floor(n / 2)];
  let count = 0;
  const sumA = [0, 0, 0];
  const sumB = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const chroma = Math.hypot(labsB[i * 3 + 1], labsB[i * 3 + 2]);
    if (Math.abs(lb[i] - medianL) <= 10 && chroma <= 12) continue;
    count++;
    for (let k = 0; k < 3; k++) {
      sumA[k] += labsA[i * 3 + k];
      sumB[k] += labsB[i * 3 + k];
    }
  }
  const pieceDE = count >= n * 0.05 ? deltaE2000({ l: sumA[0] / count, a: sumA[1] / count, b: sumA[2] / count }, { l: sumB[0] / count, a: sumB[1] / count, b: sumB[2] / count }) : 0;
  const medianDE = Float32Array.from(des).sort()[Math.floor(n / 2)];
  const colorDE = Math.max(medianDE, pieceDE);
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += labsA[i * 3]; mb += lb[i]; }
  ma /= n; mb /= n;
  let num = 0, da = 0, db = 0;
  for (let i = 0; i < n; i++) {
    const x = labsA[i * 3] - ma, y = lb[i] - mb;
    num += x * y; da += x * x; db += y * y;
  }
  const ncc = da && db ? num / Math.sqrt(da * db) : 1;
  const colorStatus = grade(colorDE, L.colorWarn, L.colorFail);
  const structStatus = grade(ncc, L.nccWarn, L.nccFail, false);
  return [
    {
      id: 'fidelity.color',
      status: colorStatus,
      value: Math.round(colorDE * 100) / 100,
      threshold: L.colorFail,
      metrics: { medianDE: Math.round(medianDE * 100) / 100, pieceDE: Math.round(pieceDE * 100) / 100 },
      message:
        colorStatus === 'pass'
          ? `Colour matches the same region of the source (ΔE2000 ${colorDE.toFixed(1)}, limit ${L.colorFail}).`
          : `The close-up's colour differs from the same region of the source: ΔE2000 ${colorDE.toFixed(1)} (limit ${L.colorFail}). Metal or stones may have been recoloured.`,
    },
    {
      id: 'fidelity.structure',
      status: structStatus,
      value: Math.round(ncc * 1000) / 1000,
      threshold: L.nccFail,
      message:
        structStatus === 'pass'
          ? `The close-up shows the same detail as the source region (lightness correlation ${ncc.toFixed(2)}, minimum ${L.nccFail}).`
          : `The close-up does not match the same region of the source (lightness correlation ${ncc.toFixed(2)}, minimum ${L.nccFail}): a stone or part may have been added, removed or moved.`,
    },
    { id: 'fidelity.scale', status: 'pass', value: null, threshold: null, message: 'A close-up of a known region of the source: its scale is that of the source.' },
  ];
}

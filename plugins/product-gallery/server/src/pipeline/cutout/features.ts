/**
 * Per-pixel features against the background model: lightness difference, chroma difference (Lab)
 * and local gradient (texture), each normalised by how extreme it gets on the border band
 * (99.5th percentile). Marble veins and soft shadows at the border raise the bar, so a pixel counts
 * as product only when it is clearly unlike anything seen on the border.
 */
import { quantile } from './background';
import { CUTOUT_DEFAULTS, type WorkImage } from './types';

export interface Features {
  dL: Float32Array;
  dC: Float32Array;
  grad: Float32Array;
  /** gradient normaliser (the border's 99.5th percentile, floored) */
  kG: number;
  /** how unlike the background a pixel is, shadows forgiven (1 = as extreme as the border gets) */
  z: Float32Array;
  /** the same, every difference counted */
  zRaw: Float32Array;
}

export function pixelFeatures(img: WorkImage, bg: { bgL: Float32Array; bgA: Float32Array; bgB: Float32Array }, borderIdx: number[]): Features {
  const { w, h, n, px, L, A, B } = img;
  const { bgL, bgA, bgB } = bg;
  const dL = new Float32Array(n), dC = new Float32Array(n), grad = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    dL[i] = L[i] - bgL[i];
    const da = A[i] - bgA[i], db = B[i] - bgB[i];
    dC[i] = Math.sqrt(da * da + db * db);
  }
  for (let y = 0; y < h; y++) {
    const ym = y > 0 ? y - 1 : 0, yp = y < h - 1 ? y + 1 : h - 1;
    for (let x = 0; x < w; x++) {
      const xm = x > 0 ? x - 1 : 0, xp = x < w - 1 ? x + 1 : w - 1;
      const gx = (L[ym * w + xp] + 2 * L[y * w + xp] + L[yp * w + xp]) - (L[ym * w + xm] + 2 * L[y * w + xm] + L[yp * w + xm]);
      const gy = (L[yp * w + xm] + 2 * L[yp * w + x] + L[yp * w + xp]) - (L[ym * w + xm] + 2 * L[ym * w + x] + L[ym * w + xp]);
      grad[y * w + x] = Math.sqrt(gx * gx + gy * gy) / 8;
    }
  }
  const bDark = borderIdx.map((i) => Math.max(0, -dL[i]));
  const bBright = borderIdx.map((i) => Math.max(0, dL[i]));
  const bC = borderIdx.map((i) => dC[i]);
  const bG = borderIdx.map((i) => grad[i]);
  // Floors: JPEG noise on a perfectly plain background must not make the thresholds tiny.
  const kDark = Math.max(4, quantile(bDark, 0.995));
  const kBright = Math.max(3, quantile(bBright, 0.995));
  const kC = Math.max(3, quantile(bC, 0.995));
  const kG = Math.max(2.5, quantile(bG, 0.995));

  // zRaw counts every difference; z forgives smooth darkening with little colour change
  // (cast shadows, marble shading) up to SHADOW_L lightness units.
  const z = new Float32Array(n);
  const zRaw = new Float32Array(n);
  const shadowL = CUTOUT_DEFAULTS.shadowL;
  for (let i = 0; i < n; i++) {
    if (px[i * 4 + 3] < 128) continue;
    const d = dL[i];
    const g = grad[i] / kG;
    const c = dC[i] / kC;
    let raw = d < 0 ? -d / kDark : d / kBright;
    if (c > raw) raw = c;
    if (g > raw) raw = g;
    zRaw[i] = raw;
    if (d < 0 && g < 1) {
      // smooth and darker: allow a shadow-like darkening and the slight colour cast that goes with it
      const smooth = 1 - g;
      const dark = Math.max(0, -d - shadowL * smooth) / kDark;
      const cc = Math.max(0, dC[i] - 0.25 * -d * smooth) / kC;
      z[i] = Math.max(dark, cc, g);
    } else {
      z[i] = raw;
    }
  }
  return { dL, dC, grad, kG, z, zRaw };
}

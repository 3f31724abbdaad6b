/**
 * Background model: a robust quadratic surface per RGB channel fitted on the photo's border band
 * (handles light fall-off and gradients), evaluated per pixel in Lab, and described for the
 * confidence phase (kind, lightness spread).
 */
import { rgbToLab } from '../color';
import { round2, type BackgroundModel, type WorkImage } from './types';

// ---------- small linear algebra ----------

function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    const d = M[c][c] || 1e-9;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / d;
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((row, i) => row[n] / (row[i] || 1e-9));
}

function basis(u: number, v: number, out: number[]): number[] {
  out[0] = 1; out[1] = u; out[2] = v; out[3] = u * u; out[4] = u * v; out[5] = v * v;
  return out;
}

function fitSurface(xs: Float32Array, ys: Float32Array, vals: Float32Array, weights: Float32Array): number[] {
  const A = Array.from({ length: 6 }, () => new Array(6).fill(0));
  const b = new Array(6).fill(0);
  const f = new Array(6);
  for (let i = 0; i < vals.length; i++) {
    const wt = weights[i];
    if (!wt) continue;
    basis(xs[i], ys[i], f);
    for (let r = 0; r < 6; r++) {
      b[r] += wt * f[r] * vals[i];
      for (let c = 0; c < 6; c++) A[r][c] += wt * f[r] * f[c];
    }
  }
  for (let r = 0; r < 6; r++) A[r][r] += 1e-6;
  return solve(A, b);
}

function evalSurface(c: number[], o: number, u: number, v: number): number {
  return c[o] + c[o + 1] * u + c[o + 2] * v + c[o + 3] * u * u + c[o + 4] * u * v + c[o + 5] * v * v;
}

export function quantile(arr: Float32Array | number[], q: number): number {
  if (arr.length === 0) return 0;
  const s = Float32Array.from(arr).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * (s.length - 1))))];
}

/** Evaluate the background surface as RGB at (x, y) of an image of size (w, h). */
export function backgroundRgbAt(bg: BackgroundModel, x: number, y: number, w: number, h: number): [number, number, number] {
  const u = (x + 0.5) / w - 0.5, v = (y + 0.5) / h - 0.5;
  return [evalSurface(bg.surface, 0, u, v), evalSurface(bg.surface, 6, u, v), evalSurface(bg.surface, 12, u, v)];
}

/** Opaque pixels of the border band (2.5% of the short side), subsampled to about 24k. */
export function sampleBorder(img: WorkImage): { borderIdx: number[]; transparentBorder: boolean } {
  const { w, h, px } = img;
  const bw = Math.max(2, Math.round(0.025 * Math.min(w, h)));
  const borderIdx: number[] = [];
  const stepB = Math.max(1, Math.floor((2 * bw * (w + h)) / 24000));
  let k = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x >= bw && x < w - bw && y >= bw && y < h - bw) continue;
      if (k++ % stepB) continue;
      const i = y * w + x;
      if (px[i * 4 + 3] < 128) continue;
      borderIdx.push(i);
    }
  }
  return { borderIdx, transparentBorder: borderIdx.length < 16 };
}

/** The robust quadratic RGB surface (3 x 6 coefficients) fitted on the border band, outliers dropped over 3 rounds. */
export function fitBackgroundSurface(img: WorkImage, borderIdx: number[]): number[] {
  const { w, h, px } = img;
  const m = Math.max(1, borderIdx.length);
  const us = new Float32Array(m), vs = new Float32Array(m);
  const chan = [new Float32Array(m), new Float32Array(m), new Float32Array(m)];
  borderIdx.forEach((i, j) => {
    const x = i % w, y = (i - x) / w;
    us[j] = (x + 0.5) / w - 0.5; vs[j] = (y + 0.5) / h - 0.5;
    chan[0][j] = px[i * 4]; chan[1][j] = px[i * 4 + 1]; chan[2][j] = px[i * 4 + 2];
  });
  const wts = new Float32Array(m).fill(1);
  let surface: number[] = [];
  for (let round = 0; round < 3; round++) {
    surface = [...fitSurface(us, vs, chan[0], wts), ...fitSurface(us, vs, chan[1], wts), ...fitSurface(us, vs, chan[2], wts)];
    const res = new Float32Array(m);
    for (let j = 0; j < m; j++) {
      res[j] = Math.abs(chan[0][j] - evalSurface(surface, 0, us[j], vs[j])) + Math.abs(chan[1][j] - evalSurface(surface, 6, us[j], vs[j])) + Math.abs(chan[2][j] - evalSurface(surface, 12, us[j], vs[j]));
    }
    const med = quantile(res, 0.5);
    const cut = med * 4 + 6;
    for (let j = 0; j < m; j++) wts[j] = res[j] <= cut ? 1 : 0;
  }
  return surface;
}

/** The background's Lab per pixel (the surface is smooth: evaluated on a coarse grid, interpolated). */
export function backgroundLabPlanes(surface: number[], w: number, h: number): { bgL: Float32Array; bgA: Float32Array; bgB: Float32Array } {
  const n = w * h;
  const bgL = new Float32Array(n), bgA = new Float32Array(n), bgB = new Float32Array(n);
  const G = 16;
  const gl = new Float32Array((G + 1) * (G + 1) * 3);
  const tmp = [0, 0, 0];
  for (let gy = 0; gy <= G; gy++) for (let gx = 0; gx <= G; gx++) {
    const u = gx / G - 0.5, v = gy / G - 0.5;
    const c = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
    rgbToLab(c(evalSurface(surface, 0, u, v)), c(evalSurface(surface, 6, u, v)), c(evalSurface(surface, 12, u, v)), tmp, 0);
    const o = (gy * (G + 1) + gx) * 3;
    gl[o] = tmp[0]; gl[o + 1] = tmp[1]; gl[o + 2] = tmp[2];
  }
  for (let y = 0; y < h; y++) {
    const fy = ((y + 0.5) / h) * G, y0 = Math.min(G - 1, Math.floor(fy)), ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = ((x + 0.5) / w) * G, x0 = Math.min(G - 1, Math.floor(fx)), tx = fx - x0;
      const i = y * w + x;
      for (let c = 0; c < 3; c++) {
        const a = gl[(y0 * (G + 1) + x0) * 3 + c], b = gl[(y0 * (G + 1) + x0 + 1) * 3 + c];
        const cc = gl[((y0 + 1) * (G + 1) + x0) * 3 + c], d = gl[((y0 + 1) * (G + 1) + x0 + 1) * 3 + c];
        const val = (a * (1 - tx) + b * tx) * (1 - ty) + (cc * (1 - tx) + d * tx) * ty;
        if (c === 0) bgL[i] = val; else if (c === 1) bgA[i] = val; else bgB[i] = val;
      }
    }
  }
  return { bgL, bgA, bgB };
}

/** What the border says about the background: median colour, kind and unevenness. */
export function describeBackground(img: WorkImage, borderIdx: number[], surface: number[]): BackgroundModel {
  const { L, A, B, px } = img;
  const bL = borderIdx.map((i) => L[i]);
  const bA = borderIdx.map((i) => A[i]);
  const bBv = borderIdx.map((i) => B[i]);
  const medLab = { l: quantile(bL, 0.5), a: quantile(bA, 0.5), b: quantile(bBv, 0.5) };
  const lightnessSpread = quantile(bL, 0.95) - quantile(bL, 0.05);
  const bgChroma = Math.hypot(medLab.a, medLab.b);
  const kind: BackgroundModel['kind'] = bgChroma > 12 ? 'colored' : medLab.l >= 88 ? 'white' : medLab.l >= 70 ? 'light' : medLab.l >= 45 ? 'grey' : 'dark';
  const medRgb: [number, number, number] = [
    Math.round(quantile(borderIdx.map((i) => px[i * 4]), 0.5)),
    Math.round(quantile(borderIdx.map((i) => px[i * 4 + 1]), 0.5)),
    Math.round(quantile(borderIdx.map((i) => px[i * 4 + 2]), 0.5)),
  ];
  return {
    rgb: medRgb,
    lab: { l: round2(medLab.l), a: round2(medLab.a), b: round2(medLab.b) },
    surface: surface.map((c) => Math.round(c * 1000) / 1000),
    kind,
    lightnessSpread: round2(lightnessSpread),
  };
}

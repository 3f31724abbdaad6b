/**
 * Colour helpers: fast sRGB -> CIELAB (D65) for pixel loops, CIEDE2000 via culori, and the
 * colour signature of a masked region (Lab mean + dominant colours with weights).
 */
import { differenceCiede2000 } from 'culori';

export interface Lab {
  l: number;
  a: number;
  b: number;
}

const LIN = new Float32Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  LIN[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

function f(t: number): number {
  return t > 0.008856451679 ? Math.cbrt(t) : 7.787037037 * t + 16 / 116;
}

/** sRGB 8-bit -> CIELAB (D65), written into out[0..2]. */
export function rgbToLab(r: number, g: number, b: number, out: Float32Array | number[] = [0, 0, 0], o = 0): Float32Array | number[] {
  const R = LIN[r], G = LIN[g], B = LIN[b];
  const x = (0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / 0.95047;
  const y = 0.2126729 * R + 0.7151522 * G + 0.072175 * B;
  const z = (0.0193339 * R + 0.119192 * G + 0.9503041 * B) / 1.08883;
  const fx = f(x), fy = f(y), fz = f(z);
  out[o] = 116 * fy - 16;
  out[o + 1] = 500 * (fx - fy);
  out[o + 2] = 200 * (fy - fz);
  return out;
}

/** Whole RGBA buffer -> planar Lab (3 Float32Array planes). */
export function rgbaToLabPlanes(data: Uint8Array, n: number): { L: Float32Array; A: Float32Array; B: Float32Array } {
  const L = new Float32Array(n), A = new Float32Array(n), B = new Float32Array(n);
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const R = LIN[data[p]], G = LIN[data[p + 1]], Bl = LIN[data[p + 2]];
    const fx = f((0.4124564 * R + 0.3575761 * G + 0.1804375 * Bl) / 0.95047);
    const fy = f(0.2126729 * R + 0.7151522 * G + 0.072175 * Bl);
    const fz = f((0.0193339 * R + 0.119192 * G + 0.9503041 * Bl) / 1.08883);
    L[i] = 116 * fy - 16; A[i] = 500 * (fx - fy); B[i] = 200 * (fy - fz);
  }
  return { L, A, B };
}

const de2000 = differenceCiede2000();

/** CIEDE2000 between two Lab colours (culori). */
export function deltaE2000(x: Lab, y: Lab): number {
  return de2000({ mode: 'lab', l: x.l, a: x.a, b: x.b }, { mode: 'lab', l: y.l, a: y.a, b: y.b });
}

export interface DominantColor {
  lab: Lab;
  /** share of the region's pixels, 0..1 (weights sum to 1) */
  weight: number;
  hex: string;
}

export interface ColorSignature {
  /** mean Lab of the region (weighted by mask coverage) */
  mean: Lab;
  /** chroma of the mean colour */
  chroma: number;
  dominant: DominantColor[];
  /** how many pixels were sampled */
  samples: number;
}

function labToHex(lab: Lab): string {
  // inverse of rgbToLab (D65), clamped
  const fy = (lab.l + 16) / 116, fx = fy + lab.a / 500, fz = fy - lab.b / 200;
  const inv = (t: number) => (t * t * t > 0.008856451679 ? t * t * t : (t - 16 / 116) / 7.787037037);
  const X = inv(fx) * 0.95047, Y = inv(fy), Z = inv(fz) * 1.08883;
  const lin = [
    3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z,
    -0.969266 * X + 1.8760108 * Y + 0.041556 * Z,
    0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z,
  ];
  return '#' + lin.map((c) => {
    const v = c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(Math.max(c, 0), 1 / 2.4) - 0.055;
    return Math.round(Math.min(1, Math.max(0, v)) * 255).toString(16).padStart(2, '0');
  }).join('');
}

/**
 * Colour signature of the pixels where mask >= minMask (RGBA data, mask width*height).
 * Dominant colours: deterministic k-means (k <= 4) in Lab, initialised on L quantiles.
 */
export function colorSignature(rgba: Uint8Array, mask: Uint8Array, width: number, height: number, minMask = 192, k = 4): ColorSignature {
  const n = width * height;
  let count = 0;
  for (let i = 0; i < n; i++) if (mask[i] >= minMask && rgba[i * 4 + 3] >= 128) count++;
  const step = Math.max(1, Math.floor(count / 40_000));
  const pts: number[] = [];
  const tmp = new Float32Array(3);
  let seen = 0;
  for (let i = 0; i < n; i++) {
    if (mask[i] < minMask || rgba[i * 4 + 3] < 128) continue;
    if (seen++ % step) continue;
    rgbToLab(rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2], tmp, 0);
    pts.push(tmp[0], tmp[1], tmp[2]);
  }
  const m = pts.length / 3;
  if (m === 0) return { mean: { l: 0, a: 0, b: 0 }, chroma: 0, dominant: [], samples: 0 };
  // interquartile mean per channel: robust to soft-edge pixels blended with the background
  const iqm = (c: number) => {
    const v = new Float32Array(m);
    for (let i = 0; i < m; i++) v[i] = pts[3 * i + c];
    v.sort();
    const a = Math.floor(m * 0.25), b = Math.max(a + 1, Math.ceil(m * 0.75));
    let s = 0;
    for (let i = a; i < b; i++) s += v[i];
    return s / (b - a);
  };
  const mean = { l: iqm(0), a: iqm(1), b: iqm(2) };
  const dominant = kmeansLab(pts, Math.min(k, m));
  return { mean: round(mean), chroma: Math.round(Math.hypot(mean.a, mean.b) * 100) / 100, dominant, samples: m };
}

function round(l: Lab): Lab {
  return { l: Math.round(l.l * 100) / 100, a: Math.round(l.a * 100) / 100, b: Math.round(l.b * 100) / 100 };
}

function kmeansLab(pts: number[], k: number): DominantColor[] {
  const m = pts.length / 3;
  // init: k points at L quantiles
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => pts[3 * x] - pts[3 * y]);
  const c = new Float64Array(k * 3);
  for (let j = 0; j < k; j++) {
    const i = order[Math.min(m - 1, Math.floor(((j + 0.5) / k) * m))];
    c[3 * j] = pts[3 * i]; c[3 * j + 1] = pts[3 * i + 1]; c[3 * j + 2] = pts[3 * i + 2];
  }
  const assign = new Int32Array(m);
  for (let iter = 0; iter < 12; iter++) {
    const sum = new Float64Array(k * 3), cnt = new Float64Array(k);
    for (let i = 0; i < m; i++) {
      let best = 0, bd = Infinity;
      for (let j = 0; j < k; j++) {
        const d = (pts[3 * i] - c[3 * j]) ** 2 + (pts[3 * i + 1] - c[3 * j + 1]) ** 2 + (pts[3 * i + 2] - c[3 * j + 2]) ** 2;
        if (d < bd) { bd = d; best = j; }
      }
      assign[i] = best; cnt[best]++;
      sum[3 * best] += pts[3 * i]; sum[3 * best + 1] += pts[3 * i + 1]; sum[3 * best + 2] += pts[3 * i + 2];
    }
    for (let j = 0; j < k; j++) if (cnt[j] > 0) { c[3 * j] = sum[3 * j] / cnt[j]; c[3 * j + 1] = sum[3 * j + 1] / cnt[j]; c[3 * j + 2] = sum[3 * j + 2] / cnt[j]; }
    if (iter === 11) {
      const out: DominantColor[] = [];
      for (let j = 0; j < k; j++) {
        if (cnt[j] === 0) continue;
        const lab = round({ l: c[3 * j], a: c[3 * j + 1], b: c[3 * j + 2] });
        out.push({ lab, weight: Math.round((cnt[j] / m) * 1000) / 1000, hex: labToHex(lab) });
      }
      return out.sort((x, y) => y.weight - x.weight);
    }
  }
  return [];
}

/**
 * Palette distance: for each dominant colour of `ref`, the CIEDE2000 to the nearest dominant
 * colour of `cand`, weighted by the reference weight (an Earth-mover-like, one-sided measure),
 * made symmetric by averaging both directions.
 */
export function paletteDistance(ref: DominantColor[], cand: DominantColor[]): number {
  const one = (x: DominantColor[], y: DominantColor[]) => {
    let s = 0, w = 0;
    for (const d of x) {
      let best = Infinity;
      for (const e of y) best = Math.min(best, deltaE2000(d.lab, e.lab));
      if (Number.isFinite(best)) { s += best * d.weight; w += d.weight; }
    }
    return w > 0 ? s / w : 0;
  };
  if (!ref.length || !cand.length) return 0;
  return (one(ref, cand) + one(cand, ref)) / 2;
}

/**
 * 2D transforms fitted to matched points: a similarity by RANSAC (two points fix one; OpenCV.js
 * lacks estimateAffinePartial2D) and an affine by least squares on the inliers. Plain numbers,
 * no OpenCV, deterministic (seeded sampling).
 */

/** x' = a x + b y + tx, y' = c x + d y + ty */
export type Affine = [number, number, number, number, number, number];

export interface PointPairs {
  /** x0, y0, x1, y1, ... */
  src: Float64Array;
  dst: Float64Array;
  count: number;
}

export interface RansacOptions {
  /** inlier distance, in dst units: the floor of the threshold */
  threshold: number;
  /**
   * inlier distance as a fraction of the mapped source extent (sourceExtent x the hypothesis's
   * scale): a large product tolerates a proportionally larger error (a stretch, a drape)
   */
  relative?: number;
  sourceExtent?: number;
  iterations: number;
  /** plausible range of the similarity's scale */
  minScale: number;
  maxScale: number;
  seed?: number;
}

/** mulberry32: small, seeded, good enough to draw samples. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Similarity (scale, rotation, translation) by MSAC: the model with the lowest truncated squared
 * error wins, then it is re-fitted by least squares on its inliers.
 */
export function ransacSimilarity(p: PointPairs, o: RansacOptions): { model: Affine; inliers: number[]; threshold: number } | null {
  const n = p.count;
  if (n < 2) return null;
  const rand = rng(o.seed ?? 12345);
  let best: Affine | null = null;
  let bestCost = Infinity;
  let bestCount = 0;
  let bestT = o.threshold;
  let iterations = o.iterations;
  for (let it = 0; it < iterations; it++) {
    const i = Math.floor(rand() * n);
    let j = Math.floor(rand() * (n - 1));
    if (j >= i) j++;
    const dpx = p.src[2 * j] - p.src[2 * i], dpy = p.src[2 * j + 1] - p.src[2 * i + 1];
    const dqx = p.dst[2 * j] - p.dst[2 * i], dqy = p.dst[2 * j + 1] - p.dst[2 * i + 1];
    const den = dpx * dpx + dpy * dpy;
    if (den < 25 || dqx * dqx + dqy * dqy < 4) continue;
    // (a + ib) = dq / dp
    const a = (dqx * dpx + dqy * dpy) / den;
    const b = (dqy * dpx - dqx * dpy) / den;
    const s = Math.hypot(a, b);
    if (s < o.minScale || s > o.maxScale) continue;
    const tx = p.dst[2 * i] - (a * p.src[2 * i] - b * p.src[2 * i + 1]);
    const ty = p.dst[2 * i + 1] - (b * p.src[2 * i] + a * p.src[2 * i + 1]);
    const t = Math.max(o.threshold, (o.relative ?? 0) * (o.sourceExtent ?? 0) * s);
    const t2 = t * t;
    // truncated squared error in units of the threshold, so hypotheses at other scales compare
    let cost = 0, count = 0;
    for (let k = 0; k < n; k++) {
      const x = p.src[2 * k], y = p.src[2 * k + 1];
      const ex = a * x - b * y + tx - p.dst[2 * k], ey = b * x + a * y + ty - p.dst[2 * k + 1];
      const e = ex * ex + ey * ey;
      if (e < t2) { cost += e / t2; count++; } else cost += 1;
    }
    if (cost < bestCost) {
      bestCost = cost;
      bestCount = count;
      best = [a, -b, tx, b, a, ty];
      bestT = t;
      // adaptive stop: enough draws to hit two inliers with 99.9% probability
      const w = count / n;
      const need = Math.log(0.001) / Math.log(Math.max(1e-9, 1 - w * w));
      if (Number.isFinite(need)) iterations = Math.min(iterations, Math.max(200, Math.ceil(need)));
    }
  }
  if (!best || bestCount < 2) return null;
  let inliers = inliersOf(p, best, bestT);
  const refined = fitSimilarity(p, inliers);
  if (refined) {
    const again = inliersOf(p, refined, bestT);
    if (again.length >= inliers.length) {
      best = refined;
      inliers = again;
    }
  }
  return { model: best, inliers, threshold: bestT };
}

/** Indices of the pairs the model maps within `threshold` of their match. */
export function inliersOf(p: PointPairs, m: Affine, threshold: number): number[] {
  const t2 = threshold * threshold;
  const out: number[] = [];
  for (let k = 0; k < p.count; k++) {
    const x = p.src[2 * k], y = p.src[2 * k + 1];
    const ex = m[0] * x + m[1] * y + m[2] - p.dst[2 * k], ey = m[3] * x + m[4] * y + m[5] - p.dst[2 * k + 1];
    if (ex * ex + ey * ey <= t2) out.push(k);
  }
  return out;
}

/** Least-squares similarity on the given pairs (Umeyama without reflection). */
export function fitSimilarity(p: PointPairs, idx: number[]): Affine | null {
  if (idx.length < 2) return null;
  let mx = 0, my = 0, nx = 0, ny = 0;
  for (const k of idx) { mx += p.src[2 * k]; my += p.src[2 * k + 1]; nx += p.dst[2 * k]; ny += p.dst[2 * k + 1]; }
  const n = idx.length;
  mx /= n; my /= n; nx /= n; ny /= n;
  let sa = 0, sb = 0, ss = 0;
  for (const k of idx) {
    const x = p.src[2 * k] - mx, y = p.src[2 * k + 1] - my;
    const u = p.dst[2 * k] - nx, v = p.dst[2 * k + 1] - ny;
    sa += x * u + y * v;
    sb += x * v - y * u;
    ss += x * x + y * y;
  }
  if (ss <= 0) return null;
  const a = sa / ss, b = sb / ss;
  return [a, -b, nx - (a * mx - b * my), b, a, ny - (b * mx + a * my)];
}

/** Least-squares affine on the given pairs (null when the points are degenerate). */
export function fitAffine(p: PointPairs, idx: number[]): Affine | null {
  if (idx.length < 3) return null;
  // centred normal equations: [sxx sxy; sxy syy] [a b]^T = [sxu syu]^T, same for the second row
  let mx = 0, my = 0, nx = 0, ny = 0;
  for (const k of idx) { mx += p.src[2 * k]; my += p.src[2 * k + 1]; nx += p.dst[2 * k]; ny += p.dst[2 * k + 1]; }
  const n = idx.length;
  mx /= n; my /= n; nx /= n; ny /= n;
  let sxx = 0, sxy = 0, syy = 0, sxu = 0, syu = 0, sxv = 0, syv = 0;
  for (const k of idx) {
    const x = p.src[2 * k] - mx, y = p.src[2 * k + 1] - my;
    const u = p.dst[2 * k] - nx, v = p.dst[2 * k + 1] - ny;
    sxx += x * x; sxy += x * y; syy += y * y;
    sxu += x * u; syu += y * u; sxv += x * v; syv += y * v;
  }
  const det = sxx * syy - sxy * sxy;
  if (Math.abs(det) < 1e-9 * (sxx + syy) ** 2 || det === 0) return null;
  const a = (sxu * syy - syu * sxy) / det, b = (syu * sxx - sxu * sxy) / det;
  const c = (sxv * syy - syv * sxy) / det, d = (syv * sxx - sxv * sxy) / det;
  return [a, b, nx - a * mx - b * my, c, d, ny - c * mx - d * my];
}

/**
 * Scale (geometric mean of the singular values), rotation (of the closest rotation), anisotropy
 * (larger / smaller singular value) and shear (cosine of the angle between the mapped axes).
 */
export function decompose(m: Affine): { scale: number; rotationDeg: number; anisotropy: number; shear: number } {
  const [a, b, , c, d] = m;
  // singular values of [[a b][c d]]
  const e = (a + d) / 2, f = (a - d) / 2, g = (c + b) / 2, h = (c - b) / 2;
  const q = Math.hypot(e, h), r = Math.hypot(f, g);
  const s1 = q + r, s2 = Math.abs(q - r);
  const rotationDeg = (Math.atan2(c - b, a + d) * 180) / Math.PI;
  const n1 = Math.hypot(a, c), n2 = Math.hypot(b, d);
  return {
    scale: Math.sqrt(s1 * s2),
    rotationDeg,
    anisotropy: s2 > 0 ? s1 / s2 : Infinity,
    shear: n1 > 0 && n2 > 0 ? (a * b + c * d) / (n1 * n2) : 0,
  };
}

/** Compose: first `inner`, then `outer` (both 2x3 affines). */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer;
  const [p, q, r, s, t, u] = inner;
  return [a * p + b * s, a * q + b * t, a * r + b * u + c, d * p + e * s, d * q + e * t, d * r + e * u + f];
}

export function invertAffine(m: Affine): Affine {
  const [a, b, tx, c, d, ty] = m;
  const det = a * d - b * c;
  if (!det) return [1, 0, 0, 0, 1, 0];
  const ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)];
}

export function applyAffine(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

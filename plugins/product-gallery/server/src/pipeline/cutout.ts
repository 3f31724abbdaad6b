/**
 * Product cutout for product-on-plain-background photos (white, grey, light marble).
 *
 * Method (all pure JS over raw buffers, sync, worker-safe):
 * 1. Work at a reduced resolution (long side <= 1024 by default).
 * 2. Background model from the border band: a robust quadratic surface per RGB channel (handles
 *    light fall-off and gradients), evaluated per pixel and converted to Lab.
 * 3. Per-pixel features against that model: lightness difference, chroma difference (Lab) and
 *    local gradient (texture). Each is normalised by how extreme it gets on the border band
 *    (99.5th percentile): marble veins and soft shadows at the border raise the bar, so a pixel
 *    counts as product only when it is clearly unlike anything seen on the border.
 * 4. Hysteresis (strong seeds grown through weak pixels) keeps thin chains and clasps; small
 *    specks are dropped; enclosed regions are filled only when they do not look like
 *    background (ring holes, necklace loops stay transparent).
 * 5. Soft edges: alpha from the feature strength relative to the local maximum on the 1-2 px
 *    boundary band (a simple matting estimate), interior = 255.
 * 6. Confidence with reasons (frame contact, busy or dark background, clutter, skin, size).
 */
import { rgbaToLabPlanes, rgbToLab } from './color';
import { components, dilate, erode } from './morphology';
import { downscaleRgba, resizePlaneBilinear, type BBox, type RawImage } from './raw-image';

export const CUTOUT_DEFAULTS = {
  /** long side of the analysis resolution */
  maxWorkSide: 1024,
  /** strong / weak thresholds, in units of "the most extreme border value" */
  strong: 2.0,
  weak: 1.15,
  /** lightness drop (L units) forgiven on smooth, colour-neutral areas: shadows and shading */
  shadowL: 18,
} as const;

/** Below this confidence a cutout must be reviewed by a person. */
export const CUTOUT_REVIEW_THRESHOLD = 0.6;

export interface CutoutOptions {
  maxWorkSide?: number;
}

export interface CutoutReason {
  code: string;
  message: string;
  /** multiplicative factor applied to the confidence (1 = informational) */
  factor: number;
}

export interface BackgroundModel {
  /** median border colour, sRGB 0..255 */
  rgb: [number, number, number];
  lab: { l: number; a: number; b: number };
  /**
   * Quadratic surface per channel: value(u, v) = c0 + c1 u + c2 v + c3 u^2 + c4 u v + c5 v^2,
   * with u = x / width - 0.5 and v = y / height - 0.5 (any resolution). 3 x 6 numbers (R, G, B).
   */
  surface: number[];
  kind: 'white' | 'light' | 'grey' | 'dark' | 'colored';
  /** spread of border lightness (p95 - p5, L units): marble and shadows raise it */
  lightnessSpread: number;
}

export interface CutoutResult {
  width: number;
  height: number;
  /** single-channel 8-bit alpha, width * height, 0 = background, 255 = product */
  mask: Uint8Array;
  /** bounding box of mask >= 128 in full-resolution pixels */
  bbox: BBox;
  /** sum(mask) / 255 / (width * height) */
  areaFraction: number;
  /** background-coloured regions enclosed by the product (ring hole, necklace loop) */
  holes: number;
  /** significant separate product parts (e.g. 2 for a pair of earrings) */
  parts: number;
  /** fraction of the outermost pixel ring covered by the product */
  borderContact: number;
  confidence: number;
  reasons: CutoutReason[];
  background: BackgroundModel;
  /** the analysis resolution */
  workWidth: number;
  workHeight: number;
  ms: number;
}

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

function quantile(arr: Float32Array | number[], q: number): number {
  if (arr.length === 0) return 0;
  const s = Float32Array.from(arr).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * (s.length - 1))))];
}

/** Evaluate the background surface as RGB at (x, y) of an image of size (w, h). */
export function backgroundRgbAt(bg: BackgroundModel, x: number, y: number, w: number, h: number): [number, number, number] {
  const u = (x + 0.5) / w - 0.5, v = (y + 0.5) / h - 0.5;
  return [evalSurface(bg.surface, 0, u, v), evalSurface(bg.surface, 6, u, v), evalSurface(bg.surface, 12, u, v)];
}

// ---------- the cutout ----------

export function cutout(working: RawImage, options: CutoutOptions = {}): CutoutResult {
  const t0 = Date.now();
  const maxWorkSide = options.maxWorkSide ?? CUTOUT_DEFAULTS.maxWorkSide;
  const { image: small } = downscaleRgba(working, maxWorkSide);
  const w = small.width, h = small.height, n = w * h;
  // own-realm copy: typed arrays made by another realm (e.g. a Buffer from sharp seen from a jest
  // or vm context) are much slower to index in hot loops
  const px = small === working ? Uint8Array.from(small.data) : small.data;
  const { L, A, B } = rgbaToLabPlanes(px, n);

  // --- border band
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
  const transparentBorder = borderIdx.length < 16;

  // --- robust quadratic background surface (RGB) fitted on the border band
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

  // --- background Lab per pixel (surface is smooth: evaluate on a coarse grid, interpolate)
  const bgL = new Float32Array(n), bgA = new Float32Array(n), bgB = new Float32Array(n);
  {
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
  }

  // --- features
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

  // z: how unlike the background a pixel is (1 = as extreme as the border gets).
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

  // --- hysteresis: strong seeds grown through weak pixels
  const strongT = CUTOUT_DEFAULTS.strong, weakT = CUTOUT_DEFAULTS.weak;
  const bin = new Uint8Array(n);
  {
    const stack = new Int32Array(n);
    let sp = 0;
    for (let i = 0; i < n; i++) if (z[i] >= strongT) { bin[i] = 255; stack[sp++] = i; }
    while (sp > 0) {
      const i = stack[--sp];
      const x = i % w, y = (i - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const j = yy * w + xx;
          if (!bin[j] && z[j] >= weakT) { bin[j] = 255; stack[sp++] = j; }
        }
      }
    }
  }

  // --- close tiny gaps (chain links), then drop specks
  let closed = erode(dilate(bin, w, h, 1), w, h, 1);
  const minSpeck = Math.max(6, Math.round(n * 0.00004));
  {
    const cc = components(w, h, (i) => closed[i] !== 0);
    for (let i = 0; i < n; i++) {
      const l = cc.labels[i];
      if (l && cc.areas[l] < minSpeck) closed[i] = 0;
    }
  }

  // --- enclosed regions: fill unless they look like background
  let holes = 0;
  const minHole = Math.max(12, Math.round(n * 0.0002));
  {
    // enclosure is judged on a more strongly closed mask so that outlines with small gaps
    // (a pearl's rim, a chain loop) still enclose their inside
    const enclosing = erode(dilate(closed, w, h, 3), w, h, 3);
    const cc = components(w, h, (i) => enclosing[i] === 0, false);
    const sums = new Float64Array(cc.count + 1);
    const strongCount = new Float64Array(cc.count + 1);
    const zs = new Float64Array(cc.count + 1), dls = new Float64Array(cc.count + 1), dcs = new Float64Array(cc.count + 1), gs = new Float64Array(cc.count + 1);
    for (let i = 0; i < n; i++) {
      const l = cc.labels[i];
      if (!l || cc.touchesBorder[l]) continue;
      sums[l] += zRaw[i]; zs[l] += z[i]; dls[l] += dL[i]; dcs[l] += dC[i]; gs[l] += grad[i] / kG;
      if (zRaw[i] >= weakT) strongCount[l]++;
    }
    for (let l = 1; l <= cc.count; l++) {
      if (cc.touchesBorder[l]) continue;
      const meanZ = sums[l] / cc.areas[l];
      const unlike = strongCount[l] / cc.areas[l];
      // background-like: close to the background model once shadows are forgiven, and smooth
      const bgLike = zs[l] / cc.areas[l] < 0.3 && gs[l] / cc.areas[l] < 0.15;
      if (process.env.PG_DEBUG && cc.areas[l] >= minHole) console.log('hole', l, 'area', cc.areas[l], 'meanZraw', meanZ.toFixed(2), 'fracWeakRaw', unlike.toFixed(2), 'meanZ', (zs[l] / cc.areas[l]).toFixed(2), 'meanDL', (dls[l] / cc.areas[l]).toFixed(1), 'meanDC', (dcs[l] / cc.areas[l]).toFixed(1), 'meanG', (gs[l] / cc.areas[l]).toFixed(2), 'bbox', cc.boxes.slice(4 * l, 4 * l + 4).join(','));
      cc.areas[l] = bgLike ? -cc.areas[l] : cc.areas[l];
      if (bgLike && -cc.areas[l] >= minHole) holes++;
    }
    for (let i = 0; i < n; i++) {
      const l = cc.labels[i];
      if (l && !cc.touchesBorder[l] && cc.areas[l] > 0) closed[i] = 255;
      else if (!l && enclosing[i] && !closed[i] && zRaw[i] >= weakT * 0.7) closed[i] = 255; // bridged gap that is not background
    }
  }

  // --- soft alpha on the boundary band
  const inner = erode(closed, w, h, 1);
  const outer = dilate(closed, w, h, 1);
  const alpha = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (inner[i]) { alpha[i] = 255; continue; }
    if (!outer[i]) continue;
    // local max of z among product pixels in a 5x5 window
    const x = i % w, y = (i - x) / w;
    let zmax = 0;
    for (let yy = Math.max(0, y - 2); yy <= Math.min(h - 1, y + 2); yy++) {
      for (let xx = Math.max(0, x - 2); xx <= Math.min(w - 1, x + 2); xx++) {
        const j = yy * w + xx;
        if (closed[j] && z[j] > zmax) zmax = z[j];
      }
    }
    const lo = 0.6;
    const hi = Math.max(strongT, zmax * 0.9);
    let a = (z[i] - lo) / (hi - lo);
    if (closed[i]) a = Math.max(a, 0.35);
    alpha[i] = Math.round(255 * Math.min(1, Math.max(0, a)));
  }
  for (let i = 0; i < n; i++) if (px[i * 4 + 3] < 255) alpha[i] = Math.min(alpha[i], px[i * 4 + 3]);

  // --- full resolution mask
  const W = working.width, H = working.height;
  const mask = resizePlaneBilinear(alpha, w, h, W, H);

  // --- geometry
  let minX = W, minY = H, maxX = -1, maxY = -1, sum = 0;
  for (let y = 0; y < H; y++) {
    const row = y * W;
    for (let x = 0; x < W; x++) {
      const a = mask[row + x];
      sum += a;
      if (a >= 128) {
        if (x < minX) minX = x; if (x > maxX) maxX = x; if (y < minY) minY = y; if (y > maxY) maxY = y;
      }
    }
  }
  const bbox: BBox = maxX < 0 ? { x: 0, y: 0, width: 0, height: 0 } : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
  const areaFraction = sum / 255 / (W * H);

  // --- parts and frame contact (analysis resolution)
  const partsCC = components(w, h, (i) => closed[i] !== 0);
  const sigPart = Math.max(minSpeck * 4, Math.round(n * 0.0005));
  let parts = 0, specks = 0;
  for (let l = 1; l <= partsCC.count; l++) {
    if (partsCC.areas[l] >= sigPart) parts++; else specks++;
  }
  let contact = 0, perim = 0;
  for (let x = 0; x < w; x++) { perim += 2; if (closed[x]) contact++; if (closed[(h - 1) * w + x]) contact++; }
  for (let y = 1; y < h - 1; y++) { perim += 2; if (closed[y * w]) contact++; if (closed[y * w + w - 1]) contact++; }
  const borderContact = contact / perim;

  // --- background description
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
  const background: BackgroundModel = {
    rgb: medRgb,
    lab: { l: round2(medLab.l), a: round2(medLab.a), b: round2(medLab.b) },
    surface: surface.map((c) => Math.round(c * 1000) / 1000),
    kind,
    lightnessSpread: round2(lightnessSpread),
  };

  // --- skin-toned share of the product (YCbCr box, lit skin only)
  let skin = 0, prod = 0;
  for (let i = 0; i < n; i++) {
    if (!closed[i]) continue;
    prod++;
    const r = px[i * 4], g = px[i * 4 + 1], b = px[i * 4 + 2];
    const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
    const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
    if (cb >= 95 && cb <= 125 && cr >= 138 && cr <= 170 && r > 80 && r > g && g > b && r - g > g - b && r - b > 25 && r - b < 110) skin++;
  }
  const skinShare = prod ? skin / prod : 0;

  // --- confidence
  const reasons: CutoutReason[] = [];
  const add = (code: string, message: string, factor: number) => reasons.push({ code, message, factor });
  if (transparentBorder) add('transparent_border', 'The photo already has a transparent background; its alpha was used as the cutout.', 1);
  if (bbox.width === 0 || areaFraction < 0.0008) add('nothing_found', 'No product stands out from the background.', 0.2);
  if (areaFraction > 0.6) add('fills_frame', `The detected subject covers ${(areaFraction * 100).toFixed(0)}% of the photo: this does not look like a product on a plain background.`, 0.35);
  if (borderContact > 0.06) add('runs_off_frame', `The subject runs off the edges of the photo (${(borderContact * 100).toFixed(0)}% of the frame edge): it may be cut off or it is not on a plain background.`, 0.35);
  else if (borderContact > 0.015) add('touches_frame', 'The product touches the edge of the photo; part of it may be cut off.', 0.8);
  else if (borderContact > 0) add('chain_leaves_frame', 'A thin part of the product (a chain) leaves the photo at the edge.', 0.95);
  if (!transparentBorder) {
    if (kind === 'dark') add('dark_background', 'The background is dark, not a plain light surface.', 0.5);
    else if (kind === 'grey') add('grey_background', 'The background is grey rather than white or light.', 0.85);
    else if (kind === 'colored') add('colored_background', 'The background is coloured, not a plain white or light surface.', 0.6);
    if (lightnessSpread > 22) add('busy_background', 'The background is uneven (strong shadows, texture or a scene), so the cutout may include parts of it.', 0.5);
    else if (lightnessSpread > 12) add('textured_background', 'The background has visible texture or shading.', 0.9);
  }
  if (parts > 12 || specks > 60) add('clutter', `Many separate objects were found (${parts} parts, ${specks} specks): clutter, text or a busy scene.`, 0.45);
  if (skinShare > 0.25 && skin > n * 0.03) add('person', 'Skin is visible: this looks like an on-model photo, not a product on a plain background.', 0.4);
  let confidence = reasons.reduce((c, r) => c * r.factor, 1);
  confidence = Math.round(Math.max(0, Math.min(1, confidence)) * 1000) / 1000;

  return {
    width: W,
    height: H,
    mask,
    bbox,
    areaFraction: Math.round(areaFraction * 1e6) / 1e6,
    holes,
    parts,
    borderContact: Math.round(borderContact * 1e4) / 1e4,
    confidence,
    reasons,
    background,
    workWidth: w,
    workHeight: h,
    ms: Date.now() - t0,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

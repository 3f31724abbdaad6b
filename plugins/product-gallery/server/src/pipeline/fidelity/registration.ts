/**
 * Where is the source product in a candidate image (a model or lifestyle scene, at another
 * scale, rotation and light)? ORB keypoints on the source cutout laid on grey, ratio-tested
 * Hamming matches, a similarity fitted by RANSAC, refined as an affine on its inliers, then
 * an alignment score of the warped source against the candidate. A weak match is reported as
 * not found, with the reason: the checks then say "cannot verify" instead of guessing.
 */
import { clampBox, type BBox, type RawImage } from '../raw-image';
import { loadOpenCv, type CV } from './opencv';
import { refineDense } from './dense';
import { applyAffine, composeAffine, decompose, fitAffine, invertAffine, inliersOf, ransacSimilarity, type Affine, type PointPairs } from './similarity';

export type { Affine } from './similarity';
export { applyAffine, composeAffine, invertAffine } from './similarity';


export interface Registration {
  found: boolean;
  /** 0..1: how sure the match is (inliers and alignment together) */
  confidence: number;
  /** matches consistent with the fitted transform */
  inliers: number;
  /** ratio-tested matches between source and candidate */
  matches: number;
  /** alignment after warping: correlation of the warped source with the candidate on the product, -1..1 */
  score: number;
  /** source px -> candidate px: x' = a x + b y + tx, y' = c x + d y + ty */
  affine: Affine;
  /** geometric mean of the two axis scales (candidate px per source px) */
  scale: number;
  rotationDeg: number;
  /** larger / smaller axis scale of the affine, >= 1 (1 = no stretch) */
  anisotropy: number;
  /** false when the matched points are too nearly on one line to measure a stretch across it */
  anisotropyMeasurable: boolean;
  /**
   * Set when the placement was refined on the piece's pixels (ECC) because the matched points
   * alone could not measure a stretch: the correlation it reached, -1..1.
   */
  denseRho?: number;
  /**
   * The mapping is known, not estimated (a local composite's own placement): its stretch is 1 by
   * construction, and anything stretched after placing shows in the aligned comparison instead.
   */
  exact?: boolean;
  /** the product's box in the candidate (candidate px) */
  box: BBox;
  /** the product's long side in the candidate, px */
  productLongSidePx: number;
  /** why the product was not found, in an editor's words (null when found) */
  reason: string | null;
}

export interface RegistrationOptions {
  /** long side of the candidate when extracting features (px); the result is mapped back */
  candidateLongSide?: number;
  /** long side the source product is normalised to before extracting features (px) */
  sourceLongSide?: number;
  /** below this long side in the candidate (px) the product is too small to verify */
  minProductPx?: number;
  minInliers?: number;
  /** alignment score below which the match is not trusted (unless sureInliers agree) */
  minScore?: number;
  sureInliers?: number;
  /** measured times of the steps, ms (for benchmarks) */
  denseBelowInliers?: number;
  minDenseRho?: number;
  timings?: Record<string, number>;
}

export const REGISTRATION_DEFAULTS = {
  candidateLongSide: 1024,
  sourceLongSide: 640,
  minProductPx: 100,
  minInliers: 10,
  minScore: 0.35,
  /**
   * inliers at which the placement is certain whatever the alignment score: on the odd-numbered
   * photos' scenes, no placement with this many was wrong (wrong ones had at most 9), while
   * altered pieces placed right often lined up poorly
   */
  sureInliers: 20,
  /** grey levels the source cutout is laid on before extracting features */
  greys: [40, 128, 215] as readonly number[],
  /** ORB features of the source per grey */
  sourceFeatures: 1000,
  /** Lowe's ratio test */
  ratio: 0.85,
  /** RANSAC inlier distance in the candidate's feature frame, px (floor) ... */
  inlierPx: 4,
  /** ... and as a fraction of the product's size there (tolerates a stretch or a drape while fitting) */
  inlierRelative: 0.02,
  /** below this many consistent points (or with points on one line) the placement is refined densely */
  denseBelowInliers: 15,
  /** ECC correlation a dense refinement must reach to be used */
  minDenseRho: 0.5,
} as const;

const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

function maskBox(mask: Uint8Array, w: number, h: number, min = 128): BBox | null {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (mask[row + x] < min) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

function rgbaMat(cv: CV, img: RawImage, box?: BBox): CV {
  if (!box || (box.x === 0 && box.y === 0 && box.width === img.width && box.height === img.height)) {
    const m = new cv.Mat(img.height, img.width, cv.CV_8UC4);
    m.data.set(img.data);
    return m;
  }
  const m = new cv.Mat(box.height, box.width, cv.CV_8UC4);
  for (let row = 0; row < box.height; row++) {
    const start = ((box.y + row) * img.width + box.x) * 4;
    m.data.set(img.data.subarray(start, start + box.width * 4), row * box.width * 4);
  }
  return m;
}

function planeMat(cv: CV, plane: Uint8Array, w: number, h: number, box?: BBox): CV {
  const b = box ?? { x: 0, y: 0, width: w, height: h };
  const m = new cv.Mat(b.height, b.width, cv.CV_8UC1);
  for (let row = 0; row < b.height; row++) {
    const start = (b.y + row) * w + b.x;
    m.data.set(plane.subarray(start, start + b.width), row * b.width);
  }
  return m;
}

/** Area-resize (shrinking) or linear (enlarging) of a Mat to (w, h); returns a new Mat. */
function resized(cv: CV, m: CV, w: number, h: number): CV {
  const out = new cv.Mat();
  if (w === m.cols && h === m.rows) {
    m.copyTo(out);
    return out;
  }
  cv.resize(m, out, new cv.Size(w, h), 0, 0, w < m.cols ? cv.INTER_AREA : cv.INTER_LINEAR);
  return out;
}

interface Features {
  points: Float32Array;
  count: number;
  descriptors: CV;
}

function orbFeatures(cv: CV, gray: CV, mask: CV | null, nfeatures: number, nlevels: number): Features {
  // A low FAST threshold: pale pearls on white and dark cords carry little contrast.
  const orb = new cv.ORB(nfeatures, 1.2, nlevels, 19, 0, 2, cv.ORB_HARRIS_SCORE, 19, 10);
  const kps = new cv.KeyPointVector();
  const descriptors = new cv.Mat();
  const noMask = mask ? null : new cv.Mat();
  try {
    orb.detectAndCompute(gray, mask ?? noMask, kps, descriptors);
    const count = kps.size();
    const points = new Float32Array(count * 2);
    for (let i = 0; i < count; i++) {
      const p = kps.get(i).pt;
      points[2 * i] = p.x;
      points[2 * i + 1] = p.y;
    }
    return { points, count, descriptors };
  } finally {
    orb.delete();
    kps.delete();
    noMask?.delete();
  }
}

/**
 * Ratio-tested matches of each source feature set against the candidate's, pooled, keeping one
 * source point per candidate point (the closest): many source points piling onto one candidate
 * point would let a degenerate, tiny "product" win the fit.
 */
function ratioMatches(cv: CV, sources: Features[], b: Features, ratio: number): PointPairs {
  const bestFor = new Map<number, { x: number; y: number; d: number }>();
  if (b.count < 2) return { src: new Float64Array(0), dst: new Float64Array(0), count: 0 };
  const matcher = new cv.BFMatcher(cv.NORM_HAMMING, false);
  try {
    for (const a of sources) {
      if (a.count < 2) continue;
      const knn = new cv.DMatchVectorVector();
      try {
        matcher.knnMatch(a.descriptors, b.descriptors, knn, 2);
        for (let i = 0; i < knn.size(); i++) {
          const pair = knn.get(i);
          if (pair.size() >= 2) {
            const m = pair.get(0), n = pair.get(1);
            if (m.distance < ratio * n.distance) {
              const prev = bestFor.get(m.trainIdx);
              if (!prev || m.distance < prev.d) bestFor.set(m.trainIdx, { x: a.points[2 * m.queryIdx], y: a.points[2 * m.queryIdx + 1], d: m.distance });
            }
          }
          pair.delete();
        }
      } finally {
        knn.delete();
      }
    }
  } finally {
    matcher.delete();
  }
  const count = bestFor.size;
  const src = new Float64Array(count * 2), dst = new Float64Array(count * 2);
  let k = 0;
  for (const [t, { x, y }] of bestFor) {
    src[2 * k] = x; src[2 * k + 1] = y;
    dst[2 * k] = b.points[2 * t]; dst[2 * k + 1] = b.points[2 * t + 1];
    k++;
  }
  return { src, dst, count };
}

/** Grey, with the product's surroundings replaced by a flat grey `level` (blended by the mask's alpha). */
function greyFilled(cv: CV, gray: CV, mask: CV, level: number): CV {
  const out = gray.clone();
  const g = out.data as Uint8Array, m = mask.data as Uint8Array;
  for (let i = 0; i < g.length; i++) g[i] = Math.round((g[i] * m[i] + level * (255 - m[i])) / 255);
  return out;
}

/** The region a box covers once mapped by the affine (its four corners' bounds). */
export function mapBox(m: Affine, b: BBox): BBox {
  const xs: number[] = [], ys: number[] = [];
  for (const [x, y] of [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]]) {
    const [u, v] = applyAffine(m, x, y);
    xs.push(u);
    ys.push(v);
  }
  const x0 = Math.min(...xs), y0 = Math.min(...ys);
  return { x: x0, y: y0, width: Math.max(...xs) - x0, height: Math.max(...ys) - y0 };
}

/**
 * Zero-mean correlation of the candidate's lightness with the warped source laid over it, on
 * the product: insensitive to a brighter or dimmer scene, and (the source's own surroundings
 * replaced by the candidate's, then both slightly blurred) to the last pixel of alignment of
 * thin chains and outlines.
 */
function alignmentScore(cv: CV, srcGray: CV, srcMask: CV, candGray: CV, m: Affine, productPx: number): number {
  const sigma = Math.max(1.2, 0.006 * productPx);
  // only the product's box (and a blur's reach) of the candidate is read
  const mb = mapBox(m, { x: 0, y: 0, width: srcGray.cols, height: srcGray.rows });
  const margin = Math.ceil(3 * sigma) + 2;
  const r = clampBox({ x: mb.x - margin, y: mb.y - margin, width: mb.width + 2 * margin, height: mb.height + 2 * margin }, candGray.cols, candGray.rows);
  if (r.width < 8 || r.height < 8) return 0;
  const size = new cv.Size(r.width, r.height);
  const M = cv.matFromArray(2, 3, cv.CV_64F, composeAffine([1, 0, -r.x, 0, 1, -r.y], m));
  const roi = candGray.roi(new cv.Rect(r.x, r.y, r.width, r.height));
  const cand = roi.clone();
  roi.delete();
  const wg = new cv.Mat(), wm = new cv.Mat(), cb = new cv.Mat();
  try {
    cv.warpAffine(srcGray, wg, M, size, cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Scalar(0));
    cv.warpAffine(srcMask, wm, M, size, cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Scalar(0));
    const a = wg.data as Uint8Array, c = cand.data as Uint8Array, w = wm.data as Uint8Array;
    for (let i = 0; i < a.length; i++) a[i] = (a[i] * w[i] + c[i] * (255 - w[i]) + 127) / 255;
    const k = new cv.Size(0, 0);
    cv.GaussianBlur(wg, wg, k, sigma);
    cv.GaussianBlur(cand, cb, k, sigma);
    const b = cb.data as Uint8Array;
    let n = 0, sa = 0, sb = 0;
    for (let i = 0; i < w.length; i++) if (w[i] >= 128) { n++; sa += a[i]; sb += b[i]; }
    if (n < 50) return 0;
    const ma = sa / n, mb2 = sb / n;
    let num = 0, da = 0, db = 0;
    for (let i = 0; i < w.length; i++) {
      if (w[i] < 128) continue;
      const x = a[i] - ma, y = b[i] - mb2;
      num += x * y; da += x * x; db += y * y;
    }
    return da > 0 && db > 0 ? num / Math.sqrt(da * db) : 0;
  } finally {
    M.delete(); wg.delete(); wm.delete(); cb.delete(); cand.delete();
  }
}

const notFound = (reason: string, extra: Partial<Registration> = {}): Registration => ({
  found: false,
  confidence: 0,
  inliers: 0,
  matches: 0,
  score: 0,
  affine: IDENTITY,
  scale: 1,
  rotationDeg: 0,
  anisotropy: 1,
  anisotropyMeasurable: false,
  box: { x: 0, y: 0, width: 0, height: 0 },
  productLongSidePx: 0,
  reason,
  ...extra,
});

/**
 * Find the source product (source pixels where sourceMask >= 128) in the candidate. The affine
 * maps full-size source pixels to full-size candidate pixels.
 */
export async function registerProduct(source: RawImage, sourceMask: Uint8Array, candidate: RawImage, opts: RegistrationOptions = {}): Promise<Registration> {
  const o = { ...REGISTRATION_DEFAULTS, ...opts };
  const sbox0 = maskBox(sourceMask, source.width, source.height);
  if (!sbox0) return notFound('The source photo has no product outline to look for: confirm its cutout first.');
  let t = Date.now();
  const mark = (step: string) => {
    const now = Date.now();
    if (opts.timings) opts.timings[step] = (opts.timings[step] ?? 0) + now - t;
    t = now;
  };
  const { cv } = await loadOpenCv();
  mark('load');
  const mats: CV[] = [];
  const keep = <T>(m: T): T => {
    mats.push(m);
    return m;
  };
  try {
    // Source: the product's box (with a margin for the keypoints' patches), normalised in size.
    const pad = Math.round(0.06 * Math.max(sbox0.width, sbox0.height)) + 8;
    const sbox = clampBox({ x: sbox0.x - pad, y: sbox0.y - pad, width: sbox0.width + 2 * pad, height: sbox0.height + 2 * pad }, source.width, source.height);
    const sLong = Math.max(sbox.width, sbox.height);
    const sScale = Math.min(2, o.sourceLongSide / sLong);
    const sw = Math.max(8, Math.round(sbox.width * sScale)), sh = Math.max(8, Math.round(sbox.height * sScale));
    const sRgba = keep(resized(cv, keep(rgbaMat(cv, source, sbox)), sw, sh));
    const sMask = keep(resized(cv, keep(planeMat(cv, sourceMask, source.width, source.height, sbox)), sw, sh));
    const sGrayRaw = keep(new cv.Mat());
    cv.cvtColor(sRgba, sGrayRaw, cv.COLOR_RGBA2GRAY);
    // Keypoints on the product and its rim (the outline against grey is a feature too).
    const sDet = keep(new cv.Mat());
    cv.threshold(sMask, sDet, 20, 255, cv.THRESH_BINARY);
    cv.dilate(sDet, sDet, keep(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(7, 7))));
    // The product on several greys: a bright chain on a dark surface and on a pale one gives
    // opposite intensity comparisons around it, and the scene's surface is unknown.
    const sfs = o.greys.map((level) => {
      const f = orbFeatures(cv, keep(greyFilled(cv, sGrayRaw, sMask, level)), sDet, o.sourceFeatures, 12);
      keep(f.descriptors);
      return f;
    });
    const sfCount = Math.max(...sfs.map((f) => f.count));
    mark('source');
    // source feature frame -> full source: x = sbox.x + u / scaleX
    const fx = sbox.width / sw, fy = sbox.height / sh;
    const fromSourceFeature: Affine = [fx, 0, sbox.x, 0, fy, sbox.y];

    // Candidate: downscaled for features, mapped back at the end.
    const cLong = Math.max(candidate.width, candidate.height);
    const cScale = Math.min(1, o.candidateLongSide / cLong);
    const cw = Math.round(candidate.width * cScale), ch = Math.round(candidate.height * cScale);
    const cRgba = keep(resized(cv, keep(rgbaMat(cv, candidate)), cw, ch));
    const cGray = keep(new cv.Mat());
    cv.cvtColor(cRgba, cGray, cv.COLOR_RGBA2GRAY);
    const cf = orbFeatures(cv, cGray, null, 3000, 8);
    keep(cf.descriptors);
    mark('candidate');
    const toCandidateFull: Affine = [candidate.width / cw, 0, 0, 0, candidate.height / ch, 0];

    if (sfCount < 8) return notFound(`The source product shows too little detail to be found in another image (${sfCount} features).`);
    if (cf.count < 8) return notFound('This image shows too little detail to find the product in it.');
    const pairs = ratioMatches(cv, sfs, cf, o.ratio);
    if (pairs.count < o.minInliers) {
      return notFound(`The product was not found in this image: only ${pairs.count} distinctive points of the source matched (${o.minInliers} needed).`, { matches: pairs.count });
    }
    mark('match');
    // A placement making the piece larger than the whole image is not one to consider: a clump
    // of chance matches on a small part of it would otherwise win with an absurd scale.
    const fit = ransacSimilarity(pairs, { threshold: o.inlierPx, relative: o.inlierRelative, sourceExtent: Math.max(sw, sh), iterations: 2500, minScale: (0.5 * o.minProductPx * cScale) / Math.max(sw, sh), maxScale: Math.min(12, (1.2 * Math.max(cw, ch)) / (Math.max(sbox0.width, sbox0.height) * sScale)) });
    if (!fit || fit.inliers.length < o.minInliers) {
      return notFound(`The product was not found in this image: the matched points do not agree on one position (${fit?.inliers.length ?? 0} consistent of ${pairs.count}, ${o.minInliers} needed).`, { matches: pairs.count, inliers: fit?.inliers.length ?? 0 });
    }
    // Refine as an affine on the inliers (re-selecting them with it), unless the inliers lie
    // nearly on one line (a bar, a cord): then a stretch across it cannot be measured.
    let model: Affine = fit.model;
    let inliers = fit.inliers;
    let measurable = false;
    if (inlierSpread(pairs, inliers) >= 0.12) {
      let aff: Affine | null = null;
      let idx = inliers;
      for (let round = 0; round < 3; round++) {
        const next = fitAffine(pairs, idx);
        if (!next) break;
        const reselect = inliersOf(pairs, next, fit.threshold);
        aff = next;
        if (reselect.length < 6 || reselect.length === idx.length) break;
        idx = reselect;
      }
      // An affine far from any similarity is fitting noise: keep the similarity.
      if (aff && idx.length >= Math.max(6, inliers.length * 0.9) && decompose(aff).anisotropy < 1.6) {
        model = aff;
        inliers = idx;
        measurable = inlierSpread(pairs, idx) >= 0.12;
      }
    }
    const productPx = (m: Affine) => decompose(m).scale * Math.max(sw, sh);
    let score = alignmentScore(cv, sGrayRaw, sMask, cGray, model, productPx(model));
    // Too few points, points on one line, or a poor alignment: the piece's own pixels measure
    // what the points cannot, and the refinement is kept when it lines the piece up at least as well.
    let denseRho: number | undefined;
    if (!measurable || inliers.length < o.denseBelowInliers || score < o.minScore) {
      const dense = refineDense(cv, sGrayRaw, sMask, cGray, model);
      if (dense && dense.rho >= o.minDenseRho && decompose(dense.model).anisotropy < 1.6) {
        const denseScore = alignmentScore(cv, sGrayRaw, sMask, cGray, dense.model, productPx(dense.model));
        if (denseScore >= score - 0.02) {
          model = dense.model;
          score = denseScore;
          measurable = true;
          denseRho = Math.round(dense.rho * 1000) / 1000;
        }
      }
    }
    mark('fit');
    // source full px -> candidate full px
    const full = composeAffine(toCandidateFull, composeAffine(model, invertAffine(fromSourceFeature)));
    const d = decompose(full);
    const box = mapBox(full, sbox0);
    const productLongSidePx = Math.max(box.width, box.height);
    const inside = clampBox(box, candidate.width, candidate.height);
    const insideShare = box.width > 0 && box.height > 0 ? (inside.width * inside.height) / (box.width * box.height) : 0;
    const confidence = Math.max(0, Math.min(1, 0.5 * Math.min(1, inliers.length / (3 * o.minInliers)) + 0.5 * Math.max(0, Math.min(1, (score - 0.2) / 0.5))));
    const base: Registration = {
      found: true,
      confidence: Math.round(confidence * 1000) / 1000,
      inliers: inliers.length,
      matches: pairs.count,
      score: Math.round(score * 1000) / 1000,
      affine: full.map((v) => Math.round(v * 1e6) / 1e6) as Affine,
      scale: Math.round(d.scale * 10000) / 10000,
      rotationDeg: Math.round(d.rotationDeg * 100) / 100,
      anisotropy: Math.round(d.anisotropy * 10000) / 10000,
      anisotropyMeasurable: measurable,
      ...(denseRho !== undefined ? { denseRho } : {}),
      box: inside,
      productLongSidePx: Math.round(productLongSidePx),
      reason: null,
    };
    if (inliers.length < o.minInliers) {
      return { ...base, found: false, reason: `The product was not found with confidence: only ${inliers.length} matched points agree (${o.minInliers} needed).` };
    }
    // Many matched points agreeing on one placement are not chance: the product is there, and a
    // poor alignment then means its content differs (a part missing, a stone added), which is for
    // the comparison to judge, not a reason to give up.
    if (score < o.minScore && inliers.length < o.sureInliers) {
      return { ...base, found: false, reason: `The product was not found with confidence: where the matched points place it, the source does not line up with the image (alignment ${score.toFixed(2)}, at least ${o.minScore} needed).` };
    }
    if (productLongSidePx < o.minProductPx) {
      return { ...base, found: false, reason: `The product is too small in this image to be checked: about ${Math.round(productLongSidePx)} px long (at least ${o.minProductPx} px needed).` };
    }
    if (insideShare < 0.85) {
      return { ...base, found: false, reason: `Part of the product falls outside this image (${Math.round((1 - insideShare) * 100)}% of its box), so it cannot be compared whole.` };
    }
    return base;
  } catch (err) {
    return notFound(`The product could not be located: image registration failed (${(err as Error).message ?? String(err)}).`);
  } finally {
    for (const m of mats) {
      try {
        m.delete();
      } catch {
        /* already freed */
      }
    }
  }
}

/** Minor / major standard deviation of the inliers' source positions (0 = on a line). */
function inlierSpread(p: PointPairs, idx: number[]): number {
  let mx = 0, my = 0;
  for (const i of idx) { mx += p.src[2 * i]; my += p.src[2 * i + 1]; }
  mx /= idx.length; my /= idx.length;
  let sxx = 0, syy = 0, sxy = 0;
  for (const i of idx) {
    const x = p.src[2 * i] - mx, y = p.src[2 * i + 1] - my;
    sxx += x * x; syy += y * y; sxy += x * y;
  }
  const tr = sxx + syy, det = sxx * syy - sxy * sxy;
  const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
  const l1 = tr / 2 + disc, l2 = Math.max(0, tr / 2 - disc);
  return l1 > 0 ? Math.sqrt(l2 / l1) : 0;
}

export interface WarpedSource {
  /** the source seen in the frame (frame px), transparent where the source does not reach */
  image: RawImage;
  /** the source product's mask in the same frame (0..255) */
  mask: Uint8Array;
}

/**
 * The source (and its product mask) warped into the candidate's frame by the registration's
 * affine: a `frame` region of the candidate (candidate px, default the whole candidate) drawn
 * at `scale` output px per candidate px. Shrinking is done by area first, so fine detail does
 * not alias.
 */
export async function warpSourceToCandidate(
  source: RawImage,
  sourceMask: Uint8Array,
  affine: Affine,
  frame: BBox,
  scale = 1
): Promise<WarpedSource> {
  const { cv } = await loadOpenCv();
  const ow = Math.max(1, Math.round(frame.width * scale)), oh = Math.max(1, Math.round(frame.height * scale));
  // source px -> output px
  let m = composeAffine([scale, 0, -frame.x * scale, 0, scale, -frame.y * scale], affine);
  const mats: CV[] = [];
  try {
    let src = rgbaMat(cv, source);
    let msk = planeMat(cv, sourceMask, source.width, source.height);
    mats.push(src, msk);
    const s = decompose(m).scale;
    if (s < 0.7) {
      const f = Math.max(s, 0.02);
      const w = Math.max(1, Math.round(source.width * f)), h = Math.max(1, Math.round(source.height * f));
      src = resized(cv, src, w, h);
      msk = resized(cv, msk, w, h);
      mats.push(src, msk);
      m = composeAffine(m, [source.width / w, 0, 0, 0, source.height / h, 0]);
    }
    const M = cv.matFromArray(2, 3, cv.CV_64F, m);
    const wi = new cv.Mat(), wm = new cv.Mat();
    mats.push(M, wi, wm);
    const size = new cv.Size(ow, oh);
    cv.warpAffine(src, wi, M, size, cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Scalar(0, 0, 0, 0));
    cv.warpAffine(msk, wm, M, size, cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Scalar(0));
    return {
      image: { data: Uint8Array.from(wi.data as Uint8Array), width: ow, height: oh, channels: 4 },
      mask: Uint8Array.from(wm.data as Uint8Array),
    };
  } finally {
    for (const x of mats) x.delete();
  }
}

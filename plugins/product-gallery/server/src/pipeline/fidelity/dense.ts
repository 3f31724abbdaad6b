/**
 * Dense refinement of a placement: OpenCV's ECC (enhanced correlation coefficient) fits an affine
 * on every pixel of the piece rather than on matched points. Matched points on a bar, a cord or
 * a row of stones lie nearly on one line and say nothing about a stretch across it; the piece's
 * edges across that line do.
 */
import { clampBox } from '../raw-image';
import type { CV } from './opencv';
import { applyAffine, composeAffine, decompose, invertAffine, type Affine } from './similarity';

export interface DenseRefinement {
  /** source feature px -> candidate feature px */
  model: Affine;
  /** ECC's correlation at convergence, -1..1 */
  rho: number;
}

/** Long side of the template the refinement runs on, px: enough for a bar's width, and fast. */
const TEMPLATE_LONG_SIDE = 320;

/**
 * Refine `model` (source feature px -> candidate feature px) with ECC on the source's product.
 * `srcGray`/`srcMask` are the source's box in the feature frame, `candGray` the candidate's.
 * The source's own surroundings are replaced by the candidate's typical grey around the piece
 * (a flat value: copying the candidate's pixels in would copy a stretched part along with them).
 * Returns null when ECC does not converge or wanders away from the points' placement.
 */
export function refineDense(cv: CV, srcGray: CV, srcMask: CV, candGray: CV, model: Affine): DenseRefinement | null {
  const t = Math.min(1, TEMPLATE_LONG_SIDE / Math.max(srcGray.cols, srcGray.rows));
  const tw = Math.max(16, Math.round(srcGray.cols * t)), th = Math.max(16, Math.round(srcGray.rows * t));
  const s = decompose(model).scale;
  // candidate feature px -> ECC input px: the piece at about the template's size
  const q = Math.min(2, t / Math.max(1e-6, s));
  const corners = [[0, 0], [srcGray.cols, 0], [0, srcGray.rows], [srcGray.cols, srcGray.rows]].map(([x, y]) => applyAffine(model, x, y));
  const xs = corners.map((c) => c[0]), ys = corners.map((c) => c[1]);
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const margin = 0.1 * span + 4;
  const roi = clampBox({ x: Math.floor(Math.min(...xs) - margin), y: Math.floor(Math.min(...ys) - margin), width: Math.ceil(span + 2 * margin), height: Math.ceil(span + 2 * margin) }, candGray.cols, candGray.rows);
  if (roi.width < 16 || roi.height < 16) return null;
  const mats: CV[] = [];
  const keep = <T>(m: T): T => {
    mats.push(m);
    return m;
  };
  try {
    const crop = keep(candGray.roi(new cv.Rect(roi.x, roi.y, roi.width, roi.height)));
    const input = keep(new cv.Mat());
    const iw = Math.max(16, Math.round(roi.width * q)), ih = Math.max(16, Math.round(roi.height * q));
    cv.resize(crop, input, new cv.Size(iw, ih), 0, 0, q < 1 ? cv.INTER_AREA : cv.INTER_LINEAR);
    const tpl = keep(new cv.Mat());
    const tmask = keep(new cv.Mat());
    cv.resize(srcGray, tpl, new cv.Size(tw, th), 0, 0, cv.INTER_AREA);
    cv.resize(srcMask, tmask, new cv.Size(tw, th), 0, 0, cv.INTER_AREA);
    // template px -> input px
    const toInput: Affine = composeAffine([q, 0, -roi.x * q, 0, q, -roi.y * q], composeAffine(model, [1 / t, 0, 0, 0, 1 / t, 0]));
    // the candidate's grey around the piece, where the placement puts the source's surroundings
    const warped = keep(new cv.Mat());
    const M0 = keep(cv.matFromArray(2, 3, cv.CV_64F, toInput));
    cv.warpAffine(input, warped, M0, new cv.Size(tw, th), cv.INTER_LINEAR | cv.WARP_INVERSE_MAP, cv.BORDER_REPLICATE, new cv.Scalar(0));
    const w = warped.data as Uint8Array, m = tmask.data as Uint8Array, g = tpl.data as Uint8Array;
    const around: number[] = [];
    for (let i = 0; i < m.length; i++) if (m[i] < 8) around.push(w[i]);
    if (around.length < 20) return null;
    around.sort((a, b) => a - b);
    const fill = around[around.length >> 1];
    for (let i = 0; i < g.length; i++) g[i] = Math.round((g[i] * m[i] + fill * (255 - m[i])) / 255);
    const warp = keep(cv.matFromArray(2, 3, cv.CV_32F, toInput));
    const criteria = new cv.TermCriteria(cv.TermCriteria_COUNT + cv.TermCriteria_EPS, 60, 1e-5);
    // ECC's mask is on the input: where the placement puts the piece, widened for its outline
    // and for a stretch, so that the scene's own detail further out does not pull the fit.
    const inputMask = keep(new cv.Mat());
    const Mi = keep(cv.matFromArray(2, 3, cv.CV_64F, toInput));
    cv.warpAffine(tmask, inputMask, Mi, new cv.Size(iw, ih), cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Scalar(0));
    cv.threshold(inputMask, inputMask, 32, 255, cv.THRESH_BINARY);
    const grow = Math.max(3, Math.round(0.04 * Math.max(tw, th)));
    cv.dilate(inputMask, inputMask, keep(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(2 * grow + 1, 2 * grow + 1))));
    let rho: number;
    try {
      rho = cv.findTransformECC(tpl, input, warp, cv.MOTION_AFFINE, criteria, inputMask, 5);
    } catch {
      return null;
    }
    const d = warp.data32F as Float32Array;
    const refined: Affine = [d[0], d[1], d[2], d[3], d[4], d[5]];
    // back to source feature px -> candidate feature px
    const out = composeAffine(invertAffine([q, 0, -roi.x * q, 0, q, -roi.y * q]), composeAffine(refined, [t, 0, 0, 0, t, 0]));
    // a refinement that moves the piece's corners by more than a tenth of its size found something else
    const moved = Math.max(...[[0, 0], [srcGray.cols, 0], [0, srcGray.rows], [srcGray.cols, srcGray.rows]].map(([x, y]) => {
      const a = applyAffine(model, x, y), b = applyAffine(out, x, y);
      return Math.hypot(a[0] - b[0], a[1] - b[1]);
    }));

    if (!Number.isFinite(rho) || moved > 0.1 * span) return null;
    return { model: out, rho };
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

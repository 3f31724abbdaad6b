/**
 * Edge alpha: a simple matting estimate on the 1-2 px boundary band (feature strength relative to
 * the local maximum of the product's own pixels), interior 255; then the full-resolution mask and
 * its geometry.
 */
import { dilate, erode } from '../morphology';
import { resizePlaneBilinear, type BBox } from '../raw-image';
import { CUTOUT_DEFAULTS } from './types';

export function edgeAlpha(closed: Uint8Array, z: Float32Array, px: Uint8Array, w: number, h: number): Uint8Array {
  const n = w * h;
  const strongT = CUTOUT_DEFAULTS.strong;
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
  // a photo's own transparency is never made opaque
  for (let i = 0; i < n; i++) if (px[i * 4 + 3] < 255) alpha[i] = Math.min(alpha[i], px[i * 4 + 3]);
  return alpha;
}

/** Bounding box (alpha >= 128) and covered fraction of a full-resolution mask. */
export function maskGeometry(mask: Uint8Array, W: number, H: number): { bbox: BBox; areaFraction: number } {
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
  return { bbox, areaFraction: sum / 255 / (W * H) };
}

/** The analysis-resolution alpha brought to the photo's size. */
export const fullResolution = (alpha: Uint8Array, w: number, h: number, W: number, H: number): Uint8Array => resizePlaneBilinear(alpha, w, h, W, H);

/**
 * The product's edge unmixed from the background it was photographed on, so it can be laid on
 * anything else (white, a scene) without a rim of marble or grey.
 *
 * An edge pixel is a mix: src = a*F + (1-a)*B, with B the background model's colour there. The
 * cutout's mask says where the edge is, not how much of each pixel is product: its edge pixels
 * are often opaque (or a plain background pixel gets a = 0.3), and laid elsewhere they carry the
 * old background along. So, on a band along the mask's edge, F is taken from the nearest pixel of
 * the product's core and a is measured on the line from B to F (the projection of src - B on
 * F - B); the cutout's a stays an upper bound, so the edge only ever loses background, never
 * gains product. Where the model does not explain the pixel (product and background of the same
 * colour, or a pixel beyond B, like a highlight brighter than the marble) the cutout's a stands.
 */
import { backgroundRgbAt, type BackgroundModel } from './cutout';
import type { BBox, RawImage } from './raw-image';

/** Below this RGB distance between the product's colour and the background's, a is not measured. */
const MIN_CONTRAST = 40;
/** A pixel this far beyond the background, away from the product (in units of F - B), is not a mix of the two. */
const BEYOND_B = 0.12;

/**
 * The product inside `box`: RGBA, straight alpha, its edge unmixed from the background. Without
 * a background model (or on a transparent source) it is the source as masked.
 */
export function unmixedProduct(working: RawImage, mask: Uint8Array, box: BBox, background?: BackgroundModel | null): RawImage {
  const { data, width: W, height: H } = working;
  // the edge band's width: the blur of an edge grows with the photo's resolution
  const band = Math.max(3, Math.round(Math.max(W, H) / 500));
  // worked on the box grown by the band, so the box's own border is seen as an edge
  const bx = Math.max(0, box.x - band - 1), by = Math.max(0, box.y - band - 1);
  const w = Math.min(W, box.x + box.width + band + 1) - bx, h = Math.min(H, box.y + box.height + band + 1) - by;
  const n = w * h;
  const out = new Uint8Array(box.width * box.height * 4);
  const m = new Uint8Array(n);
  for (let y = 0; y < h; y++) m.set(mask.subarray((by + y) * W + bx, (by + y) * W + bx + w), y * w);
  const queue = new Int32Array(n);
  const walk = (dist: Int32Array, enter: (j: number) => boolean, limit: number, near?: Int32Array) => {
    let head = 0, tail = 0;
    for (let i = 0; i < n; i++) if (dist[i] === 0) queue[tail++] = i;
    while (head < tail) {
      const i = queue[head++];
      if (dist[i] >= limit) continue;
      const x = i % w;
      for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w]) {
        if (j < 0 || j >= n || dist[j] >= 0 || !enter(j)) continue;
        dist[j] = dist[i] + 1;
        if (near) near[j] = near[i];
        queue[tail++] = j;
      }
    }
  };
  // distance from the mask's edge (anything not opaque) into the product
  const inward = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) if (m[i] < 255) inward[i] = 0;
  walk(inward, () => true, band + 1);
  // the product's core, and for every band pixel the nearest core pixel (source index)
  const fromCore = new Int32Array(n).fill(-1);
  const near = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) if (inward[i] < 0 || inward[i] > band) { fromCore[i] = 0; near[i] = (by + Math.floor(i / w)) * W + bx + (i % w); }
  walk(fromCore, (j) => m[j] > 0, 2 * band + 1, near);

  for (let y = box.y - by; y < box.y - by + box.height; y++) {
    for (let x = box.x - bx; x < box.x - bx + box.width; x++) {
      const i = y * w + x;
      const si = (by + y) * W + bx + x;
      const o = ((y - (box.y - by)) * box.width + x - (box.x - bx)) * 4;
      const srcA = data[si * 4 + 3];
      let a = (m[i] / 255) * (srcA / 255);
      if (a <= 0) continue;
      const f = near[i];
      const onEdge = fromCore[i] > 0 && f >= 0;
      if ((!onEdge && a >= 1) || !background || srcA < 255) {
        out[o] = data[si * 4]; out[o + 1] = data[si * 4 + 1]; out[o + 2] = data[si * 4 + 2];
        out[o + 3] = Math.round(a * 255);
        continue;
      }
      const bg = backgroundRgbAt(background, bx + x, by + y, W, H).map((v) => Math.min(255, Math.max(0, v)));
      if (onEdge) {
        const d0 = data[f * 4] - bg[0], d1 = data[f * 4 + 1] - bg[1], d2 = data[f * 4 + 2] - bg[2];
        const dd = d0 * d0 + d1 * d1 + d2 * d2;
        if (dd >= MIN_CONTRAST * MIN_CONTRAST) {
          const along = ((data[si * 4] - bg[0]) * d0 + (data[si * 4 + 1] - bg[1]) * d1 + (data[si * 4 + 2] - bg[2]) * d2) / dd;
          if (along >= -BEYOND_B) a = Math.min(a, Math.max(0, along));
        }
      }
      const alpha = Math.round(a * 255);
      if (alpha === 0) continue;
      out[o + 3] = alpha;
      if (alpha === 255) {
        out[o] = data[si * 4]; out[o + 1] = data[si * 4 + 1]; out[o + 2] = data[si * 4 + 2];
        continue;
      }
      const k = alpha / 255;
      for (let c = 0; c < 3; c++) {
        const v = (data[si * 4 + c] - (1 - k) * bg[c]) / k;
        out[o + c] = v >= 255 ? 255 : v <= 0 ? 0 : Math.round(v);
      }
    }
  }
  return { data: out, width: box.width, height: box.height, channels: 4 };
}

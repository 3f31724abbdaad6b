/**
 * The pipeline's in-memory image: raw, 8-bit, sRGB, RGBA, row-major, no padding. Plain data
 * (a Uint8Array and numbers) so it can be posted to a worker thread and back.
 */
export interface RawImage {
  /** width * height * 4 bytes, RGBA, sRGB, alpha straight (not premultiplied). */
  data: Uint8Array;
  width: number;
  height: number;
  channels: 4;
}

/** A single-channel 8-bit mask, width * height bytes (0 = background, 255 = product). */
export interface RawMask {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The one box type: a rectangle in pixels of the image it belongs to (declared with the contracts). */
import type { BBox } from '../../../shared/contracts/reference';

export type { BBox };

/** Area-average downscale of an RGBA image so that its long side is at most `maxLongSide`. */
export function downscaleRgba(img: RawImage, maxLongSide: number): { image: RawImage; scale: number } {
  const { width: w, height: h } = img;
  const long = Math.max(w, h);
  if (long <= maxLongSide) return { image: img, scale: 1 };
  const data = Uint8Array.from(img.data);
  const scale = maxLongSide / long;
  const nw = Math.max(1, Math.round(w * scale));
  const nh = Math.max(1, Math.round(h * scale));
  const out = new Uint8Array(nw * nh * 4);
  const sx = w / nw;
  const sy = h / nh;
  for (let y = 0; y < nh; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.min(h, Math.floor((y + 1) * sy)));
    for (let x = 0; x < nw; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.min(w, Math.floor((x + 1) * sx)));
      let r = 0, g = 0, b = 0, a = 0, n = 0;
      for (let yy = y0; yy < y1; yy++) {
        let p = (yy * w + x0) * 4;
        for (let xx = x0; xx < x1; xx++, p += 4) {
          r += data[p]; g += data[p + 1]; b += data[p + 2]; a += data[p + 3]; n++;
        }
      }
      const q = (y * nw + x) * 4;
      out[q] = Math.round(r / n); out[q + 1] = Math.round(g / n); out[q + 2] = Math.round(b / n); out[q + 3] = Math.round(a / n);
    }
  }
  return { image: { data: out, width: nw, height: nh, channels: 4 }, scale: nw / w };
}

/** Bilinear resize of a single-channel 8-bit plane (used to bring a mask back to full size). */
export function resizePlaneBilinear(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  if (sw === dw && sh === dh) return src.slice();
  const out = new Uint8Array(dw * dh);
  const fx = sw / dw;
  const fy = sh / dh;
  for (let y = 0; y < dh; y++) {
    let syf = (y + 0.5) * fy - 0.5;
    if (syf < 0) syf = 0;
    const y0 = Math.min(sh - 1, Math.floor(syf));
    const y1 = Math.min(sh - 1, y0 + 1);
    const ty = syf - y0;
    for (let x = 0; x < dw; x++) {
      let sxf = (x + 0.5) * fx - 0.5;
      if (sxf < 0) sxf = 0;
      const x0 = Math.min(sw - 1, Math.floor(sxf));
      const x1 = Math.min(sw - 1, x0 + 1);
      const tx = sxf - x0;
      const a = src[y0 * sw + x0], b = src[y0 * sw + x1], c = src[y1 * sw + x0], d = src[y1 * sw + x1];
      out[y * dw + x] = Math.round((a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty);
    }
  }
  return out;
}

/** Area-average resize of a float plane to (dw, dh) (dw <= sw, dh <= sh assumed; works either way). */
export function resizePlaneArea(src: Float32Array | Uint8Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  const out = new Float32Array(dw * dh);
  const fx = sw / dw;
  const fy = sh / dh;
  for (let y = 0; y < dh; y++) {
    const y0 = y * fy, y1 = (y + 1) * fy;
    for (let x = 0; x < dw; x++) {
      const x0 = x * fx, x1 = (x + 1) * fx;
      let s = 0, n = 0;
      for (let yy = Math.floor(y0); yy < Math.ceil(y1) && yy < sh; yy++) {
        const wy = Math.min(y1, yy + 1) - Math.max(y0, yy);
        if (wy <= 0) continue;
        for (let xx = Math.floor(x0); xx < Math.ceil(x1) && xx < sw; xx++) {
          const wx = Math.min(x1, xx + 1) - Math.max(x0, xx);
          if (wx <= 0) continue;
          s += src[yy * sw + xx] * wx * wy; n += wx * wy;
        }
      }
      out[y * dw + x] = n > 0 ? s / n : 0;
    }
  }
  return out;
}

/** A box grown by `margin` (fraction of its size), in whole pixels, kept inside a w x h image (at least 1x1). */
export function clampBox(b: BBox, w: number, h: number, margin = 0): BBox {
  const mx = Math.round(b.width * margin);
  const my = Math.round(b.height * margin);
  const x = Math.max(0, Math.floor(b.x - mx));
  const y = Math.max(0, Math.floor(b.y - my));
  return { x, y, width: Math.max(1, Math.min(w, Math.ceil(b.x + b.width + mx)) - x), height: Math.max(1, Math.min(h, Math.ceil(b.y + b.height + my)) - y) };
}

/** The pixels of an RGBA image inside a box (clamped to the image). */
export function cropRaw(img: RawImage, box: BBox): RawImage {
  const b = clampBox(box, img.width, img.height);
  const out = new Uint8Array(b.width * b.height * 4);
  for (let row = 0; row < b.height; row++) {
    const start = ((b.y + row) * img.width + b.x) * 4;
    out.set(img.data.subarray(start, start + b.width * 4), row * b.width * 4);
  }
  return { data: out, width: b.width, height: b.height, channels: 4 };
}

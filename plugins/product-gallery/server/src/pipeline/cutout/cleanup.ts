/** Morphology clean-up: tiny gaps closed (chain links), then specks dropped. */
import { components, dilate, erode } from '../morphology';

/** The smallest region kept, in analysis pixels. */
export const minSpeckArea = (n: number): number => Math.max(6, Math.round(n * 0.00004));

export function cleanMask(bin: Uint8Array, w: number, h: number): Uint8Array {
  const n = w * h;
  const closed = erode(dilate(bin, w, h, 1), w, h, 1);
  const minSpeck = minSpeckArea(n);
  const cc = components(w, h, (i) => closed[i] !== 0);
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i];
    if (l && cc.areas[l] < minSpeck) closed[i] = 0;
  }
  return closed;
}

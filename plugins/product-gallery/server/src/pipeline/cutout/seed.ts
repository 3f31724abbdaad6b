/**
 * Seeds and threshold: strong pixels grown through weak ones (hysteresis), which keeps thin
 * chains and clasps attached to the piece without taking in every faint marble vein.
 */
import { CUTOUT_DEFAULTS } from './types';

export function seedMask(z: Float32Array, w: number, h: number, strongT: number = CUTOUT_DEFAULTS.strong, weakT: number = CUTOUT_DEFAULTS.weak): Uint8Array {
  const n = w * h;
  const bin = new Uint8Array(n);
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
  return bin;
}

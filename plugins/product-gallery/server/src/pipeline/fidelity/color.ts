/** Colour: are the metal and the stones the same colours as in the source? */
import { deltaE2000, rgbToLab, type ColorSignature, type DominantColor, type Lab } from '../color';
import type { QcCheck } from '../qc';
import { FIDELITY_THRESHOLDS as T } from './limits';
import { grade, r2, worst } from './verdict';

/**
 * How far the reference's dominant colours moved in the candidate: every product pixel of the
 * candidate goes to the nearest reference colour, and each reference colour is compared with the
 * mean of the pixels it received (CIEDE2000, weighted by the reference's shares). Clustering the
 * candidate afresh would split a textured or multicoloured piece (lapis, enamel, stones on gold)
 * differently from the source even when nothing changed; one assignment against the reference's
 * own colours does not, and a recolour still moves every colour it touches.
 */
export function paletteShift(ref: DominantColor[], rgba: Uint8Array, mask: Uint8Array, width: number, height: number, minMask = 192): number {
  if (!ref.length) return 0;
  const n = width * height;
  let count = 0;
  for (let i = 0; i < n; i++) if (mask[i] >= minMask && rgba[i * 4 + 3] >= 128) count++;
  if (!count) return 0;
  const step = Math.max(1, Math.floor(count / 40_000));
  const k = ref.length;
  const sum = new Float64Array(k * 3), cnt = new Float64Array(k);
  const lab = new Float32Array(3);
  let seen = 0;
  for (let i = 0; i < n; i++) {
    if (mask[i] < minMask || rgba[i * 4 + 3] < 128) continue;
    if (seen++ % step) continue;
    rgbToLab(rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2], lab, 0);
    let best = 0, bd = Infinity;
    for (let j = 0; j < k; j++) {
      const c = ref[j].lab;
      const d = (lab[0] - c.l) ** 2 + (lab[1] - c.a) ** 2 + (lab[2] - c.b) ** 2;
      if (d < bd) { bd = d; best = j; }
    }
    cnt[best]++;
    sum[best * 3] += lab[0]; sum[best * 3 + 1] += lab[1]; sum[best * 3 + 2] += lab[2];
  }
  let s = 0, w = 0;
  for (let j = 0; j < k; j++) {
    if (!cnt[j]) continue;
    const moved: Lab = { l: sum[j * 3] / cnt[j], a: sum[j * 3 + 1] / cnt[j], b: sum[j * 3 + 2] / cnt[j] };
    s += deltaE2000(ref[j].lab, moved) * ref[j].weight;
    w += ref[j].weight;
  }
  return w > 0 ? s / w : 0;
}

/** The colour check: the reference's colours as found in the candidate's product pixels. */
export function colorCheck(ref: ColorSignature, cand: ColorSignature, pixels: { rgba: Uint8Array; mask: Uint8Array; width: number; height: number }): QcCheck {
  const meanDE = deltaE2000(ref.mean, cand.mean);
  const paletteDE = paletteShift(ref.dominant, pixels.rgba, pixels.mask, pixels.width, pixels.height);
  const status = worst([grade(meanDE, T.COLOR_MEAN_DE_WARN, T.COLOR_MEAN_DE_FAIL), grade(paletteDE, T.COLOR_PALETTE_DE_WARN, T.COLOR_PALETTE_DE_FAIL)]);
  return {
    id: 'fidelity.color',
    status,
    value: r2(paletteDE),
    threshold: T.COLOR_PALETTE_DE_FAIL,
    unit: 'delta-e',
    metrics: { meanDE: r2(meanDE), paletteDE: r2(paletteDE) },
    message:
      status === 'pass'
        ? `Colour matches the source (ΔE2000 ${paletteDE.toFixed(1)} between the dominant colours, limit ${T.COLOR_PALETTE_DE_FAIL}).`
        : `${status === 'fail' ? 'Metal or stone colour drifted' : 'Product colour shifted slightly'}: ΔE2000 ${paletteDE.toFixed(1)} between the dominant colours and the source's (limit ${T.COLOR_PALETTE_DE_FAIL}); average colour ${meanDE.toFixed(1)} apart. A rose-gold ring turned yellow-gold would look like this.`,
  };
}

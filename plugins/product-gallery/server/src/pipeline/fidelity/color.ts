/** Colour: are the metal and the stones the same colours as in the source? */
import { deltaE2000, paletteDistance, type ColorSignature } from '../color';
import type { QcCheck } from '../qc';
import { FIDELITY_THRESHOLDS as T } from './limits';
import { grade, r2, worst } from './verdict';

export function colorCheck(ref: ColorSignature, cand: ColorSignature): QcCheck {
  const meanDE = deltaE2000(ref.mean, cand.mean);
  const paletteDE = paletteDistance(ref.dominant, cand.dominant);
  const status = worst([grade(meanDE, T.COLOR_MEAN_DE_WARN, T.COLOR_MEAN_DE_FAIL), grade(paletteDE, T.COLOR_PALETTE_DE_WARN, T.COLOR_PALETTE_DE_FAIL)]);
  return {
    id: 'fidelity.color',
    status,
    value: r2(paletteDE),
    threshold: T.COLOR_PALETTE_DE_FAIL,
    metrics: { meanDE: r2(meanDE), paletteDE: r2(paletteDE) },
    message:
      status === 'pass'
        ? `Colour matches the source (ΔE2000 ${paletteDE.toFixed(1)} between dominant colours, limit ${T.COLOR_PALETTE_DE_FAIL}).`
        : `${status === 'fail' ? 'Metal or stone colour drifted' : 'Product colour shifted slightly'}: ΔE2000 ${paletteDE.toFixed(1)} between the dominant colours and the source's (limit ${T.COLOR_PALETTE_DE_FAIL}); average colour ${meanDE.toFixed(1)} apart. A rose-gold ring turned yellow-gold would look like this.`,
  };
}

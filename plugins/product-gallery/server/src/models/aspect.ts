/** Aspect ratios as numbers, and the nearest one a model offers to the ratio a brief asks for. */

export const ratioValue = (ratio: string): number => {
  const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(ratio.trim());
  if (!m) throw new RangeError(`"${ratio}" is not an aspect ratio such as 4:5`);
  return Number(m[1]) / Number(m[2]);
};

/**
 * The offered ratio closest to the wanted one, compared in log space so that 2:1 and 1:2 are as far
 * from 1:1 as each other. The output is then cropped locally to the exact ratio.
 */
export const nearestRatio = (wanted: string, offered: readonly string[]): string => {
  const target = Math.log(ratioValue(wanted));
  let best = offered[0]!;
  let distance = Infinity;
  for (const r of offered) {
    const d = Math.abs(Math.log(ratioValue(r)) - target);
    if (d < distance - 1e-9) {
      best = r;
      distance = d;
    }
  }
  return best;
};

/**
 * Frames (aspect ratios) and a role's size rules, as pure arithmetic with no imports: the
 * technical check, the import answer and the admin's import form (which bundles this file) all
 * judge a frame with the same tolerance and name it with the same words.
 */

/** How far an image's frame may be off its target: within `pass` it matches, within `warn` a thin strip is cropped. */
export const ASPECT_TOLERANCE = { pass: 0.01, warn: 0.05 } as const;

const RATIO = /^\s*(\d+(?:\.\d+)?)\s*[:/x×]\s*(\d+(?:\.\d+)?)\s*$/i;

/** 'w:h', 'w/h', 'wxh' or a number -> width / height. */
export function parseAspect(a: number | string): number {
  if (typeof a === 'number') {
    if (!(a > 0) || !Number.isFinite(a)) throw new RangeError(`Invalid aspect ratio ${a}.`);
    return a;
  }
  const m = RATIO.exec(a);
  if (m && Number(m[2]) > 0) return Number(m[1]) / Number(m[2]);
  const n = Number(a);
  if (n > 0) return n;
  throw new RangeError(`Invalid aspect ratio "${a}": use "4:5" or a number.`);
}

const NAMED: Array<[number, string]> = [[1, '1:1'], [4 / 5, '4:5'], [5 / 4, '5:4'], [2 / 3, '2:3'], [3 / 2, '3:2'], [3 / 4, '3:4'], [4 / 3, '4:3'], [16 / 9, '16:9'], [9 / 16, '9:16']];

/** A frame's name ('4:5'), or its width per height when it has none. */
export function aspectLabel(r: number): string {
  for (const [v, l] of NAMED) if (Math.abs(r / v - 1) < 0.005) return l;
  return r.toFixed(3);
}

export type RoleRule = 'minLongEdge' | 'aspectRatio';

/** Where an image of this size breaks its role's rules, as values (callers put them in words). */
export type RoleRuleBreak =
  | { rule: 'minLongEdge'; required: number; actual: number }
  | { rule: 'aspectRatio'; required: string; actual: string; severity: 'slight' | 'crop' };

/** Where the image breaks its role's rules; empty when it keeps them (or the brief sets none). */
export const roleRuleBreaks = (
  size: { width: number; height: number },
  spec: { minLongEdge?: number | null; aspectRatio?: string | null } | null | undefined
): RoleRuleBreak[] => {
  const { width, height } = size;
  const found: RoleRuleBreak[] = [];
  const long = Math.max(width, height);
  if (spec?.minLongEdge && long < spec.minLongEdge) found.push({ rule: 'minLongEdge', required: spec.minLongEdge, actual: long });
  if (spec?.aspectRatio) {
    const target = parseAspect(spec.aspectRatio);
    const off = Math.abs(width / height / target - 1);
    if (off > ASPECT_TOLERANCE.pass) {
      found.push({ rule: 'aspectRatio', required: aspectLabel(target), actual: aspectLabel(width / height), severity: off <= ASPECT_TOLERANCE.warn ? 'slight' : 'crop' });
    }
  }
  return found;
};

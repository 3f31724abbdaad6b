/**
 * A role's size and frame rules (the brief's minLongEdge and aspectRatio), said in words about an
 * image's pixel size, before any check runs: an import answers with them, so a person (or an API
 * user) hears what the QC chips will later mark, in the same terms the brief uses. Pure arithmetic
 * on the measured size, with the technical QC's own tolerance and ratio names.
 */
import { ASPECT_TOLERANCE, aspectLabel, parseAspect } from './qc-technical';

export type RoleRule = 'minLongEdge' | 'aspectRatio';

export interface RoleRuleWarning {
  rule: RoleRule;
  /** What the brief asks for: pixels on the long side, or the frame ('4:5'). */
  required: number | string;
  /** What the image has: its long side, or its frame. */
  actual: number | string;
  message: string;
}

const px = (n: number) => n.toLocaleString('en-US');

/** Where the image breaks its role's rules; empty when it keeps them (or the brief sets none). */
export const roleRuleWarnings = (
  size: { width: number; height: number },
  role: string,
  spec: { minLongEdge?: number | null; aspectRatio?: string | null } | null | undefined
): RoleRuleWarning[] => {
  const { width, height } = size;
  const warnings: RoleRuleWarning[] = [];
  const long = Math.max(width, height);
  if (spec?.minLongEdge && long < spec.minLongEdge) {
    warnings.push({
      rule: 'minLongEdge',
      required: spec.minLongEdge,
      actual: long,
      message: `This image is ${px(width)} × ${px(height)} px; the ${role} shot needs at least ${px(spec.minLongEdge)} px on its long side.`,
    });
  }
  if (spec?.aspectRatio) {
    const target = parseAspect(spec.aspectRatio);
    const off = Math.abs(width / height / target - 1);
    if (off > ASPECT_TOLERANCE.pass) {
      warnings.push({
        rule: 'aspectRatio',
        required: aspectLabel(target),
        actual: aspectLabel(width / height),
        message: `This image has a ${aspectLabel(width / height)} frame; the ${role} shot needs a ${aspectLabel(target)} frame, so ${
          off <= ASPECT_TOLERANCE.warn ? 'a thin strip of it would be cropped' : 'it would be cropped or letterboxed'
        }.`,
      });
    }
  }
  return warnings;
};

/**
 * A role's size and frame rules (the brief's minLongEdge and aspectRatio), said in words about an
 * image's pixel size, before any check runs: an import answers with them, so a person (or an API
 * user) hears what the QC chips will later mark, in the same terms the brief uses. The judgement
 * is frames.ts's, shared with the admin's import form.
 */
import { roleRuleBreaks, type RoleRule } from './frames';

export type { RoleRule };

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
): RoleRuleWarning[] =>
  roleRuleBreaks(size, spec).map((b) =>
    b.rule === 'minLongEdge'
      ? { ...b, message: `This image is ${px(size.width)} × ${px(size.height)} px; the ${role} shot needs at least ${px(b.required)} px on its long side.` }
      : {
          rule: b.rule,
          required: b.required,
          actual: b.actual,
          message: `This image has a ${b.actual} frame; the ${role} shot needs a ${b.required} frame, so ${
            b.severity === 'slight' ? 'a thin strip of it would be cropped' : 'it would be cropped or letterboxed'
          }.`,
        }
  );

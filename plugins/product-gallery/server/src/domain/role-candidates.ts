import type { AssetStatus, Role, Slot } from './vocabulary';

/**
 * Which of a role's images fills its place on the page, and what a new candidate (an import, a
 * regeneration) does to it. The rule, enforced by the workflow: only a published image fills a
 * slot; publishing one archives the role's published image in the same transaction, so a role has
 * at most one on the page and the newest publish wins. Drafts, shots in review and approved ones
 * wait beside it: none of them replaces anything until a person publishes it.
 */
export const WAITING_STATUSES: readonly AssetStatus[] = ['queued', 'generating', 'draft', 'in_review', 'approved'];

export interface RoleCandidates {
  role: Role;
  /** The slots of the product's plan this role can fill (first-choice or fallback). */
  slots: Slot[];
  /** The role's image on the page now, if any. */
  onPage: { documentId: string; status: 'published' } | null;
  /** The role's other candidates waiting for a person (besides the one just made), oldest first. */
  waiting: Array<{ documentId: string; status: AssetStatus }>;
  /** The same, in words. */
  message: string;
}

const said = (status: AssetStatus) => status.replace('_', ' ');

const countBy = (items: readonly { status: AssetStatus }[]) => {
  const counts = new Map<AssetStatus, number>();
  for (const i of items) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${said(status)}`).join(', ');
};

/** What a new candidate `made` of `role` does, given the role's images (including `made`). */
export const roleCandidates = (
  role: Role,
  slots: readonly Slot[],
  assets: readonly { documentId: string; role: Role; status: AssetStatus }[],
  made: string
): RoleCandidates => {
  const mine = assets.filter((a) => a.role === role && a.documentId !== made);
  const published = mine.find((a) => a.status === 'published');
  const waiting = mine.filter((a) => WAITING_STATUSES.includes(a.status)).map((a) => ({ documentId: a.documentId, status: a.status }));
  const others = waiting.length ? ` ${waiting.length === 1 ? 'One other candidate is' : `${waiting.length} other candidates are`} waiting too (${countBy(waiting)}).` : '';
  const message = !slots.length
    ? `The brief has no page slot for ${role} images, so this one cannot be published until a slot takes ${role}.`
    : published
      ? `The published ${role} image stays on the page until another ${role} image is published; this one is a new draft beside it, and publishing it archives the one on the page.${others}`
      : waiting.length
        ? `No ${role} image is on the page yet; this one is a new draft.${others} Whichever is published first fills the ${role} slot; publishing another later replaces it.`
        : `This is the first ${role} image: a draft that fills the ${role} slot once it is approved and published.`;
  return {
    role,
    slots: [...slots],
    onPage: published ? { documentId: published.documentId, status: 'published' } : null,
    waiting,
    message,
  };
};

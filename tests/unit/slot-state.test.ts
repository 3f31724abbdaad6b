/**
 * The state of each page slot, judged against the product's own plan: what the overview and the
 * readiness panel show, with nothing invented in the admin.
 */
import { computeReadiness } from '../../plugins/product-gallery/server/src/services/readiness';
import type { AssetStatus, Role } from '../../plugins/product-gallery/server/src/domain/vocabulary';

let n = 0;
const asset = (role: Role, status: AssetStatus, at = '2026-01-01T00:00:00Z') => {
  n += 1;
  return {
    id: n,
    documentId: `doc${n}`,
    role,
    status,
    version: 1,
    qcStatus: 'pass',
    slot: null,
    updatedAt: at,
    publishedInSlotAt: status === 'published' ? at : null,
    file: { id: n, url: `/uploads/${n}.webp`, width: 2000, height: 2000, mime: 'image/webp' },
  };
};

// A brief unlike the default plan: no campaign, gallery-2 falls back from lifestyle to clean.
const PLAN = [
  { slot: 'grid', roles: ['clean'] },
  { slot: 'hero', roles: ['model', 'clean'] },
  { slot: 'gallery-2', roles: ['lifestyle', 'clean'] },
] as const;
const plan = PLAN.map((s) => ({ slot: s.slot, roles: [...s.roles] })) as any;

const states = (assets: ReturnType<typeof asset>[]) =>
  Object.fromEntries(computeReadiness(plan, ['clean', 'model'], ['clean', 'model', 'lifestyle'], assets).slots.map((s) => [s.slot, [s.state, s.role]]));

describe('slot state for the product’s own plan', () => {
  test('nothing made: every planned slot is missing, and only the planned slots are given', () => {
    expect(states([])).toEqual({ grid: ['missing', null], hero: ['missing', null], 'gallery-2': ['missing', null] });
  });

  test('each status of a filler role gives its own state', () => {
    for (const [status, state] of [
      ['draft', 'draft'],
      ['in_review', 'in_review'],
      ['approved', 'approved'],
      ['queued', 'generating'],
      ['generating', 'generating'],
      ['failed', 'failed'],
      ['rejected', 'missing'],
      ['archived', 'missing'],
    ] as const) {
      expect([status, states([asset('model', status)]).hero]).toEqual([status, [state, state === 'missing' ? null : 'model']]);
    }
  });

  test('a published image fills its slot and its fallbacks; a slot shows the furthest any of its roles has come', () => {
    const s = states([asset('clean', 'published'), asset('model', 'draft'), asset('model', 'approved'), asset('lifestyle', 'in_review')]);
    // hero: model has an approved shot not yet published, so hero falls back to the published clean.
    expect(s.grid).toEqual(['published', 'clean']);
    expect(s.hero).toEqual(['published', 'clean']);
    expect(s['gallery-2']).toEqual(['published', 'clean']);
  });

  test('unpublished: approved outranks a newer draft, which outranks a failure', () => {
    const s = states([
      asset('model', 'approved', '2026-01-01T00:00:00Z'),
      asset('model', 'draft', '2026-01-02T00:00:00Z'),
      asset('lifestyle', 'failed'),
      asset('clean', 'in_review'),
    ]);
    expect(s.hero).toEqual(['approved', 'model']);
    expect(s.grid).toEqual(['in_review', 'clean']);
    // gallery-2: lifestyle failed, but its fallback clean is in review.
    expect(s['gallery-2']).toEqual(['in_review', 'clean']);
  });

  test('a role not in the slot’s list does not move it', () => {
    expect(states([asset('detail', 'in_review')]).grid).toEqual(['missing', null]);
  });
});

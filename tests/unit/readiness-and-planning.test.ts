/**
 * Pure rules behind the overview and the shot list: a product's readiness from its plan and its
 * shots, which generator a role uses, the prompt a template renders to, and each role's alt text.
 */
import type { RoleSpec } from '../../plugins/product-gallery/server/src/domain/default-briefs';
import { DEFAULT_SLOT_PLAN } from '../../plugins/product-gallery/server/src/domain/slot-plan';
import { renderPrompt, PROMPT_LIMITS } from '../../plugins/product-gallery/server/src/domain/prompt';
import { computeReadiness } from '../../plugins/product-gallery/server/src/services/readiness';
import { resolveGenerator } from '../../plugins/product-gallery/server/src/services/planner';
import { altTextFor } from '../../plugins/product-gallery/server/src/services/candidates';

let next = 1;
const asset = (role: any, status: any, over: Record<string, unknown> = {}) => {
  const id = next++;
  return { id, documentId: `a${id}`, role, status, version: 1, qcStatus: 'pass', slot: null, updatedAt: new Date(2026, 0, id), publishedInSlotAt: status === 'published' ? new Date(2026, 0, id) : null, ...over };
};
const REQUIRED = ['clean', 'model'] as const;
const ROLES = ['clean', 'model', 'detail', 'lifestyle', 'size'] as const;

describe('computeReadiness', () => {
  it('a product with nothing made: every slot missing, not ready, nothing awaiting review', () => {
    const r = computeReadiness(DEFAULT_SLOT_PLAN, [...REQUIRED], [...ROLES], []);
    expect(r.slots.map((s) => s.state)).toEqual(['missing', 'missing', 'missing', 'missing', 'missing']);
    expect(r.summary).toMatchObject({ filled: 0, total: 5, ready: false, awaitingReview: 0, failed: 0, inProgress: 0 });
    expect(r.roles.map((x) => [x.role, x.required, x.status])).toEqual([
      ['clean', true, null],
      ['model', true, null],
      ['detail', false, null],
      ['lifestyle', false, null],
      ['size', false, null],
    ]);
  });

  it('ready once every slot a required role can fill is published; counts agree with the shots', () => {
    const assets = [asset('clean', 'published'), asset('model', 'published'), asset('detail', 'in_review'), asset('lifestyle', 'failed'), asset('size', 'generating')];
    const r = computeReadiness(DEFAULT_SLOT_PLAN, [...REQUIRED], [...ROLES], assets as any);
    expect(r.slots.map((s) => [s.slot, s.state, s.role])).toEqual([
      ['grid', 'published', 'clean'],
      ['hero', 'published', 'clean'],
      ['gallery-2', 'published', 'model'],
      ['gallery-3', 'in_review', 'detail'],
      ['campaign', 'failed', 'lifestyle'],
    ]);
    expect(r.summary).toMatchObject({ filled: 3, missing: ['gallery-3', 'campaign'], awaitingReview: 1, failed: 1, inProgress: 1, ready: true });
  });

  it('a published drawn scene preview fills nothing unless the brief allows previews for its role', () => {
    const preview = asset('model', 'published', { provenance: { generator: 'local', composite: true, scene: 'hand', scenePreview: true } });
    const clean = asset('clean', 'published');
    const without = computeReadiness(DEFAULT_SLOT_PLAN, [...REQUIRED], [...ROLES], [clean, preview] as any);
    expect(without.slots.find((s) => s.slot === 'gallery-2')!.state).not.toBe('published');
    const allowed = computeReadiness(DEFAULT_SLOT_PLAN, [...REQUIRED], [...ROLES], [clean, preview] as any, ['model']);
    expect(allowed.slots.find((s) => s.slot === 'gallery-2')).toMatchObject({ state: 'published', role: 'model' });
  });

  it('a role’s status is its newest shot’s, with counts of all of them', () => {
    const r = computeReadiness(DEFAULT_SLOT_PLAN, [...REQUIRED], [...ROLES], [asset('clean', 'rejected'), asset('clean', 'draft')] as any);
    expect(r.roles.find((x) => x.role === 'clean')).toMatchObject({ status: 'draft', counts: { rejected: 1, draft: 1 } });
    expect(r.slots[0]).toMatchObject({ slot: 'grid', state: 'draft', asset: 'missing' });
  });
});

describe('resolveGenerator', () => {
  const spec = (over: Partial<RoleSpec>): RoleSpec => ({ role: 'model', required: true, aspectRatio: '4:5', minLongEdge: 1600, generator: 'auto', model: 'black-forest-labs/flux-kontext-pro', ...over });
  it.each([
    ['auto with a token and a model', spec({}), true, 'replicate'],
    ['auto without a token (offline)', spec({}), false, 'local'],
    ['auto with a token but no model', spec({ model: null }), true, 'local'],
    ['replicate asked for', spec({ generator: 'replicate' }), false, 'replicate'],
    ['local asked for', spec({ generator: 'local' }), true, 'local'],
    ['the size guide, whatever is asked', spec({ role: 'size', generator: 'replicate' }), true, 'local'],
  ] as const)('%s', (_what, s, configured, expected) => {
    expect(resolveGenerator(s, configured)).toBe(expected);
  });
});

describe('renderPrompt', () => {
  const product = { title: 'Emerald halo ring', sku: 'RING-1', category: 'ring', metal: 'yellow-gold', stones: [{ type: 'emerald', color: 'green', count: 1, sizeMm: 6 }], dimensions: { widthMm: 21 }, description: null } as any;
  it('fills known placeholders and leaves an unknown one visible for the editor to see', () => {
    const out = renderPrompt('Photo of the {{ title }} in {{metal}}, {{stones}}. {{colour}}', product);
    expect(out).toMatch(/^Photo of the Emerald halo ring in yellow gold, /);
    expect(out).toMatch(/emerald/);
    expect(out).toContain('{{colour}}');
  });
  it('stays within its bound however long the product’s values are', () => {
    const long = { ...product, title: 'word '.repeat(500), description: 'more '.repeat(1000) };
    const out = renderPrompt('{{title}} {{description}} {{title}} {{description}}', long);
    expect(out.length).toBeLessThanOrEqual(PROMPT_LIMITS.rendered);
    expect(out.endsWith('…')).toBe(true);
  });
});

describe('altTextFor', () => {
  const product = { title: 'Emerald halo ring', metal: 'yellow-gold', category: 'ring' };
  it.each([
    ['clean', 'Emerald halo ring, yellow gold on a white background'],
    ['model', 'Emerald halo ring, yellow gold worn, showing its size'],
    ['detail', 'Close-up of Emerald halo ring, yellow gold'],
    ['lifestyle', 'Emerald halo ring, yellow gold styled in a scene'],
    ['size', 'Emerald halo ring, yellow gold beside a millimetre ruler and a coin, showing its real size'],
  ] as const)('%s', (role, expected) => {
    expect(altTextFor(product, role)).toBe(expected);
  });
});

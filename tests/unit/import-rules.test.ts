/**
 * The import form warns before upload and the import's answer warns after it, each in its own words
 * over the same judgement (pipeline/frames.ts, bundled into the admin). Both must find the same
 * rules broken, with the same frames named, for any size and brief, and the form must refuse
 * exactly what intake refuses.
 */
import { roleRuleWarnings } from '../../plugins/product-gallery/server/src/pipeline/role-rules';
import { ACCEPTED_TYPES, INTAKE_DEFAULTS } from '../../plugins/product-gallery/server/src/pipeline/intake';
import { intakeProblems, ruleWarnings, typeList } from '../../plugins/product-gallery/admin/src/utils/import-check';

const SPECS = [
  { minLongEdge: 1200, aspectRatio: '4:5' },
  { minLongEdge: 2000, aspectRatio: '1:1' },
  { minLongEdge: 1600, aspectRatio: '16:9' },
  { minLongEdge: 1000, aspectRatio: '3:2' },
];
const SIZES = [
  [800, 600],
  [960, 1200],
  [1200, 1500],
  [1190, 1500],
  [2000, 2000],
  [1999, 2010],
  [1920, 1080],
  [1600, 1000],
  [1500, 1000],
  [1000, 640],
  [3000, 4000],
  [1024, 1280],
];

describe('import rules: the form and the server agree', () => {
  test.each(SPECS)('the same rules break, naming the same frames, for %o', (spec) => {
    for (const [width, height] of SIZES) {
      const server = roleRuleWarnings({ width, height }, 'model', spec).map((w) => ({
        rule: w.rule,
        ...(w.rule === 'aspectRatio' ? { actual: w.actual, required: w.required, slight: /thin strip/.test(w.message) } : {}),
      }));
      const form = ruleWarnings({ width, height }, spec).map((f) => ({
        rule: f.id.split('.').pop(),
        ...(f.id.endsWith('aspectRatio') ? { actual: f.values.actual, required: f.values.required, slight: f.values.severity === 'slight' } : {}),
      }));
      expect([`${width}x${height}`, form]).toEqual([`${width}x${height}`, server]);
    }
  });

  test('the server words a too-small, wrongly framed image by its rules', () => {
    expect(roleRuleWarnings({ width: 800, height: 600 }, 'model', { minLongEdge: 1200, aspectRatio: '4:5' }).map((w) => w.message)).toEqual([
      'This image is 800 × 600 px; the model shot needs at least 1,200 px on its long side.',
      'This image has a 4:3 frame; the model shot needs a 4:5 frame, so it would be cropped or letterboxed.',
    ]);
    expect(roleRuleWarnings({ width: 1000, height: 1020 }, 'clean', { minLongEdge: 1000, aspectRatio: '1:1' })[0].message).toMatch(/a thin strip of it would be cropped/);
  });

  test('the form refuses what intake refuses, and only that', () => {
    const limits = { types: ACCEPTED_TYPES, ...INTAKE_DEFAULTS };
    const jpeg = { type: 'image/jpeg', size: 200_000 };
    expect(intakeProblems(jpeg, { width: 800, height: 600 }, limits)).toEqual([]);
    expect(intakeProblems(jpeg, { width: 800, height: 499 }, limits).map((f) => f.id)).toEqual(['import.refused.small']);
    expect(intakeProblems({ type: 'image/gif', size: 1000 }, null, limits)).toEqual([
      { id: 'import.refused.type', values: { type: 'GIF', types: 'JPEG, PNG, WebP, AVIF, TIFF or HEIC' } },
    ]);
    expect(intakeProblems({ ...jpeg, size: INTAKE_DEFAULTS.maxBytes + 1 }, null, limits).map((f) => f.id)).toEqual(['import.refused.bytes']);
    expect(intakeProblems(jpeg, { width: 10_000, height: 6_000 }, limits).map((f) => f.id)).toEqual(['import.refused.pixels']);
    // The hint names the types as intake's own refusal does.
    expect(`Upload a ${typeList(ACCEPTED_TYPES)} photo.`).toBe('Upload a JPEG, PNG, WebP, AVIF, TIFF or HEIC photo.');
  });
});

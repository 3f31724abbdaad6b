/**
 * The reference cutout in the workspace, in Debian's Chromium against the real built app: a
 * product whose source photo's cutout is uncertain says so and cannot be generated; the editor
 * opens the refine tool, paints a stroke, previews, confirms; generation is then possible.
 *
 * Needs `npm run build` (the admin panel in dist/build) and /usr/bin/chromium.
 */
import type { Page } from 'playwright-core';
import { adminSession } from '../support/strapi';
import { createProductOrFail, uploadPhoto } from '../support/products';
import {
  describeInBrowser,
  login,
  openEditorSession,
  screenshot,
  stepsWithScreenshots,
  until,
  type BrowserApp,
  type EditorSession,
} from '../support/browser';

jest.setTimeout(600_000);

const step = stepsWithScreenshots('refine-');

describeInBrowser('admin panel: an uncertain cutout is checked and confirmed before generating', () => {
  let session: EditorSession;
  let app: BrowserApp;
  let page: Page;
  let editor: { email: string; password: string };
  let productId = '';

  beforeAll(async () => {
    // Logging in is the first test's step.
    session = await openEditorSession({
      login: false,
      prepare: async (booted) => {
        // A lifestyle photo (a dreamcatcher pendant over the arm of a white chair): its automatic
        // cutout is uncertain, as an editor's own upload would be.
        const setup = await adminSession(booted);
        const photo = await uploadPhoto(booted, setup, '60_pendant_lifestyle_dreamcatcher-on-white-chair.jpg');
        productId = (
          await createProductOrFail(booted, setup, {
            title: 'Dreamcatcher Pendant',
            sku: `DREAM-${Date.now().toString(36).toUpperCase()}`,
            category: 'pendant',
            metal: 'yellow-gold',
            sourcePhoto: photo.id,
            dimensions: { pendantDropMm: 60, chainLengthMm: 500 },
          })
        ).documentId;
      },
    });
    ({ app, page, editor } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  test('the workspace says the cutout needs a check, and why; generating is not offered', async () => {
    await step(page, 'needs-check', async () => {
      await login(page, app.url, editor.email, editor.password);
      await page.goto(`${app.url}/admin/plugins/product-gallery/products/${productId}`);
      const state = page.getByTestId('reference-state');
      await state.waitFor({ timeout: 60_000 });
      expect(await state.getAttribute('data-state')).toBe('needs-check');
      await state.getByText('Needs your check before anything is generated').waitFor();
      expect(await page.getByTestId('reference-why').innerText()).toMatch(/^Why: .*background/i);
      expect(await page.getByRole('button', { name: 'Generate all' }).isDisabled()).toBe(true);
      await screenshot(page, 'refine-01-needs-check');
    });
  });

  test('a stroke, a preview, then confirm: the cutout is confirmed and generation works', async () => {
    await step(page, 'refine', async () => {
      await page.getByTestId('reference-open').click();
      const dialog = page.getByTestId('refine-dialog');
      await dialog.waitFor();
      await dialog.getByTestId('refine-mask').waitFor();
      // A remove stroke across the top left corner of the photo (the chair, not the piece).
      await dialog.getByTestId('refine-remove').click();
      const canvas = dialog.getByTestId('refine-canvas');
      const box = (await canvas.boundingBox())!;
      expect(box.width).toBeGreaterThan(300);
      await page.mouse.move(box.x + box.width * 0.03, box.y + box.height * 0.04);
      await page.mouse.down();
      for (let i = 1; i <= 8; i++) await page.mouse.move(box.x + box.width * (0.03 + 0.02 * i), box.y + box.height * (0.04 + 0.01 * i));
      await page.mouse.up();
      await dialog.getByText('1 stroke').waitFor();
      await dialog.getByTestId('refine-preview').click();
      await until('the preview', async () => /^Preview: the product covers/.test(await dialog.getByTestId('refine-status').innerText()), 240_000, 1000);
      await screenshot(page, 'refine-02-preview');
      await dialog.getByTestId('refine-confirm').click();
      await dialog.waitFor({ state: 'detached', timeout: 240_000 });
      const state = page.getByTestId('reference-state');
      await until('the confirmation', async () => (await state.getAttribute('data-state')) === 'confirmed', 60_000);
      expect(await page.getByTestId('reference-confirmed').innerText()).toContain(`Refined by ${editor.email}`);
      await screenshot(page, 'refine-03-confirmed');

      const generateClean = page.getByRole('button', { name: 'Generate Clean' });
      await until('generation to be offered', async () => !(await generateClean.isDisabled()), 30_000);
      await generateClean.click();
      await until('the clean shot', async () => (await page.locator('[data-asset-role="clean"][data-asset-status="draft"]').count()) === 1, 300_000, 1000);
      await screenshot(page, 'refine-04-generated');
    });
    // The confirmation is on record: who, and the audit trail.
    const reference = (await app.strapi.db.query('plugin::product-gallery.product').findOne({ where: { documentId: productId }, select: ['id', 'reference'] })).reference;
    expect(reference.mask).toMatchObject({ method: 'refined', confirmedBy: editor.email, strokes: 1 });
    const events = await app.strapi.db.query('plugin::product-gallery.audit-event').findMany({ where: { asset: `reference:${productId}` } });
    expect(events.map((e: any) => e.to)).toEqual(['confirmed']);
  });
});

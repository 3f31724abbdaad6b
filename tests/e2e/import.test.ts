/**
 * Importing an image in the workspace, in Debian's Chromium against the real built app: the
 * dialog says what the import does to the role's images and, before anything is uploaded, where
 * the picked file breaks the role's size and frame rules; once imported, the shots say which image
 * is on the page and that the new one replaces it only when published.
 *
 * Needs `npm run build` (the admin panel in dist/build) and /usr/bin/chromium.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { publishedGallery } from '../support/fixtures';
import { FIXTURE_PHOTOS_DIR } from '../support/photos';
import { describeInBrowser, openEditorSession, screenshot, stepsWithScreenshots, type EditorSession } from '../support/browser';

jest.setTimeout(600_000);

const step = stepsWithScreenshots('import-');
const PLUGIN_CODE = /ImportDialog|PlaceMarker|ShotCard|WorkspacePage/;

describeInBrowser('admin panel: an import warns before upload and says which image fills the slot', () => {
  let session: EditorSession;
  let productId = '';
  let onPage = '';
  let small = '';
  let tiny = '';
  let dir = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-import-e2e-'));
    // What a photographer might send: the product photo at 800 × 600, where the on-model shot asks for 4:5 and 1,200 px.
    small = path.join(dir, 'photographer-model-shot.jpg');
    await sharp(path.join(FIXTURE_PHOTOS_DIR, '07_earrings_product_double-pearl-studs.jpg')).resize(800, 600, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(small);
    // Below intake's 500 px shorter side: the server would refuse it.
    tiny = path.join(dir, 'thumbnail.jpg');
    await sharp(small).resize(600, 400, { fit: 'cover' }).jpeg().toFile(tiny);
    session = await openEditorSession({
      quietWorker: true,
      prepare: async (app) => {
        const gallery = await publishedGallery(app, { roles: ['model'] });
        productId = gallery.product.documentId;
        onPage = gallery.assets.model.documentId;
      },
    });
  });

  afterAll(async () => {
    await session?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the dialog warns, in words, before the upload', async () => {
    const { page, app } = session;
    await step(page, 'warning', async () => {
      await page.goto(`${app.url}/admin/plugins/product-gallery/products/${productId}`);
      await page.locator(`[data-asset="${onPage}"]`).waitFor({ timeout: 60_000 });
      await page.getByRole('button', { name: 'Import image' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('combobox').click();
      await page.getByRole('option', { name: 'On model', exact: true }).click();
      const effect = dialog.getByTestId('import-effect');
      expect(await effect.getAttribute('data-effect')).toBe('replaces');
      expect(await effect.innerText()).toBe(
        'The “On model” image on the page stays there until another one is published. This import becomes a new draft beside it; publishing it archives the one on the page.'
      );
      // A file the server would refuse is not offered for upload, in intake's words.
      await dialog.locator('input[type="file"]').setInputFiles(tiny);
      const refused = dialog.getByTestId('import-refused');
      await refused.waitFor();
      expect(await refused.innerText()).toContain(
        'The photo is only 600×400 pixels; its shorter side must be at least 500 px for a product page. Upload the original, larger photo.'
      );
      expect(await dialog.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
      await dialog.locator('input[type="file"]').setInputFiles(small);
      const warning = dialog.getByTestId('import-warning');
      await warning.waitFor();
      expect(await warning.locator('[data-rule="minLongEdge"]').innerText()).toBe(
        'This image is 800 × 600 px; the “On model” shot needs at least 1,200 px on its long side.'
      );
      expect(await warning.locator('[data-rule="aspectRatio"]').innerText()).toBe(
        'This image has a 4:3 frame; the “On model” shot needs a 4:5 frame, so it would be cropped or letterboxed.'
      );
      expect(await warning.innerText()).toContain('You can still import it');
      // Nothing was uploaded yet: the product still has its one image.
      expect(await page.locator('[data-asset-role="model"]').count()).toBe(1);
      await screenshot(page, 'import-warning');
    });
  });

  test('imported, the new card says it replaces the image on the page once published', async () => {
    const { page } = session;
    await step(page, 'done', async () => {
      await page.getByRole('dialog').getByRole('button', { name: 'Import anyway' }).click();
      const draft = page.locator('[data-asset-role="model"][data-asset-status="draft"]');
      await draft.waitFor({ timeout: 120_000 });
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      const marker = draft.getByTestId('place-marker');
      expect(await marker.getAttribute('data-place')).toBe('replaces');
      expect(await marker.innerText()).toBe('Not on the page: publishing it replaces the published “On model” image');
      const published = page.locator(`[data-asset="${onPage}"]`).getByTestId('place-marker');
      await published.waitFor();
      expect(await published.getAttribute('data-place')).toBe('fills');
      expect(await published.innerText()).toMatch(/^On the page: .*Gallery 2/);
      // The checks flag what the dialog said.
      await draft.getByText(/800 px \(limit 1200 px\)/i).first().waitFor();
      await page.getByText('Imported as a draft. Its checks flag the 2 rules the form warned about: approving it needs a written reason.').waitFor();
      await screenshot(page, 'import-done');
    });
  });

  test('the plugin logs no React warning or error of its own', () => {
    const problems = session.console.filter((m) => (m.type === 'warning' || m.type === 'error') && PLUGIN_CODE.test(m.text));
    expect(problems).toEqual([]);
  });
});

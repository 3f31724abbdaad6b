/**
 * The brief editor in Debian's Chromium against the built app: clone a brief from the list, give
 * a field a value the server refuses and see the problem beside that field (outlined, focused, in
 * the field's own words) with a short toast; fix it, switch on scene previews for a role, save,
 * reload: the values are kept, in the page and in the admin API. And a new product's slug shows
 * what is saved: empty with a note before, the server's slug after.
 *
 * Needs `npm run build` (the admin panel in dist/build) and /usr/bin/chromium.
 */
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { adminApi, describeInBrowser, openEditorSession, screenshot, SCREENSHOTS, stepsWithScreenshots, until, type EditorSession } from '../support/browser';
import { UID } from '../../plugins/product-gallery/server/src/domain/vocabulary';

jest.setTimeout(600_000);

const step = stepsWithScreenshots('brief-');
const CLONE = 'Rings for the e2e';
const MIN_EDGE = 'Min. long edge (px)';
const PREVIEWS = 'Count drawn scene previews toward a ready gallery';

/** The plugin's components a React warning would name in its component stack. */
const PLUGIN_CODE = /BriefEditorPage|RoleSpecEditor|SlotPlanEditor|PromptPreview|ProblemText|BriefsPage|CloneDialog|CategoryChecks/;

const isFocused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);

describeInBrowser('brief editor: save and clone, problems beside their fields', () => {
  let session: EditorSession;
  let page: Page;
  let briefId = '';

  beforeAll(async () => {
    session = await openEditorSession({ quietWorker: true });
    page = session.page;
  });
  afterAll(async () => {
    await session?.close();
  });

  test('at 1024 px every brief\'s Edit and Clone are on screen, nothing scrolls sideways', async () => {
    await step(page, 'briefs-1024', async () => {
      await page.setViewportSize({ width: 1024, height: 900 });
      await page.goto(`${session.app.url}/admin/plugins/product-gallery/briefs`);
      const table = page.getByTestId('briefs-table');
      await table.locator('[data-brief]').first().waitFor();
      for (const button of await table.getByRole('button', { name: 'Clone' }).all()) {
        const b = (await button.boundingBox())!;
        expect(b.x + b.width).toBeLessThanOrEqual(1024);
      }
      const hidden = await table.evaluate((el) => {
        let box: HTMLElement | null = el as HTMLElement;
        while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
        return box ? box.scrollWidth - box.clientWidth : 0;
      });
      expect(hidden).toBeLessThanOrEqual(1);
      await page.setViewportSize({ width: 1440, height: 1000 });
    });
  });

  test('clone a brief from the list', async () => {
    await step(page, 'clone', async () => {
      await page.goto(`${session.app.url}/admin/plugins/product-gallery/briefs`);
      await page.getByTestId('briefs-table').waitFor();
      await page.locator('[data-brief="Rings"]').getByRole('button', { name: 'Clone' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Name').fill(CLONE);
      await dialog.getByRole('button', { name: 'Clone' }).click();
      await page.waitForURL(/\/briefs\/[a-z0-9]{10,}$/);
      briefId = page.url().split('/').pop()!;
      await page.getByTestId('brief-version').getByText('version 1').waitFor();
      await page.getByRole('heading', { name: CLONE }).first().waitFor();
    });
  });

  test('a refused value is shown beside its field, outlined and focused, with a short toast', async () => {
    await step(page, 'field-error', async () => {
      const model = page.locator('[data-role-spec="model"]');
      const edge = model.getByLabel(MIN_EDGE);
      await edge.fill('120');
      await page.getByRole('button', { name: 'Save', exact: true }).click();

      const problem = model.getByText('On model › Min. long edge must be at least 300 px');
      await problem.waitFor();
      expect(await edge.getAttribute('aria-invalid')).toBe('true');
      // The message is the input's description: a screen reader reads it with the field.
      const describedBy = (await edge.getAttribute('aria-describedby')) ?? '';
      expect(describedBy).toMatch(/-error\b/);
      expect(await page.locator(`[id="${describedBy.split(' ').find((id) => id.endsWith('-error'))}"]`).innerText()).toContain('must be at least 300 px');
      await until('the field in error to have the focus', () => isFocused(edge), 5_000, 100);
      await page.getByText('One field needs attention before this brief can be saved.').waitFor();
      // No dotted path anywhere on the page.
      expect(await page.getByText(/roles\.\d/).count()).toBe(0);
      // Other fields are not outlined.
      expect(await page.locator('[aria-invalid="true"]').count()).toBe(1);
      await screenshot(page, 'brief-field-error');
      // The page screenshot starts at the top (the toast); the role card shows the field itself.
      await model.screenshot({ path: path.join(SCREENSHOTS, 'brief-field-error-card.png') });

      // Nothing was saved.
      const stored = await adminApi(page, session.app.url, 'GET', `/product-gallery/briefs/${briefId}`);
      expect(stored.body.data.version).toBe(1);
    });
  });

  test('fix it, switch on scene previews, save, reload: kept', async () => {
    await step(page, 'save', async () => {
      const model = page.locator('[data-role-spec="model"]');
      const edge = model.getByLabel(MIN_EDGE);
      await edge.fill('2400');
      // Editing the field takes its problem away.
      await until('the problem to go', async () => (await edge.getAttribute('aria-invalid')) !== 'true', 5_000, 100);
      expect(await model.getByText(/must be at least 300 px/).count()).toBe(0);

      const lifestyle = page.locator('[data-role-spec="lifestyle"]');
      const previews = lifestyle.getByLabel(PREVIEWS);
      expect(await previews.isChecked()).toBe(false);
      await lifestyle.getByText(/scene preview is the hand, neckline or tabletop the app draws itself/).waitFor();
      await previews.click();
      expect(await previews.isChecked()).toBe(true);

      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Saved: version 2').waitFor();
      await page.getByTestId('brief-version').getByText('version 2').waitFor();

      await page.reload();
      await page.getByTestId('brief-version').getByText('version 2').waitFor();
      expect(await page.locator('[data-role-spec="model"]').getByLabel(MIN_EDGE).inputValue()).toBe('2400');
      expect(await page.locator('[data-role-spec="lifestyle"]').getByLabel(PREVIEWS).isChecked()).toBe(true);
      expect(await page.locator('[data-role-spec="model"]').getByLabel(PREVIEWS).isChecked()).toBe(false);

      const stored = await adminApi(page, session.app.url, 'GET', `/product-gallery/briefs/${briefId}`);
      expect(stored.status).toBe(200);
      const byRole = Object.fromEntries(stored.body.data.roles.map((r: any) => [r.role, r]));
      expect(stored.body.data).toMatchObject({ name: CLONE, version: 2 });
      expect(byRole.model.minLongEdge).toBe(2400);
      expect(byRole.lifestyle.allowScenePreviews).toBe(true);
      expect(Boolean(byRole.model.allowScenePreviews)).toBe(false);
    });
  });

  test('a new product’s slug field shows what is saved', async () => {
    await step(page, 'slug', async () => {
      await page.goto(`${session.app.url}/admin/content-manager/collection-types/${UID.product}/create`);
      const slug = page.locator('input[name="slug"]');
      await slug.waitFor();
      await page.getByText('Left empty, it is made from the title when you save.').waitFor();
      await page.locator('input[name="title"]').fill('Rose Signet Ring');
      await page.locator('input[name="sku"]').fill('E2E-SIGNET');
      await page.getByRole('combobox', { name: /^category/i }).click();
      await page.getByRole('option', { name: 'ring', exact: true }).click();
      await page.getByRole('combobox', { name: /^metal/i }).click();
      await page.getByRole('option', { name: 'rose-gold', exact: true }).click();
      // Before saving, the field never shows a slug the server would not save.
      expect(await slug.inputValue()).toBe('');
      await page.getByRole('button', { name: /^save$/i }).click();
      await page.waitForURL(/plugin::product-gallery\.product\/[a-z0-9]{10,}/, { timeout: 60_000 });
      const documentId = page.url().split('/').pop()!.split('?')[0];
      const saved = await adminApi(page, session.app.url, 'GET', `/content-manager/collection-types/${UID.product}/${documentId}`);
      expect(saved.body.data.slug).toBe('rose-signet-ring');
      await until('the saved slug in the field', async () => (await slug.inputValue()) === saved.body.data.slug, 10_000, 200);
    });
  });

  test('the plugin logs no React warning or error of its own', () => {
    const problems = session.console.filter((m) => (m.type === 'warning' || m.type === 'error') && PLUGIN_CODE.test(m.text));
    expect(problems).toEqual([]);
  });
});

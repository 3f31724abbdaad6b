/**
 * The editor's day with checks a person can read, in Debian's Chromium against the real built app:
 * checks in words with their measure in units against the limit and what they mean for a shopper;
 * a size nobody gave is "not measured" and asks for a person (never a pass); the override and
 * reject dialogs name the checks; cards show the reject reason and who approved over the checks;
 * every action says what it did in a toast, and a publish can be undone (archived); the history
 * names people, not "system:dispatcher"; and the plugin's own code logs no React warning.
 *
 * The checks are the pipeline's own (checkCandidate on the stored photo), not written by hand.
 * Needs `npm run build` (the admin panel in dist/build) and /usr/bin/chromium.
 */
import type { Page } from 'playwright-core';
import { checkCandidate } from '../../plugins/product-gallery/server/src/pipeline';
import {
  adminToken,
  describeInBrowser,
  openEditorSession,
  screenshot,
  stepsWithScreenshots,
  until,
  type BrowserApp,
  type EditorSession,
} from '../support/browser';
import { createAsset, productWithReference } from '../support/fixtures';

jest.setTimeout(600_000);

const SOURCE = '04_pendant_product_turquoise-point-pendant.jpg';
const TITLE = 'Turquoise Point Pendant';
const step = stepsWithScreenshots('checks-');

/**
 * Components of this plugin: a React warning (the admin is built in development mode here, so
 * React's warnings are on) naming one of them in its component stack is the plugin's own.
 * Strapi's own "useRBAC: The first argument should be an array" warning is not: its own pages
 * pass objects (e.g. `useRBAC(settings?.users ?? {})`), it shows on the home page before any
 * plugin page, and the plugin's useCan passes an array.
 */
const PLUGIN_CODE =
  /QcChips|QcTable|QcStatusBadge|ImageNumberBadge|OverrideNote|StatusBadge|ShotCard|ShotList|SourceCard|WorkspacePage|ReviewQueuePage|QueueItem|ReasonDialog|AssetHistory|UndoPublish|CompareViewer|CutoutRefine|PluginLayout/;

describeInBrowser('checks an editor can read: units, not measured, named checks, reasons on cards, toasts, undo', () => {
  let session: EditorSession;
  let app: BrowserApp;
  let page: Page;
  let productId = '';
  let unmeasuredId = '';
  let rejectId = '';
  let fineId = '';

  const api = async (method: string, url: string) => {
    const token = await adminToken(page);
    return page.evaluate(
      async ({ url, token, method }) => (await fetch(url, { method, headers: { Authorization: `Bearer ${token}` } })).json(),
      { url: `${app.url}${url}`, token, method }
    );
  };
  const workspace = async () => {
    await page.goto(`${app.url}/admin/plugins/product-gallery/products/${productId}`);
    await page.getByTestId('shots').waitFor();
  };
  const review = async (id: string) => {
    await page.goto(`${app.url}/admin/plugins/product-gallery/review/${id}?product=${productId}`);
    await page.locator(`[data-testid="review-detail"][data-asset="${id}"]`).waitFor();
  };
  const toast = (text: RegExp) => page.locator('[data-sonner-toast]').filter({ hasText: text }).first();

  beforeAll(async () => {
    session = await openEditorSession({
      quietWorker: true,
      firstname: 'Rita',
      prepare: async (booted) => {
        const { photo, product, reference, sourceBytes } = await productWithReference(booted, { photo: SOURCE, title: TITLE, category: 'pendant' });
        productId = product.documentId;

        // A clean view checked with neither the brief's framing nor a real size: its size cannot be measured.
        const checked = await checkCandidate(sourceBytes, { role: 'clean', reference: reference.fingerprint }, {}, sourceBytes);
        const scale = checked.checks.find((c: any) => c.id === 'fidelity.scale');
        expect(scale).toMatchObject({ status: 'unverified', value: null });
        const fixture = { product, status: 'in_review', file: photo, qc: checked.checks, qcStatus: checked.qcStatus as any };
        unmeasuredId = (await createAsset(booted, { ...fixture, role: 'clean' })).documentId;
        rejectId = (await createAsset(booted, { ...fixture, role: 'detail' })).documentId;

        // A shot the dispatcher made (generating -> draft), with checks that pass.
        const workflow = booted.strapi.plugin('product-gallery').service('workflow');
        const made = await createAsset(booted, { product, role: 'model', status: 'generating', file: photo });
        await workflow.transition({ documentId: made.documentId, to: 'draft', version: made.version, actor: { kind: 'system', name: 'dispatcher' } });
        fineId = made.documentId;
      },
    });
    ({ app, page } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  test('the workspace card: the check in words with "not measured", which image it is, and a toast on submit', async () => {
    await step(page, 'workspace-chips', async () => {
      await workspace();
      const card = page.locator(`[data-asset="${unmeasuredId}"]`);
      const chip = card.locator('[data-qc="fidelity.scale"]');
      await chip.waitFor();
      await expect(chip.getAttribute('data-qc-status')).resolves.toBe('unverified');
      await expect(chip.getAttribute('data-qc-measured')).resolves.toBe('false');
      await expect(chip.textContent()).resolves.toBe('Size of the product · not measured');
      // no machine id and no bare "pass" for what was not measured
      const cardText = (await card.textContent()) ?? '';
      expect(cardText).not.toMatch(/fidelity\.|tech\.|FIDELITY/);
      // the badge says which image of the shot this is, not a revision number
      await expect(card.getByTestId('image-number').textContent()).resolves.toBe('image 1');
      await expect(card.getByTestId('image-number').getAttribute('aria-label')).resolves.toMatch(/^The 1st image made for this shot/);
      await screenshot(page, 'checks-workspace-cards');

      const fine = page.locator(`[data-asset="${fineId}"]`);
      await fine.getByRole('button', { name: 'Submit for review' }).click();
      await toast(/Sent for review: Turquoise Point Pendant \(On model\)\./).waitFor();
      await until('submitted', async () => (await fine.getAttribute('data-asset-status')) === 'in_review');
    });
  });

  test('the checks panel: measures in units against their limit, what each means, and "Not measured" as cannot verify', async () => {
    await step(page, 'panel', async () => {
      await review(unmeasuredId);
      const panel = page.getByTestId('qc-results');
      await panel.locator('[data-qc-row]').first().waitFor();
      const row = (id: string) => panel.locator(`[data-qc-row="${id}"]`);
      await expect(row('tech.resolution').locator('[data-qc-measure]').textContent()).resolves.toMatch(/^\d+ px( \(limit \d+ px\))?$/);
      await expect(row('fidelity.color').locator('[data-qc-measure]').textContent()).resolves.toMatch(/^ΔE \d+(\.\d)? \(limit ΔE \d+(\.\d)?\)$/);
      await expect(row('fidelity.sharpness').locator('[data-qc-measure]').textContent()).resolves.toMatch(/^\d+(\.\d)?% \(limit \d+(\.\d)?%\)$/);
      await expect(row('tech.filesize').locator('[data-qc-measure]').textContent()).resolves.toMatch(/^\d+(\.\d)? (KB|MB)/);
      await expect(row('fidelity.scale').locator('[data-qc-measure]').textContent()).resolves.toBe('Not measured');
      await expect(row('fidelity.scale').getAttribute('data-qc-status')).resolves.toBe('unverified');
      await expect(row('fidelity.scale').locator('[data-qc-badge]').textContent()).resolves.toMatch(/cannot verify/i);
      await expect(row('fidelity.scale').locator('[data-qc-meaning]').textContent()).resolves.toBe('Shoppers judge the real size of the piece from this image.');
      expect((await panel.textContent()) ?? '').not.toMatch(/fidelity\.|tech\./);
      // the line under the actions names what blocks approval
      await expect(page.getByTestId('override-required').textContent()).resolves.toMatch(/^[^:]*Size of the product[^:]*: /);
      await screenshot(page, 'checks-review-panel');
    });
  });

  test('approving over it: the dialog names the check, a toast confirms, the card shows who and why', async () => {
    const reason = 'Measured against the source by eye: the pendant is the same size.';
    await step(page, 'override', async () => {
      await page.getByRole('button', { name: /override and approve/i }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await expect(dialog.locator('[data-dialog-check="fidelity.scale"]').textContent()).resolves.toMatch(/^Size of the product/);
      await screenshot(page, 'checks-override-dialog');
      await dialog.locator('textarea').fill(reason);
      await dialog.getByRole('button', { name: /override and approve/i }).click();
      await dialog.waitFor({ state: 'detached' });
      await toast(/Approved over the checks: Turquoise Point Pendant \(Clean\)/).waitFor();
      await screenshot(page, 'checks-override-toast');
    });
    await step(page, 'override-card', async () => {
      await workspace();
      const mark = page.locator(`[data-asset="${unmeasuredId}"]`).getByTestId('approval-override');
      await mark.waitFor();
      await expect(mark.textContent()).resolves.toBe(`Approved over the checks by Rita super-admin: “${reason}”`);
    });
  });

  test('rejecting: the dialog names the checks, a toast confirms, the card shows the reason and who gave it', async () => {
    const reason = 'The bail is cut off at the top.';
    await step(page, 'reject', async () => {
      await review(rejectId);
      await page.getByRole('button', { name: /reject/i }).first().click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await expect(dialog.locator('[data-dialog-check="fidelity.scale"]').textContent()).resolves.toMatch(/^Size of the product/);
      expect((await dialog.textContent()) ?? '').not.toMatch(/fidelity\./);
      await screenshot(page, 'checks-reject-dialog');
      await dialog.locator('textarea').fill(reason);
      await dialog.getByRole('button', { name: /^reject$/i }).click();
      await dialog.waitFor({ state: 'detached' });
      await toast(/Rejected: Turquoise Point Pendant \(Detail\)/).waitFor();
    });
    await step(page, 'reject-card', async () => {
      await workspace();
      const card = page.locator(`[data-asset="${rejectId}"]`);
      await card.getByTestId('reject-reason').waitFor();
      await expect(card.getByTestId('reject-reason').textContent()).resolves.toBe(`Rejected by Rita super-admin: “${reason}”`);
      await screenshot(page, 'checks-reject-card');
    });
  });

  test('approve, publish and undo: each with its toast, the undo archives it; the history names people', async () => {
    await step(page, 'approve', async () => {
      await review(fineId);
      await page.getByRole('button', { name: 'Approve (A)' }).click();
      await toast(/Approved: Turquoise Point Pendant \(On model\)\. It can be published now\./).waitFor();
    });
    await step(page, 'publish-undo', async () => {
      await workspace();
      const card = page.locator(`[data-asset="${fineId}"]`);
      await card.getByRole('button', { name: 'Publish' }).click();
      await toast(/Published: Turquoise Point Pendant \(On model\) is on the storefront\./).waitFor();
      const bar = page.getByTestId('published-undo');
      await bar.waitFor();
      await until('published', async () => (await api('GET', `/product-gallery/assets/${fineId}`)).data.status === 'published');
      await screenshot(page, 'checks-published-undo');
      await bar.getByTestId('undo-publish').click();
      await toast(/Undone: Turquoise Point Pendant \(On model\) is archived/).waitFor();
      await until('archived', async () => (await api('GET', `/product-gallery/assets/${fineId}`)).data.status === 'archived');
      await bar.waitFor({ state: 'detached' });
    });
    await step(page, 'history', async () => {
      await page.getByRole('checkbox', { name: 'Show archived' }).click();
      const card = page.locator(`[data-asset="${fineId}"]`);
      await card.getByRole('button', { name: 'History' }).click();
      const history = page.getByRole('dialog').getByTestId('asset-history');
      await history.waitFor();
      const actors = await history.locator('[data-history-actor]').evaluateAll((els) => els.map((e) => e.getAttribute('data-history-actor')));
      expect(actors).toContain('Dispatcher (automatic)');
      expect(actors).toContain('Rita super-admin');
      expect(((await history.textContent()) ?? '')).not.toMatch(/system:|@example\.com/);
      await screenshot(page, 'checks-history');
    });
  });

  test('the plugin logs no React warning or error of its own', () => {
    const problems = session.console.filter((m) => (m.type === 'warning' || m.type === 'error') && PLUGIN_CODE.test(m.text));
    // everything else the admin logged, for the record
    for (const m of session.console.filter((m) => m.type === 'warning' || m.type === 'error')) console.log(`[browser ${m.type}] ${m.text.slice(0, 300)}`);
    expect(problems).toEqual([]);
  });
});

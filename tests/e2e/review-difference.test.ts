/**
 * The review queue in Debian's Chromium against the real built app: a composed shot (a local
 * composite made from a recoloured piece) shows the difference map with the change highlighted;
 * a scene that shows something else gets the "Cannot verify" badge and says why instead of
 * drawing a guess; approving it asks for a written reason in a dialog that names the checks that
 * failed or could not decide (in words, not ids); the approved card then shows that reason.
 *
 * The images' checks are the pipeline's own (checkCandidate on the stored bytes), not written by hand.
 * Needs `npm run build` (the admin panel in dist/build) and /usr/bin/chromium.
 */
import fs from 'node:fs';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { checkCandidate, makeLocalShot } from '../../plugins/product-gallery/server/src/pipeline';
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
import { createAsset, productWithReference, uploadBuffer, uploadPhoto } from '../support/fixtures';
import { photoPath } from '../support/photos';


jest.setTimeout(600_000);

const SOURCE = '04_pendant_product_turquoise-point-pendant.jpg';

const waitFor = (what: string, fn: () => Promise<boolean>, timeout = 60_000) => until(what, fn, timeout);
const step = stepsWithScreenshots('review-difference-');


describeInBrowser('review queue: difference map, cannot verify, override naming the checks', () => {
  let session: EditorSession;
  let app: BrowserApp;
  let page: Page;
  let productId = '';
  let composedId = '';
  let unverifiedId = '';

  beforeAll(async () => {
    session = await openEditorSession({
      quietWorker: true,
      firstname: 'Rita',
      prepare: async (booted) => {
        const { product, reference, sourceBytes } = await productWithReference(booted, { photo: SOURCE, title: 'Turquoise Point Pendant', category: 'pendant' });
        productId = product.documentId;

        // A composite of the piece with its stone recoloured (as an AI edit would), with the placement its generator records.
        const meta = await sharp(sourceBytes).metadata();
        const box = { left: Math.round(meta.width! * 0.2), top: Math.round(meta.height! * 0.48), width: Math.round(meta.width! * 0.25), height: Math.round(meta.height! * 0.27) };
        const patch = await sharp(sourceBytes).extract(box).modulate({ hue: 180, saturation: 1.8 }).toBuffer();
        const altered = await sharp(sourceBytes).composite([{ input: patch, left: box.left, top: box.top }]).jpeg({ quality: 95 }).toBuffer();
        const shot = await makeLocalShot(altered, { role: 'model', aspectRatio: '1:1', minLongEdge: 1000, scene: { kind: 'surface' }, productLongSideMm: 60 });
        const hints = { productBox: shot.productBox, sourceRegion: null, expectedProductLongSidePx: shot.placement?.productLongSidePx ?? null };
        const composedCheck = await checkCandidate(shot.buffer, { role: 'model', reference: reference.fingerprint, ...hints }, {}, sourceBytes);
        const composedFile = await uploadBuffer(booted, shot.buffer, 'pendant-model.jpg');
        composedId = (
          await createAsset(booted, {
            product,
            role: 'model',
            status: 'in_review',
            file: composedFile,
            qc: composedCheck.checks,
            qcStatus: composedCheck.qcStatus as any,
            extra: { provenance: { generator: 'local', composite: true, placement: shot.placement, checkHints: hints } },
          })
        ).documentId;

        // A "lifestyle" image that shows another piece: the product cannot be found in it.
        const otherBytes = fs.readFileSync(photoPath('26_'));
        const otherCheck = await checkCandidate(otherBytes, { role: 'lifestyle', reference: reference.fingerprint }, {}, sourceBytes);
        const otherFile = await uploadPhoto(booted, '26_bracelet_product_lava-bead-buddha.jpg');
        unverifiedId = (
          await createAsset(booted, {
            product,
            role: 'lifestyle',
            status: 'in_review',
            file: otherFile,
            qc: otherCheck.checks,
            qcStatus: otherCheck.qcStatus as any,
            extra: { provenance: { generator: 'replicate', model: 'black-forest-labs/flux-kontext-pro' } },
          })
        ).documentId;
        expect(otherCheck.qcStatus).toBe('unverified');
      },
    });
    ({ app, page } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  test('a composed shot shows the difference map, the change highlighted', async () => {
    await step(page, 'map', async () => {
      await page.goto(`${app.url}/admin/plugins/product-gallery/review/${composedId}?product=${productId}`);
      await page.getByTestId('review-detail').waitFor();
      // Composed: the map is the default view, and the whole-frame overlay is not offered.
      const modes = page.getByRole('group', { name: 'Comparison mode' });
      await expect(modes.getByRole('button', { name: 'Overlay' }).count()).resolves.toBe(0);
      const map = page.getByTestId('difference-map');
      // (the loading spinner is an <img> too: wait for the map's answer, not for any image)
      await waitFor('the map', async () => (await map.getAttribute('data-registered')) !== null, 120_000);
      await expect(map.getAttribute('data-registered')).resolves.toBe('true');
      await map.locator('img[alt="Difference map"]').waitFor();
      await expect(page.getByTestId('difference-map-summary').textContent()).resolves.toMatch(/places? differs?/);
      await screenshot(page, 'review-difference-map');
    });
  });

  test('an image where the product cannot be found: "Cannot verify", said in words, no guessed outline', async () => {
    await step(page, 'cannot-verify', async () => {
      await page.goto(`${app.url}/admin/plugins/product-gallery/review/${unverifiedId}?product=${productId}`);
      await page.getByTestId('review-detail').waitFor();
      // the queue item and the header carry the cannot-verify badge, apart from fail and warn
      await page.locator(`[data-queue-item="${unverifiedId}"] [data-qc-badge="unverified"]`).waitFor();
      await expect(page.locator(`[data-queue-item="${unverifiedId}"] [data-qc-badge="unverified"]`).textContent()).resolves.toMatch(/cannot verify/i);
      const map = page.getByTestId('difference-map');
      await waitFor('the map', async () => (await map.getAttribute('data-registered')) !== null, 120_000);
      await expect(map.getAttribute('data-registered')).resolves.toBe('false');
      await expect(page.getByTestId('difference-map-unregistered').textContent()).resolves.toMatch(/cannot verify/i);
      // the checks panel speaks in words: no machine ids, and an unverified check is not shown as a pass
      const panel = page.getByTestId('qc-results');
      const text = (await panel.textContent()) ?? '';
      expect(text).not.toMatch(/fidelity\.|tech\./);
      expect(await panel.locator('[data-qc-status="unverified"] [data-qc-badge="unverified"]').count()).toBeGreaterThan(0);
      await screenshot(page, 'review-cannot-verify');
    });
  });

  test('approving it asks for a reason, naming the checks that could not decide; the card then shows the reason', async () => {
    const reason = 'Compared by eye: this is a styled shot of the same pendant, stone and bail match the source.';
    await step(page, 'override', async () => {
      await page.getByTestId('review-detail').click({ position: { x: 5, y: 5 } });
      await page.locator('body').press('a');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      const named = dialog.locator('[data-dialog-check]');
      expect(await named.count()).toBeGreaterThan(0);
      const statuses = await named.evaluateAll((els) => els.map((e) => e.getAttribute('data-qc-status')));
      expect(statuses.every((s) => s === 'fail' || s === 'unverified')).toBe(true);
      const dialogText = (await dialog.textContent()) ?? '';
      expect(dialogText).toMatch(/cannot verify/i);
      expect(dialogText).not.toMatch(/fidelity\./);
      await screenshot(page, 'review-override-dialog');
      await dialog.getByRole('button', { name: /override and approve/i }).click();
      await dialog.getByText('A reason is required').waitFor();
      await dialog.locator('textarea').fill(reason);
      await dialog.getByRole('button', { name: /override and approve/i }).click();
      await dialog.waitFor({ state: 'detached' });
    });

    const token = await adminToken(page);
    const res = await page.evaluate(
      async ({ url, token }) => (await fetch(url, { headers: { Authorization: `Bearer ${token}` } })).json(),
      { url: `${app.url}/product-gallery/assets/${unverifiedId}`, token }
    );
    expect(res.data.status).toBe('approved');
    expect(res.data.approvalOverride?.reason).toBe(reason);

    await step(page, 'override-card', async () => {
      await page.goto(`${app.url}/admin/plugins/product-gallery/products/${productId}`);
      const card = page.locator(`[data-asset="${unverifiedId}"]`);
      await card.getByTestId('approval-override').waitFor();
      await expect(card.getByTestId('approval-override').textContent()).resolves.toContain(reason);
      await screenshot(page, 'workspace-override-card');
    });
  });
});

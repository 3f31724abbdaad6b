/**
 * The demo's products, each left at a different point of the review workflow so every state is
 * on the first screen: one walked all the way to a published gallery (Gallery preview and the
 * storefront API show it), one approved, one in review, one in draft.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { SAMPLES, renderSample } from './sample-jewelry';

const PRODUCT = 'plugin::product-gallery.product';
const ASSET = 'plugin::product-gallery.image-asset';
const DEMO = { kind: 'system', name: 'demo' } as const;

/** Where each sample is left. A published gallery needs its required slots: clean, detail and gallery-2. */
export const DEMO_STAGES: Record<string, 'published' | 'approved' | 'in_review' | 'draft'> = {
  'DEMO-RING-EM': 'published',
  'DEMO-PEND-SA': 'in_review',
  'DEMO-EAR-PE': 'approved',
  'DEMO-BRAC-ON': 'draft',
};

/**
 * Moves one asset to `to`, step by step. The demo reviews as nobody: an image whose checks block
 * approval is approved only with an override that says so (recorded on the image and audited).
 */
const walk = async (strapi: Core.Strapi, documentId: string, to: 'in_review' | 'approved' | 'published') => {
  const workflow = strapi.plugin('product-gallery').service('workflow');
  const order = ['draft', 'in_review', 'approved', 'published'] as const;
  for (;;) {
    const asset = await workflow.load(documentId);
    const at = order.indexOf(asset.status);
    if (at < 0 || at >= order.indexOf(to)) return;
    const next = order[at + 1];
    await workflow.transition({
      documentId,
      to: next,
      version: asset.version,
      actor: DEMO,
      ...(next === 'approved' && asset.qcStatus !== 'pass' && asset.qcStatus !== 'warn'
        ? { override: 'Demo data, approved without a person looking: review it before any real use.' }
        : {}),
    });
  }
};

/** Roles taken to the product's stage: scene previews stay drafts (they cannot make a gallery ready). */
const staged = (asset: any) => asset.status === 'draft' && !asset.provenance?.scenePreview;

export const seedDemo = async (strapi: Core.Strapi, log: (line: string) => void = () => {}) => {
  const products = strapi.documents(PRODUCT as any);
  const seeded: string[] = [];
  for (const sample of SAMPLES) {
    const existing = await strapi.db.query(PRODUCT).findOne({ where: { sku: sample.product.sku } });
    if (existing) continue;
    const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pg-demo-')), sample.file);
    fs.writeFileSync(tmp, await renderSample(sample.render()));
    const [file] = await strapi.plugin('upload').service('upload').upload({
      data: { fileInfo: { name: sample.file, alternativeText: sample.product.title } },
      files: { filepath: tmp, originalFilename: sample.file, mimetype: 'image/jpeg', size: fs.statSync(tmp).size },
    });
    const product = await products.create({ data: { ...sample.product, sourcePhoto: file.id } as any });
    await strapi.plugin('product-gallery').service('planner').generate(product.documentId, undefined, DEMO);
    seeded.push(sample.product.sku);
    log(`Seeded ${sample.product.title}`);
  }
  if (!seeded.length) return seeded;
  // the shots are made offline, in a few seconds each; staging needs them made
  await strapi.plugin('product-gallery').service('dispatch').drain(10 * 60_000);
  for (const sku of seeded) {
    const stage = DEMO_STAGES[sku];
    if (!stage || stage === 'draft') continue;
    const product = await strapi.db.query(PRODUCT).findOne({ where: { sku } });
    const assets = await strapi.db.query(ASSET).findMany({ where: { product: product.id }, select: ['documentId', 'status', 'provenance'] });
    for (const asset of assets.filter(staged)) await walk(strapi, asset.documentId, stage);
    log(`${product.title}: ${stage.replace('_', ' ')}`);
  }
  return seeded;
};

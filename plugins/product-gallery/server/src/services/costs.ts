import type { Core } from '@strapi/strapi';
import { UID } from '../domain/vocabulary';
import { getConfig } from '../utils/get-service';
import { unprocessable } from '../utils/errors';
import { lockCostLedger } from '../repositories/low-level';

/**
 * The cost ledger: every Replicate prediction (a shot, its upscale) is booked here against the
 * product's and the day's caps before it is created. Its own service, so the generators book
 * without reaching into the dispatcher.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const assets = () => strapi.db.query(UID.asset);
  const products = () => strapi.db.query(UID.product);

  /**
   * Throws a 422 naming the cap `price` would pass. Spent on a product: its images and the AI
   * spent on its reference (a background remover's second opinion); spent today: images created
   * today or booked and not created yet, and reference spend booked today.
   */
  const assertWithinCaps = async (productId: number, price: number) => {
    const { perProductCap, perDayCap } = getConfig(strapi).costs;
    const productAssets = await assets().findMany({ where: { product: productId }, select: ['cost'] });
    const product = await products().findOne({ where: { id: productId }, select: ['aiCost'] });
    const productSpent = productAssets.reduce((s: number, a: any) => s + Number(a.cost ?? 0), Number(product?.aiCost ?? 0));
    if (productSpent + price > perProductCap) {
      throw unprocessable(`Cost cap reached for this product: $${productSpent.toFixed(2)} spent of $${perProductCap.toFixed(2)}. Raise costs.perProductCap to generate more.`);
    }
    const since = new Date();
    since.setUTCHours(0, 0, 0, 0);
    const today = await assets().findMany({
      where: { cost: { $gt: 0 }, $or: [{ predictionIntentAt: { $gte: since } }, { predictionIntentAt: null, status: 'generating' }] },
      select: ['cost'],
    });
    const references = await products().findMany({ where: { aiCostAt: { $gte: since } }, select: ['aiCost'] });
    const daySpent = [...today.map((a: any) => a.cost), ...references.map((p: any) => p.aiCost)].reduce((s: number, c: any) => s + Number(c ?? 0), 0);
    if (daySpent + price > perDayCap) {
      throw unprocessable(`Daily cost cap reached: $${daySpent.toFixed(2)} spent today of $${perDayCap.toFixed(2)}. Generation resumes tomorrow, or raise costs.perDayCap.`);
    }
  };

  /** One booking at a time across instances (PostgreSQL: an advisory lock; SQLite writes one at a time). */
  const ledger = async <T>(fn: () => Promise<T>): Promise<T> =>
    (await strapi.db.transaction(async ({ trx }: { trx: any }) => {
      await lockCostLedger(trx);
      return fn();
    })) as T;

  return {
    /**
     * Books `price` on the asset if the product's and the day's caps allow it, else throws a 422
     * naming the cap. Check and booking are one transaction under the ledger's lock, so shots
     * prepared at once (on any instance) cannot all pass on the same spent sum. Returns the
     * asset's cost after booking.
     */
    async bookCost(asset: { id: number; cost?: number | string | null }, productId: number, price: number): Promise<number> {
      const before = Number(asset.cost ?? 0);
      return ledger(async () => {
        await assertWithinCaps(productId, price);
        const cost = before + price;
        await assets().updateMany({ where: { id: asset.id }, data: { cost } });
        return cost;
      });
    },

    /**
     * What today's shots asked for by this admin cost: images they queued or sent back to the
     * queue today (the audit trail says who), with spend booked today, counted as the day's cap
     * counts them. An image two people queued today counts for both.
     */
    async spentTodayBy(userId: number): Promise<number> {
      const since = new Date();
      since.setUTCHours(0, 0, 0, 0);
      const asked = await strapi.db.query(UID.audit).findMany({ where: { actorId: userId, to: 'queued', at: { $gte: since } }, select: ['asset'] });
      const ids = [...new Set(asked.map((e: { asset: string }) => e.asset))];
      let spent = 0;
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await assets().findMany({
          where: {
            documentId: { $in: ids.slice(i, i + 500) },
            cost: { $gt: 0 },
            $or: [{ predictionIntentAt: { $gte: since } }, { predictionIntentAt: null, status: 'generating' }],
          },
          select: ['cost'],
        });
        spent += rows.reduce((s: number, a: any) => s + Number(a.cost ?? 0), 0);
      }
      return spent;
    },

    /** Books AI spend that makes no image (the reference's second opinion) on the product itself. */
    async bookProductSpend(productId: number, price: number): Promise<number> {
      return ledger(async () => {
        await assertWithinCaps(productId, price);
        const product = await products().findOne({ where: { id: productId }, select: ['aiCost'] });
        const aiCost = Number(product?.aiCost ?? 0) + price;
        await products().updateMany({ where: { id: productId }, data: { aiCost, aiCostAt: new Date() } });
        return aiCost;
      });
    },
  };
};

import type { Core } from '@strapi/strapi';
import { UID } from '../domain/vocabulary';
import { getConfig } from '../utils/get-service';
import { unprocessable } from '../utils/errors';

/** Advisory lock key (PostgreSQL) serialising cost bookings: any fixed 64-bit number. */
const COST_LEDGER_LOCK = 0x5047434f5354; // "PGCOST"

/**
 * The cost ledger: every Replicate prediction (a shot, its upscale) is booked here against the
 * product's and the day's caps before it is created. Its own service, so the generators book
 * without reaching into the dispatcher.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const assets = () => strapi.db.query(UID.asset);
  return {
    /**
     * Books `price` on the asset if the product's and the day's caps allow it, else throws a 422
     * naming the cap. Check and booking are one transaction that, on PostgreSQL, first takes a
     * transaction-scoped advisory lock on the cost ledger, so shots prepared at once (on any
     * instance) cannot all pass on the same spent sum. SQLite runs one write transaction at a time.
     * Returns the asset's cost after booking.
     */
    async bookCost(asset: { id: number; cost?: number | string | null }, productId: number, price: number): Promise<number> {
      const { perProductCap, perDayCap } = getConfig(strapi).costs;
      const before = Number(asset.cost ?? 0);
      if (!price) return before;
      return strapi.db.transaction(async ({ trx }: { trx: any }) => {
        if (trx.client.config.client === 'pg') await trx.raw('select pg_advisory_xact_lock(?)', [COST_LEDGER_LOCK]);
        const productAssets = await assets().findMany({ where: { product: productId }, select: ['cost'] });
        const productSpent = productAssets.reduce((s: number, a: any) => s + Number(a.cost ?? 0), 0);
        if (productSpent + price > perProductCap) {
          throw unprocessable(`Cost cap reached for this product: $${productSpent.toFixed(2)} spent of $${perProductCap.toFixed(2)}. Raise costs.perProductCap to generate more.`);
        }
        const since = new Date();
        since.setUTCHours(0, 0, 0, 0);
        // Spent today: created today, or booked and not created yet.
        const today = await assets().findMany({
          where: { cost: { $gt: 0 }, $or: [{ predictionIntentAt: { $gte: since } }, { predictionIntentAt: null, status: 'generating' }] },
          select: ['cost'],
        });
        const daySpent = today.reduce((s: number, a: any) => s + Number(a.cost ?? 0), 0);
        if (daySpent + price > perDayCap) {
          throw unprocessable(`Daily cost cap reached: $${daySpent.toFixed(2)} spent today of $${perDayCap.toFixed(2)}. Generation resumes tomorrow, or raise costs.perDayCap.`);
        }
        const cost = before + price;
        await assets().updateMany({ where: { id: asset.id }, data: { cost } });
        return cost;
      });
    },
  };
};

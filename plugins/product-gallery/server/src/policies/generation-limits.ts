import type { Core } from '@strapi/strapi';
import { getConfig, getService } from '../utils/get-service';
import { tooManyRequests, waitInWords } from '../utils/errors';

export interface GenerationLimitsConfig {
  /** The route starts Replicate spend: the admin's daily spend cap applies too. */
  spends?: boolean;
  /** Only requests moving an image to this status count (a transition back to `queued` is a regeneration). */
  onlyTo?: string;
}

const untilUtcMidnightMs = () => {
  const next = new Date();
  next.setUTCHours(24, 0, 0, 0);
  return next.getTime() - Date.now();
};

/**
 * Per-admin limits on requests that start paid or heavy work, answered 429 with Retry-After: on
 * routes that spend on Replicate, the admin's daily spend cap (`costs.perUserDayCap`), read from
 * the cost ledger; and a request budget (`limits.generatePerUserPerMinute`, shared across
 * instances through Redis). Shots already queued are not stopped: the product's and the day's caps
 * hold those.
 */
export default async (policyContext: any, config: GenerationLimitsConfig = {}, { strapi }: { strapi: Core.Strapi }) => {
  if (config.onlyTo && policyContext.request?.body?.to !== config.onlyTo) return true;
  const user = policyContext.state?.user;
  if (!user?.id) return true;
  // The spend cap first: a request it refuses costs none of the admin's request budget.
  const cap = getConfig(strapi).costs.perUserDayCap;
  if (config.spends && cap > 0) {
    const spent = await getService(strapi, 'costs').spentTodayBy(user.id);
    if (spent >= cap) {
      const wait = untilUtcMidnightMs();
      throw tooManyRequests(wait,
        `Your AI spend for today is used up: $${spent.toFixed(2)} of your $${cap.toFixed(2)}. You can generate again in ${waitInWords(wait)} (midnight UTC), or an administrator can raise PRODUCT_GALLERY_COST_CAP_PER_USER_PER_DAY.`,
        { code: 'user_daily_cap', spent: Number(spent.toFixed(4)), cap }
      );
    }
  }
  const budget = getService(strapi, 'limits').generation();
  if (budget) {
    const { allowed, retryAfterMs } = await budget.take(`admin:${user.id}`);
    if (!allowed) {
      const perMinute = getConfig(strapi).limits.generatePerUserPerMinute;
      throw tooManyRequests(retryAfterMs, `Too many generation requests: at most ${perMinute} a minute per person. Try again in ${waitInWords(retryAfterMs)}.`, {
        code: 'generate_rate_limited',
        limitPerMinute: perMinute,
      });
    }
  }
  return true;
};

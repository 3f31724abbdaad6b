import type { Core } from '@strapi/strapi';
import { getConfig, getService } from '../utils/get-service';

/**
 * The secret Replicate signs webhooks with. A public webhook URL without it would park every shot
 * for the whole deadline (no delivery could be verified), so boot settles it: the configured one,
 * else the account's own from GET /v1/webhooks/default/secret, else the app does not start.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  let fetched: string | undefined;

  return {
    /** The secret deliveries are verified with; undefined when webhooks are off. */
    secret(): string | undefined {
      const cfg = getConfig(strapi).replicate;
      if (!cfg.webhookBaseUrl) return undefined;
      return cfg.webhookSecret || fetched;
    },

    async ensure(): Promise<void> {
      const cfg = getConfig(strapi).replicate;
      if (!cfg.webhookBaseUrl || cfg.webhookSecret) return;
      const what =
        'REPLICATE_WEBHOOK_BASE_URL is set but REPLICATE_WEBHOOK_SECRET is not, so no webhook from Replicate could be verified. ' +
        'Set REPLICATE_WEBHOOK_SECRET to your account\'s signing secret (GET https://api.replicate.com/v1/webhooks/default/secret, "whsec_..."), or unset REPLICATE_WEBHOOK_BASE_URL to poll instead.';
      if (!cfg.apiToken) throw new Error(`[product-gallery] ${what}`);
      try {
        fetched = await getService(strapi, 'generation').replicateGateway().getWebhookSecret({ signal: AbortSignal.timeout(cfg.requestTimeoutMs) });
        strapi.log.info('[product-gallery] webhook signing secret fetched from Replicate (REPLICATE_WEBHOOK_SECRET not set)');
      } catch (error) {
        throw new Error(`[product-gallery] ${what} Fetching it from Replicate failed: ${(error as Error).message}`);
      }
    },
  };
};

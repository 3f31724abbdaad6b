import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { getService } from '../utils/get-service';
import { isReplicateError, isTerminalStatus, tagFromWebhookUrl, verifyWebhook, type Prediction } from '../replicate';
import { UID } from '../domain/vocabulary';
import { httpStatusError } from '../utils/errors';
import { parseOrThrow } from '../validation/error';
import { webhookQuery } from '../validation/webhook';

/**
 * Replicate's completion webhook. Verified (HMAC, constant-time, 5-minute tolerance) against the
 * raw body. Each delivery is processed once: its `webhook-id` is recorded with its effects, and a
 * replay is answered 200 without touching anything (Replicate retries what is not acknowledged).
 * Different deliveries (duplicates, out of order) are harmless too: the asset is only moved by
 * compare-and-set from `generating`, and a non-terminal delivery changes nothing but its prediction id.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const assets = () => strapi.db.query(UID.asset);

  /** What a delivery does: the asset learns its prediction, and a completed one is unparked. */
  const apply = async (tag: string | undefined, prediction: Prediction) => {
    if (!tag) return;
    const asset = await assets().findOne({ where: { generationTag: tag }, select: ['id', 'status', 'predictionId'] });
    if (!asset || asset.status !== 'generating') return;
    // A delivery for another prediction than the one this generation recorded is not about it.
    if (asset.predictionId && asset.predictionId !== prediction.id) return;
    if (!asset.predictionId) {
      await assets().updateMany({ where: { id: asset.id, predictionId: null }, data: { predictionId: prediction.id } });
    }
    // Expire the parking lease so the next sweep finishes it here or on any instance. Only a
    // parked asset (no owner): one a dispatcher is working on must not be taken twice; that one
    // finds this delivery recorded when it parks.
    if (isTerminalStatus(prediction.status)) {
      await assets().updateMany({ where: { id: asset.id, leaseOwner: null }, data: { leaseUntil: null, nextAttemptAt: null } });
    }
  };

  return {
    async receive(ctx: any) {
      const secret = getService(strapi, 'webhookSecret').secret();
      if (!secret) throw new errors.NotFoundError('Webhooks are not configured.');
      const raw = ctx.request.body?.[Symbol.for('unparsedBody')] ?? ctx.request.rawBody;
      if (typeof raw !== 'string') {
        // A JSON delivery that was parsed without its bytes: the host replaced Strapi's body parser.
        if (ctx.request.is('json')) {
          throw new errors.ValidationError(
            "body: the request's raw bytes were not kept, so its signature cannot be checked: config/middlewares.ts must use Strapi's body parser ('strapi::body') with includeUnparsed: true."
          );
        }
        throw new errors.ValidationError('body: a raw JSON body is required.');
      }
      let delivery: ReturnType<typeof verifyWebhook>;
      try {
        delivery = verifyWebhook({ headers: ctx.request.headers, rawBody: raw, secret });
      } catch (error) {
        // Strapi turns UnauthorizedError into a bare 401; the sender should see why.
        if (isReplicateError(error)) throw httpStatusError(401, (error as Error).message);
        throw error;
      }
      const { prediction } = delivery;
      const { gen } = parseOrThrow(webhookQuery, ctx.query ?? {}, ['query']);
      const signed = tagFromWebhookUrl(prediction.webhook ?? '');
      if (gen && signed && gen !== signed) {
        throw new errors.ValidationError("query.gen: does not match the generation tag in the signed delivery's webhook URL.");
      }
      const tag = signed ?? gen;
      const processed = await getService(strapi, 'webhookDeliveries').once(
        { webhookId: delivery.id, predictionId: prediction.id, status: prediction.status },
        () => apply(tag, prediction)
      );
      if (!processed) {
        ctx.status = 200;
        ctx.body = { data: { duplicate: true, message: `Delivery ${delivery.id} was received before; it was not processed again.` } };
        return;
      }
      if (isTerminalStatus(prediction.status)) getService(strapi, 'dispatch').kick();
      ctx.status = 204;
    },
  };
};

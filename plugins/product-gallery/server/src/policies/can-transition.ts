import { errors } from '@strapi/utils';

export interface CanTransitionConfig {
  /** The action each target status needs (statuses an editor may not ask for are absent). */
  actions: Partial<Record<string, string>>;
}

/**
 * Moving an image needs the action of the status it moves to (submit, review, publish or
 * generate), which the request body names, so the route's own action (read) is not enough.
 * A body without a known target passes on to the controller, which answers it 400 or 422.
 */
export default (policyContext: any, config: CanTransitionConfig) => {
  const to = policyContext.request?.body?.to;
  const action = typeof to === 'string' && Object.hasOwn(config.actions, to) ? config.actions[to] : undefined;
  if (!action) return true;
  if (policyContext.state?.userAbility?.can(action)) return true;
  // PolicyError: the router turns a plain ForbiddenError into a bare "Forbidden".
  throw new errors.PolicyError(`Your role may not move images to ${to.replace('_', ' ')} (needs ${action}).`, { action, to });
};

import type { PluginRouter } from '../handlers';
import { ACTIONS } from '../../bootstrap/permissions-setup';
import { ACTION_FOR_TARGET } from '../../services/assets';
import type { GenerationLimitsConfig } from '../../policies/generation-limits';

type Policy = string | { name: string; config: unknown };

const can = (action: string, ...more: Policy[]) => ({
  policies: ['admin::isAuthenticatedAdmin', { name: 'admin::hasPermissions', config: { actions: [action] } }, ...more] as Policy[],
});

/** Requests that start paid or heavy work: a budget per admin, and their daily spend cap where Replicate is paid. */
const limited = (config: GenerationLimitsConfig = {}): Policy => ({ name: 'plugin::product-gallery.generation-limits', config });

/** Admin API under /product-gallery (admin JWT). Every route checks an RBAC action. */
export default {
  type: 'admin',
  routes: [
    { method: 'GET', path: '/briefs', handler: 'briefs.find', config: can(ACTIONS.read) },
    { method: 'GET', path: '/briefs/:documentId', handler: 'briefs.findOne', config: can(ACTIONS.read) },
    { method: 'PUT', path: '/briefs/:documentId', handler: 'briefs.update', config: can(ACTIONS.briefs) },
    { method: 'POST', path: '/briefs/:documentId/clone', handler: 'briefs.clone', config: can(ACTIONS.briefs) },
    { method: 'POST', path: '/briefs/:documentId/preview', handler: 'briefs.preview', config: can(ACTIONS.read) },
    // Product workspace, generation and import (issue 3 of 5).
    { method: 'GET', path: '/config', handler: 'generation.settings', config: can(ACTIONS.read) },
    { method: 'GET', path: '/progress', handler: 'generation.progress', config: can(ACTIONS.read) },
    { method: 'GET', path: '/products/:documentId', handler: 'generation.workspace', config: can(ACTIONS.read) },
    { method: 'POST', path: '/products/:documentId/analyze', handler: 'generation.reanalyze', config: can(ACTIONS.generate, limited()) },
    { method: 'POST', path: '/products/:documentId/generate', handler: 'generation.generate', config: can(ACTIONS.generate, limited({ spends: true })) },
    // The reference cutout: a refinement preview and the AI second opinion change nothing a shopper
    // sees; confirming it decides what every check compares against (a reviewer's call).
    { method: 'POST', path: '/products/:documentId/reference/preview', handler: 'reference.preview', config: can(ACTIONS.generate) },
    { method: 'POST', path: '/products/:documentId/reference/ai', handler: 'reference.secondOpinion', config: can(ACTIONS.generate, limited({ spends: true })) },
    { method: 'POST', path: '/products/:documentId/reference/confirm', handler: 'reference.confirm', config: can(ACTIONS.review) },
    { method: 'GET', path: '/products/:documentId/reference/history', handler: 'reference.history', config: can(ACTIONS.read) },
    { method: 'POST', path: '/products/:documentId/assets', handler: 'generation.importAsset', config: can(ACTIONS.import) },
    // Review and publishing. The transition route also checks the target's own action (submit,
    // review, publish or generate), named by the body; a move back to the queue is a regeneration.
    { method: 'GET', path: '/assets', handler: 'assets.find', config: can(ACTIONS.read) },
    { method: 'GET', path: '/assets/:documentId', handler: 'assets.findOne', config: can(ACTIONS.read) },
    // The source registered onto the image and the places that differ, as a PNG (computed on demand).
    { method: 'GET', path: '/assets/:documentId/difference', handler: 'difference.difference', config: can(ACTIONS.read) },
    {
      method: 'POST',
      path: '/assets/:documentId/transition',
      handler: 'assets.transition',
      config: can(
        ACTIONS.read,
        { name: 'plugin::product-gallery.can-transition', config: { actions: ACTION_FOR_TARGET } },
        limited({ onlyTo: 'queued', spends: true })
      ),
    },
    // Alt text and focal point (a published image also needs publish: checked in the controller).
    { method: 'PUT', path: '/assets/:documentId', handler: 'assets.update', config: can(ACTIONS.submit) },
    { method: 'GET', path: '/products', handler: 'products.find', config: can(ACTIONS.read) },
    { method: 'GET', path: '/products/:documentId/readiness', handler: 'products.readiness', config: can(ACTIONS.read) },
    { method: 'GET', path: '/products/:documentId/pack', handler: 'products.pack', config: can(ACTIONS.read) },
    { method: 'GET', path: '/products/:documentId/channels/:channel/preview', handler: 'products.channelPreview', config: can(ACTIONS.read) },
  ],
} satisfies PluginRouter;

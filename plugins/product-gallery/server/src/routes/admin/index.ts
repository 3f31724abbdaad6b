import { ACTIONS } from '../../services/permissions-setup';

const can = (...actions: string[]) => ({
  policies: ['admin::isAuthenticatedAdmin', { name: 'admin::hasPermissions', config: { actions } }],
});

/** Admin API under /product-gallery (admin JWT). Every route checks an RBAC action. */
export default {
  type: 'admin',
  routes: [
    { method: 'GET', path: '/briefs', handler: 'briefs.find', config: can(ACTIONS.read) },
    { method: 'GET', path: '/briefs/:documentId', handler: 'briefs.findOne', config: can(ACTIONS.read) },
    { method: 'PUT', path: '/briefs/:documentId', handler: 'briefs.update', config: can(ACTIONS.briefs) },
    { method: 'POST', path: '/briefs/:documentId/clone', handler: 'briefs.clone', config: can(ACTIONS.briefs) },
  ],
};

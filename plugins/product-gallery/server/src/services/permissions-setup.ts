import type { Core } from '@strapi/strapi';

const PLUGIN = 'product-gallery';

/** RBAC actions, checked on every admin route (routes/admin). */
export const ACTIONS = {
  read: `plugin::${PLUGIN}.read`,
  generate: `plugin::${PLUGIN}.generate`,
  import: `plugin::${PLUGIN}.import`,
  submit: `plugin::${PLUGIN}.submit`,
  review: `plugin::${PLUGIN}.review`,
  publish: `plugin::${PLUGIN}.publish`,
  briefs: `plugin::${PLUGIN}.manage-briefs`,
} as const;

const DEFINITIONS = [
  { uid: 'read', displayName: 'Read galleries, assets and briefs' },
  { uid: 'generate', displayName: 'Generate shots' },
  { uid: 'import', displayName: 'Import outside images' },
  { uid: 'submit', displayName: 'Submit shots for review' },
  { uid: 'review', displayName: 'Review (approve or reject)' },
  { uid: 'publish', displayName: 'Publish and archive' },
  { uid: 'manage-briefs', displayName: 'Manage category briefs' },
];

/** Authors make and submit shots; editors also judge and publish them. */
const ROLE_DEFAULTS: Record<string, string[]> = {
  'strapi-editor': Object.values(ACTIONS),
  'strapi-author': [ACTIONS.read, ACTIONS.generate, ACTIONS.import, ACTIONS.submit],
};

export const registerPermissionActions = async (strapi: Core.Strapi) => {
  const permission = strapi.service('admin::permission') as any;
  await permission.actionProvider.registerMany(
    DEFINITIONS.map((d) => ({ section: 'plugins', pluginName: PLUGIN, uid: d.uid, displayName: d.displayName }))
  );
  // Admin syncs the Super Admin's permissions before plugins register theirs.
  await (strapi.service('admin::role') as any).resetSuperAdminPermissions();
};

const pluginStore = (strapi: Core.Strapi) => strapi.store({ type: 'plugin', name: PLUGIN });

/** Once per database: later changes an administrator makes to these roles are theirs to keep. */
export const grantDefaultRolePermissions = async (strapi: Core.Strapi) => {
  const store = pluginStore(strapi);
  if (await store.get({ key: 'role-defaults-granted' })) return;
  const roleService = strapi.service('admin::role') as any;
  for (const [code, actions] of Object.entries(ROLE_DEFAULTS)) {
    const role = await strapi.db.query('admin::role').findOne({ where: { code } });
    if (!role) continue;
    const existing = await strapi.db.query('admin::permission').findMany({ where: { role: role.id }, select: ['action'] });
    const have = new Set(existing.map((p: { action: string }) => p.action));
    const missing = actions.filter((action) => !have.has(action));
    if (missing.length) {
      await roleService.addPermissions(
        role.id,
        missing.map((action) => ({ action, subject: null, properties: {}, conditions: [] }))
      );
    }
  }
  await store.set({ key: 'role-defaults-granted', value: true });
};

/** Galleries are public by default (config `gallery.public`); the Public role can be changed later. */
export const grantPublicGalleryAccess = async (strapi: Core.Strapi) => {
  const config = strapi.config.get(`plugin::${PLUGIN}`) as { gallery?: { public?: boolean } };
  if (config?.gallery?.public === false) return;
  if (!strapi.plugin('users-permissions')) return;
  const store = pluginStore(strapi);
  if (await store.get({ key: 'public-access-granted' })) return;
  const publicRole = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'public' } });
  if (!publicRole) return;
  for (const action of [`plugin::${PLUGIN}.gallery.find`, `plugin::${PLUGIN}.gallery.findOne`]) {
    const exists = await strapi.db
      .query('plugin::users-permissions.permission')
      .findOne({ where: { action, role: publicRole.id } });
    if (!exists) {
      await strapi.db.query('plugin::users-permissions.permission').create({ data: { action, role: publicRole.id } });
    }
  }
  await store.set({ key: 'public-access-granted', value: true });
};

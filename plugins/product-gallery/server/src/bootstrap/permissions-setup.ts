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

const grantRoleDefaults = async (strapi: Core.Strapi, role: { id: number; code: string }) => {
  const actions = ROLE_DEFAULTS[role.code];
  if (!actions) return;
  const store = pluginStore(strapi);
  const key = `role-defaults-granted:${role.code}`;
  if (await store.get({ key })) return;
  const existing = await strapi.db.query('admin::permission').findMany({ where: { role: role.id }, select: ['action'] });
  const have = new Set(existing.map((p: { action: string }) => p.action));
  const missing = actions.filter((action) => !have.has(action));
  if (missing.length) {
    await (strapi.service('admin::role') as any).addPermissions(
      role.id,
      missing.map((action) => ({ action, subject: null, properties: {}, conditions: [] }))
    );
  }
  await store.set({ key, value: true });
};

/**
 * Once per database and role: later changes an administrator makes to these roles are theirs to
 * keep. On a fresh database the admin creates its default roles after the plugins bootstrap,
 * so a role created later is granted when it appears.
 */
export const grantDefaultRolePermissions = async (strapi: Core.Strapi) => {
  if ((await pluginStore(strapi).get({ key: 'role-defaults-granted' })) === true) {
    // Databases from before per-role flags: those grants were made (or the roles didn't exist yet).
    const granted = await strapi.db.query('admin::permission').count({ where: { action: { $startsWith: `plugin::${PLUGIN}.` }, role: { code: { $in: Object.keys(ROLE_DEFAULTS) } } } });
    if (granted > 0) return;
  }
  for (const code of Object.keys(ROLE_DEFAULTS)) {
    const role = await strapi.db.query('admin::role').findOne({ where: { code } });
    if (role) await grantRoleDefaults(strapi, role);
  }
  strapi.db.lifecycles.subscribe({
    models: ['admin::role'],
    async afterCreate(event: any) {
      const role = event.result;
      if (role?.code && ROLE_DEFAULTS[role.code]) {
        // After the admin has finished creating its default roles and their permissions.
        setImmediate(() => void grantRoleDefaults(strapi, role).catch((e) => strapi.log.error(`[product-gallery] ${e.message}`)));
      }
    },
  } as any);
};

const grantPublicTo = async (strapi: Core.Strapi, publicRole: { id: number }) => {
  const store = pluginStore(strapi);
  if (await store.get({ key: 'public-access-granted' })) return;
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

/**
 * Galleries are public by default (config `gallery.public`); the Public role can be changed
 * later. On a fresh database users-permissions creates the Public role after this plugin
 * bootstraps, so the grant is made when the role appears.
 */
export const grantPublicGalleryAccess = async (strapi: Core.Strapi) => {
  const config = strapi.config.get(`plugin::${PLUGIN}`) as { gallery?: { public?: boolean } };
  if (config?.gallery?.public === false) return;
  if (!strapi.plugin('users-permissions')) return;
  if (await pluginStore(strapi).get({ key: 'public-access-granted' })) return;
  const publicRole = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'public' } });
  if (publicRole) return grantPublicTo(strapi, publicRole);
  const unsubscribe = strapi.db.lifecycles.subscribe({
    models: ['plugin::users-permissions.role'],
    async afterCreate(event: any) {
      if (event.result?.type !== 'public') return;
      (unsubscribe as unknown as () => void)();
      const role = event.result;
      setImmediate(() => void grantPublicTo(strapi, role).catch((e) => strapi.log.error(`[product-gallery] ${e.message}`)));
    },
  } as any);
};

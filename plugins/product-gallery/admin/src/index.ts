import type { StrapiApp } from '@strapi/strapi/admin';
import en from './translations/en.json';
import { PluginIcon } from './components/PluginIcon';
import { ReadinessPanel } from './components/ReadinessPanel';
import { PLUGIN_ID } from './pluginId';
import { PERMISSIONS } from './utils/permissions';
import { getTrad, prefixTranslations } from './utils/translations';

const TRANSLATIONS: Record<string, Record<string, string>> = { en };

interface ContentManagerApis {
  addEditViewSidePanel: (panels: unknown[]) => void;
}

export default {
  register(app: StrapiApp) {
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}`,
      icon: PluginIcon,
      intlLabel: { id: getTrad('plugin.name'), defaultMessage: 'Product Gallery' },
      permissions: PERMISSIONS.read,
      Component: () => import('./pages/App').then((mod) => ({ default: mod.App })),
    } as Parameters<StrapiApp['addMenuLink']>[0]);

    app.registerPlugin({
      id: PLUGIN_ID,
      name: 'Product Gallery',
    });
  },

  bootstrap(app: StrapiApp) {
    // The Content Manager's APIs exist once every plugin has registered.
    const cm = app.getPlugin('content-manager') as unknown as { apis?: ContentManagerApis } | undefined;
    cm?.apis?.addEditViewSidePanel([ReadinessPanel]);
  },

  async registerTrads({ locales }: { locales: string[] }) {
    return locales.map((locale) => ({
      data: prefixTranslations(TRANSLATIONS[locale] ?? {}),
      locale,
    }));
  },
};

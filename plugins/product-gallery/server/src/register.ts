import type { Core } from '@strapi/strapi';
import { COMPONENT_CATEGORY, components } from './components';
import { registerDocumentGuards } from './bootstrap/document-guards';
import { registerWriteOwnership } from './bootstrap/write-ownership';
import { registerUnavailableMapping } from './middlewares/unavailable';
import { registerRawBody } from './middlewares/raw-body';
import { registerPublicGalleryStrategy } from './strategies/public-gallery';

const pascal = (s: string) => s.replace(/(^|[-_])(\w)/g, (_m, _d, c: string) => c.toUpperCase());

/**
 * Strapi loads components only from the app's src/components, so a plugin that ships
 * structured fields registers its own before the schema is synced.
 */
const registerComponents = (strapi: Core.Strapi) => {
  const registry = strapi.get('components');
  for (const [key, schema] of Object.entries(components)) {
    const uid = `${COMPONENT_CATEGORY}.${key}`;
    if (registry.get(uid)) continue;
    const copy = JSON.parse(JSON.stringify(schema));
    registry.set(uid, {
      ...copy,
      __schema__: JSON.parse(JSON.stringify(schema)),
      uid,
      category: COMPONENT_CATEGORY,
      modelType: 'component',
      modelName: key,
      globalId: `Component${pascal(COMPONENT_CATEGORY)}${pascal(key)}`,
    });
  }
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  registerComponents(strapi);
  // Ownership first: a refused write is refused before it is validated or analysed.
  registerWriteOwnership(strapi);
  registerDocumentGuards(strapi);
  registerUnavailableMapping(strapi);
  registerRawBody(strapi);
  registerPublicGalleryStrategy(strapi);
};

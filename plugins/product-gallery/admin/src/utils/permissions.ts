import { useMemo } from 'react';
import { useRBAC } from '@strapi/strapi/admin';

const action = (name: string) => ({ action: `plugin::product-gallery.${name}`, subject: null });

/** The plugin's RBAC actions (registered by the server with Strapi's action provider). */
export const PERMISSIONS = {
  read: [action('read')],
  generate: [action('generate')],
  import: [action('import')],
  submit: [action('submit')],
  review: [action('review')],
  publish: [action('publish')],
  briefs: [action('manage-briefs')],
};

const ALL = Object.values(PERMISSIONS).flat();

export interface Can {
  read: boolean;
  generate: boolean;
  import: boolean;
  submit: boolean;
  review: boolean;
  publish: boolean;
  manageBriefs: boolean;
  isLoading: boolean;
}

/** What the signed-in user may do in the plugin: only that is shown or enabled. */
export const useCan = (): Can => {
  const { allowedActions, isLoading } = useRBAC(ALL);
  return useMemo(
    () => ({
      read: Boolean(allowedActions.canRead),
      generate: Boolean(allowedActions.canGenerate),
      import: Boolean(allowedActions.canImport),
      submit: Boolean(allowedActions.canSubmit),
      review: Boolean(allowedActions.canReview),
      publish: Boolean(allowedActions.canPublish),
      manageBriefs: Boolean(allowedActions.canManageBriefs),
      isLoading,
    }),
    [allowedActions, isLoading]
  );
};

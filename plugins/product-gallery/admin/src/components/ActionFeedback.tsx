import { useCallback } from 'react';
import { Alert, Button } from '@strapi/design-system';
import { useNotification } from '@strapi/strapi/admin';
import { useTransition, type AssetView } from '../api';
import { useT } from '../utils/translations';

export type DoneAction = 'approved' | 'approvedOverride' | 'rejected' | 'in_review' | 'published' | 'archived' | 'queued' | 'undone';

/** "Role of Product" for toasts; the role alone when the product is not at hand. */
export const useShotName = () => {
  const t = useT();
  return useCallback(
    (asset: Pick<AssetView, 'role' | 'product'>, productTitle?: string | null) => {
      const role = t(`role.${asset.role}`, asset.role);
      const product = productTitle ?? asset.product?.title;
      return product ? t('toast.what', '{product} ({role})', { role, product }) : role;
    },
    [t]
  );
};

/** A success toast after each action, saying what happened to which shot (errors have their own). */
export const useDoneToast = () => {
  const t = useT();
  const { toggleNotification } = useNotification();
  return useCallback(
    (action: DoneAction, what: string) => {
      const message = {
        approved: t('toast.approved', 'Approved: {what}. It can be published now.', { what }),
        approvedOverride: t('toast.approvedOverride', 'Approved over the checks: {what}. Your reason is recorded and shown on the shot.', { what }),
        rejected: t('toast.rejected', 'Rejected: {what}. Your reason goes into the prompt when it is regenerated.', { what }),
        in_review: t('toast.in_review', 'Sent for review: {what}.', { what }),
        published: t('toast.published', 'Published: {what} is on the storefront.', { what }),
        archived: t('toast.archived', 'Archived: {what} is off the storefront.', { what }),
        queued: t('toast.queued', 'Regenerating {what}.', { what }),
        undone: t('toast.undone', 'Undone: {what} is archived and off the storefront.', { what }),
      }[action];
      toggleNotification({ type: 'success', message });
    },
    [t, toggleNotification]
  );
};

export interface JustPublished {
  /** The asset as the publish returned it (its new version is what the undo moves from). */
  asset: AssetView;
  what: string;
}

/**
 * After a publish, a bar with Undo: the storefront shows the image at once, so a slip must be one
 * click to take back. Undo archives it (published may only move to archived), through the same
 * transition API with the version the publish returned.
 */
export const UndoPublish = ({ published, onClose }: { published: JustPublished | null; onClose: () => void }) => {
  const t = useT();
  const done = useDoneToast();
  const transition = useTransition();
  if (!published) return null;
  const undo = async () => {
    try {
      await transition.mutateAsync({ documentId: published.asset.documentId, to: 'archived', version: published.asset.version });
      done('undone', published.what);
      onClose();
    } catch {
      /* notified */
    }
  };
  return (
    <Alert
      variant="success"
      closeLabel={t('action.close', 'Close')}
      onClose={onClose}
      title={t('undo.title', 'Published')}
      action={
        <Button size="S" variant="secondary" onClick={undo} loading={transition.isLoading} data-testid="undo-publish">
          {t('undo.action', 'Undo')}
        </Button>
      }
      data-testid="published-undo"
    >
      {t('undo.message', '{what} is on the storefront.', { what: published.what })}
    </Alert>
  );
};

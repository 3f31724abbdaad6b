import { Badge, type BadgeProps } from '@strapi/design-system';
import { useT } from '../utils/translations';
import type { AssetStatus } from '../utils/vocabulary';

type Variant = NonNullable<BadgeProps['variant']>;

const VARIANT: Record<AssetStatus | 'missing', Variant> = {
  queued: 'secondary',
  generating: 'secondary',
  draft: 'alternative',
  in_review: 'warning',
  approved: 'primary',
  rejected: 'danger',
  published: 'success',
  archived: 'neutral',
  failed: 'danger',
  missing: 'neutral',
};

export const useStatusLabel = () => {
  const t = useT();
  return (status: AssetStatus | 'missing') => t(`status.${status}`, status.replace('_', ' '));
};

export const StatusBadge = ({ status }: { status: AssetStatus | 'missing' }) => {
  const label = useStatusLabel();
  return (
    <Badge variant={VARIANT[status] ?? 'neutral'} data-status={status}>
      {label(status)}
    </Badge>
  );
};

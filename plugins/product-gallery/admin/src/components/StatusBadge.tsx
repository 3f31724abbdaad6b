import { Badge, Box, Tooltip, Typography, type BadgeProps } from '@strapi/design-system';
import { Check, Cross, Question, WarningCircle } from '@strapi/icons';
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

import type { QcStatus } from '../../../shared/contracts/assets';

export type { QcStatus };

/**
 * QC verdicts, each with its own colour and icon so they read apart at a glance (and without
 * colour): a "cannot verify" is neither a failure nor a warning, it asks a person to decide.
 */
const QC_LOOK: Record<QcStatus, { variant: Variant; Icon: typeof Check }> = {
  pass: { variant: 'success', Icon: Check },
  warn: { variant: 'warning', Icon: WarningCircle },
  unverified: { variant: 'secondary', Icon: Question },
  fail: { variant: 'danger', Icon: Cross },
};

export const useQcStatusLabel = () => {
  const t = useT();
  return (status: QcStatus) =>
    ({
      pass: t('qc.verdict.pass', 'Pass'),
      warn: t('qc.verdict.warn', 'Warning'),
      unverified: t('qc.verdict.unverified', 'Cannot verify'),
      fail: t('qc.verdict.fail', 'Fail'),
    })[status] ?? status;
};

export const QcStatusBadge = ({ status, label, size }: { status: QcStatus; label?: string; size?: 'S' | 'M' }) => {
  const statusLabel = useQcStatusLabel();
  const look = QC_LOOK[status] ?? { variant: 'neutral' as Variant, Icon: Question };
  const { Icon } = look;
  return (
    <Badge variant={look.variant} size={size} data-qc-badge={status}>
      <span style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
        <Icon width="1em" height="1em" aria-hidden focusable={false} />
        {label ?? statusLabel(status)}
      </span>
    </Badge>
  );
};

/** "Approved over the checks", by whom, with the reviewer's written reason: what a card says about an override. */
export const OverrideNote = ({ override, who }: { override: { reason: string; by?: string | null; at?: string | null }; who?: string | null }) => {
  const t = useT();
  const by = who || override.by;
  return (
    <Box padding={2} hasRadius background="warning100" borderColor="warning200" borderStyle="solid" borderWidth="1px" data-testid="approval-override">
      <Typography variant="pi" textColor="warning700" tag="p">
        <strong>{by ? t('override.by', 'Approved over the checks by {who}', { who: by }) : t('override.title', 'Approved over the checks')}</strong>: “{override.reason}”
      </Typography>
    </Box>
  );
};

/**
 * Which image of this shot it is (the first made, or a regeneration): the server counts the
 * history's arrivals in draft (`imageNumber`). The record's own revision (every move bumps it) is only in the
 * tooltip: shown alone it reads like a count of regenerations.
 */
export const ImageNumberBadge = ({ n, version }: { n: number; version: number }) => {
  const t = useT();
  const long = t('shot.imageNumber.long', 'The {n, selectordinal, one {#st} two {#nd} few {#rd} other {#th}} image made for this shot (record revision {version})', { n, version });
  return (
    <Tooltip label={long}>
      <span tabIndex={0} aria-label={long} data-testid="image-number" data-image-number={n}>
        <Badge variant="neutral">{t('shot.imageNumber', 'image {n}', { n })}</Badge>
      </span>
    </Tooltip>
  );
};

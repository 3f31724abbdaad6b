import { Badge, Flex, Tooltip, Typography } from '@strapi/design-system';
import type { QcResult } from '../api';
import { useT } from '../utils/translations';
import { QcStatusBadge, useQcStatusLabel } from './StatusBadge';

export const formatQcValue = (v: unknown): string => {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
};

/** A check id an editor has no name for yet: "fidelity.some-thing" -> "Some thing". */
const humanize = (id: string) => {
  const last = id.split('.').pop() ?? id;
  const words = last.replace(/[-_]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Check ids in words an editor reads (the ids stay machine-facing: data attributes, API). */
export const useQcCheckLabel = () => {
  const t = useT();
  const labels: Record<string, string> = {
    'tech.resolution': t('qc.check.tech.resolution', 'Resolution'),
    'tech.sharpness': t('qc.check.tech.sharpness', 'Sharpness'),
    'tech.srgb': t('qc.check.tech.srgb', 'Colour profile (sRGB)'),
    'tech.blank': t('qc.check.tech.blank', 'Not blank'),
    'tech.format': t('qc.check.tech.format', 'File format'),
    'tech.filesize': t('qc.check.tech.filesize', 'File size'),
    'tech.aspect': t('qc.check.tech.aspect', 'Aspect ratio'),
    'channel.white-background': t('qc.check.channel.white-background', 'White background'),
    'channel.fill': t('qc.check.channel.fill', 'Product fills the frame'),
    'source.cutout': t('qc.check.source.cutout', 'Source cutout'),
    'fidelity.color': t('qc.check.fidelity.color', 'Colour of metal and stones'),
    'fidelity.structure': t('qc.check.fidelity.structure', 'Shape, parts and stones'),
    'fidelity.sharpness': t('qc.check.fidelity.sharpness', 'Detail against the source'),
    'fidelity.scale': t('qc.check.fidelity.scale', 'Size of the product'),
    'fidelity.reference': t('qc.check.fidelity.reference', 'Source to compare with'),
    'fidelity.isolation': t('qc.check.fidelity.isolation', 'Product found in the image'),
    'fidelity.registration': t('qc.check.fidelity.registration', 'Product found in the image'),
  };
  return (id: string) => labels[id] ?? humanize(id);
};

/** A pass with nothing measured is not a pass a reviewer can lean on: say "not measured". */
export const notMeasured = (c: QcResult) => c.status === 'pass' && (c.value === null || c.value === undefined) && (c.threshold === null || c.threshold === undefined);

const Verdict = ({ check, size }: { check: QcResult; size?: 'S' | 'M' }) => {
  const t = useT();
  if (notMeasured(check)) {
    return (
      <Badge variant="neutral" size={size} data-qc-badge="not-measured">
        {t('qc.notMeasured', 'Not measured')}
      </Badge>
    );
  }
  return <QcStatusBadge status={check.status} size={size} />;
};

/** One chip per check that is not a plain pass, with its message on hover; passes are counted. */
export const QcChips = ({ qc }: { qc?: QcResult[] | null }) => {
  const t = useT();
  const label = useQcCheckLabel();
  const statusLabel = useQcStatusLabel();
  if (!qc?.length) {
    return (
      <Typography variant="pi" textColor="neutral500">
        {t('qc.none', 'No checks yet')}
      </Typography>
    );
  }
  const passed = qc.filter((c) => c.status === 'pass' && !notMeasured(c));
  const flagged = qc.filter((c) => c.status !== 'pass');
  return (
    <Flex gap={1} wrap="wrap">
      {passed.length ? (
        <Tooltip label={passed.map((c) => label(c.id)).join(' · ')}>
          <Badge variant="success" data-qc-passed={passed.length} tabIndex={0}>
            {t('qc.passed', '{count} passed', { count: passed.length })}
          </Badge>
        </Tooltip>
      ) : null}
      {flagged.map((check) => (
        <Tooltip key={check.id} label={`${statusLabel(check.status)}: ${check.message ?? label(check.id)}`}>
          <span tabIndex={0} data-qc={check.id} data-qc-status={check.status}>
            <QcStatusBadge status={check.status} label={label(check.id)} />
          </span>
        </Tooltip>
      ))}
    </Flex>
  );
};

const ORDER: Record<string, number> = { fail: 0, unverified: 1, warn: 2, pass: 3 };

/** The checks panel: each check in words, its verdict, and its message (what was measured, in units). */
export const QcTable = ({ qc }: { qc?: QcResult[] | null }) => {
  const t = useT();
  const label = useQcCheckLabel();
  if (!qc?.length) {
    return (
      <Typography variant="pi" textColor="neutral500">
        {t('qc.none', 'No checks yet')}
      </Typography>
    );
  }
  const sorted = [...qc].sort((a, b) => (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9));
  return (
    <Flex direction="column" alignItems="stretch" gap={3}>
      {sorted.map((check) => (
        <Flex key={check.id} direction="column" alignItems="flex-start" gap={1} data-qc-row={check.id} data-qc-status={check.status}>
          <Flex gap={2} wrap="wrap">
            <Verdict check={check} size="S" />
            <Typography variant="omega" fontWeight="semiBold">
              {label(check.id)}
            </Typography>
          </Flex>
          {check.message ? (
            <Typography
              variant="pi"
              textColor={check.status === 'fail' ? 'danger600' : check.status === 'warn' ? 'warning700' : check.status === 'unverified' ? 'secondary700' : 'neutral600'}
            >
              {check.message}
            </Typography>
          ) : null}
        </Flex>
      ))}
    </Flex>
  );
};

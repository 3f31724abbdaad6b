import { Badge, Flex, Tooltip, Typography } from '@strapi/design-system';
import type { QcResult } from '../api';
import { useT } from '../utils/translations';

const VARIANT = { pass: 'success', warn: 'warning', fail: 'danger' } as const;

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

const qcLabel = (id: string) => id.replace(/[-_]/g, ' ');

/** One chip per QC check: pass / warn / fail, with the measured value and threshold on hover. */
export const QcChips = ({ qc }: { qc?: QcResult[] | null }) => {
  const t = useT();
  if (!qc?.length) {
    return (
      <Typography variant="pi" textColor="neutral500">
        {t('qc.none', 'No checks yet')}
      </Typography>
    );
  }
  const passed = qc.filter((c) => c.status === 'pass');
  const flagged = qc.filter((c) => c.status !== 'pass');
  return (
    <Flex gap={1} wrap="wrap">
      {passed.length ? (
        <Tooltip
          label={passed.map((c) => `${qcLabel(c.id)}: ${formatQcValue(c.value)} / ${formatQcValue(c.threshold)}`).join(' · ')}
        >
          <Badge variant="success" data-qc-passed={passed.length} tabIndex={0}>
            {t('qc.passed', '{count} passed', { count: passed.length })}
          </Badge>
        </Tooltip>
      ) : null}
      {flagged.map((check) => (
        <Tooltip
          key={check.id}
          label={t('qc.tooltip', '{value} (threshold {threshold}){message}', {
            value: formatQcValue(check.value),
            threshold: formatQcValue(check.threshold),
            message: check.message ? ` — ${check.message}` : '',
          })}
        >
          <Badge variant={VARIANT[check.status] ?? 'neutral'} data-qc={check.id} data-qc-status={check.status} tabIndex={0}>
            {qcLabel(check.id)}
          </Badge>
        </Tooltip>
      ))}
    </Flex>
  );
};

/** The same checks as a table row list with values, for the review page. */
export const QcTable = ({ qc }: { qc?: QcResult[] | null }) => {
  const t = useT();
  if (!qc?.length) {
    return (
      <Typography variant="pi" textColor="neutral500">
        {t('qc.none', 'No checks yet')}
      </Typography>
    );
  }
  return (
    <Flex direction="column" alignItems="stretch" gap={1}>
      {qc.map((check) => (
        <Flex key={check.id} justifyContent="space-between" gap={2} data-qc-row={check.id}>
          <Flex gap={2}>
            <Badge variant={VARIANT[check.status] ?? 'neutral'}>{t(`qc.status.${check.status}`, check.status)}</Badge>
            <Typography variant="omega">{qcLabel(check.id)}</Typography>
          </Flex>
          <Typography variant="pi" textColor="neutral600">
            {formatQcValue(check.value)} / {formatQcValue(check.threshold)}
          </Typography>
        </Flex>
      ))}
      {qc
        .filter((c) => c.message && c.status !== 'pass')
        .map((c) => (
          <Typography key={`${c.id}-msg`} variant="pi" textColor={c.status === 'fail' ? 'danger600' : 'warning600'}>
            {qcLabel(c.id)}: {c.message}
          </Typography>
        ))}
    </Flex>
  );
};

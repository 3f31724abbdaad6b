import { Badge, Flex, Tooltip, Typography } from '@strapi/design-system';
import type { QcCheck } from '../api';
import { isUnmeasured, useCheckCatalogue } from '../utils/checks';
import { useT } from '../utils/translations';
import { QcStatusBadge, useQcStatusLabel } from './StatusBadge';

/** Check ids in words an editor reads (the ids stay machine-facing: data attributes, API). */
export const useQcCheckLabel = () => useCheckCatalogue().label;

/** A pass that measured nothing (stored before the server said so) is not a pass a reviewer can lean on. */
const passWithoutMeasure = (c: QcCheck) => c.status === 'pass' && isUnmeasured(c);

const Verdict = ({ check, size }: { check: QcCheck; size?: 'S' | 'M' }) => {
  const t = useT();
  if (passWithoutMeasure(check)) {
    return (
      <Badge variant="neutral" size={size} data-qc-badge="not-measured">
        {t('qc.notMeasured', 'Not measured')}
      </Badge>
    );
  }
  return <QcStatusBadge status={check.status} size={size} />;
};

/**
 * One chip per check that is not a plain pass (its name and what it measured against its limit),
 * with what it means for a shopper and the server's sentence on hover; passes are counted.
 * Tooltip triggers are plain elements: the design system's Tooltip hands its trigger a ref.
 */
export const QcChips = ({ qc }: { qc?: QcCheck[] | null }) => {
  const t = useT();
  const { label, meaning, measure } = useCheckCatalogue();
  const statusLabel = useQcStatusLabel();
  if (!qc?.length) {
    return (
      <Typography variant="pi" textColor="neutral500">
        {t('qc.none', 'No checks yet')}
      </Typography>
    );
  }
  const passed = qc.filter((c) => c.status === 'pass' && !passWithoutMeasure(c));
  const flagged = qc.filter((c) => c.status !== 'pass' || passWithoutMeasure(c));
  return (
    <Flex gap={1} wrap="wrap">
      {passed.length ? (
        <Tooltip label={passed.map((c) => `${label(c.id)}: ${measure(c, true)}`).join(' · ')}>
          <span tabIndex={0} data-qc-passed={passed.length}>
            <Badge variant="success">{t('qc.passed', '{count} passed', { count: passed.length })}</Badge>
          </span>
        </Tooltip>
      ) : null}
      {flagged.map((check) => {
        const verdict = passWithoutMeasure(check) ? t('qc.notMeasured', 'Not measured') : statusLabel(check.status);
        const why = [meaning(check.id), check.message].filter(Boolean).join(' ');
        return (
          <Tooltip key={check.id} label={`${verdict}: ${why || label(check.id)}`}>
            <span tabIndex={0} data-qc={check.id} data-qc-status={check.status} data-qc-measured={isUnmeasured(check) ? 'false' : 'true'}>
              {passWithoutMeasure(check) ? (
                <Badge variant="neutral" data-qc-badge="not-measured">
                  {t('qc.chip', '{label} · {measure}', { label: label(check.id), measure: measure(check, true) })}
                </Badge>
              ) : (
                <QcStatusBadge
                  status={check.status}
                  label={t('qc.chip', '{label} · {measure}', { label: label(check.id), measure: measure(check, true) })}
                />
              )}
            </span>
          </Tooltip>
        );
      })}
    </Flex>
  );
};

const ORDER: Record<string, number> = { fail: 0, unverified: 1, warn: 2, pass: 3 };

/** The checks panel: each check in words, its verdict, its measure against its limit, what it means, and the server's sentence. */
export const QcTable = ({ qc }: { qc?: QcCheck[] | null }) => {
  const t = useT();
  const { label, meaning, measure } = useCheckCatalogue();
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
      {sorted.map((check) => {
        const shopper = meaning(check.id);
        return (
          <Flex key={check.id} direction="column" alignItems="flex-start" gap={1} data-qc-row={check.id} data-qc-status={check.status}>
            <Flex gap={2} wrap="wrap">
              <Verdict check={check} size="S" />
              <Typography variant="omega" fontWeight="semiBold">
                {label(check.id)}
              </Typography>
            </Flex>
            <Typography variant="pi" fontWeight="semiBold" textColor="neutral800" data-qc-measure={isUnmeasured(check) ? 'none' : 'value'}>
              {measure(check)}
            </Typography>
            {shopper ? (
              <Typography variant="pi" textColor="neutral600" data-qc-meaning>
                {shopper}
              </Typography>
            ) : null}
            {check.message ? (
              <Typography
                variant="pi"
                textColor={check.status === 'fail' ? 'danger600' : check.status === 'warn' ? 'warning700' : check.status === 'unverified' ? 'secondary700' : 'neutral600'}
              >
                {check.message}
              </Typography>
            ) : null}
          </Flex>
        );
      })}
    </Flex>
  );
};

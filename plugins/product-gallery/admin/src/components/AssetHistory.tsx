import { Box, Flex, Typography } from '@strapi/design-system';
import { useIntl } from 'react-intl';
import type { AuditEvent } from '../api';
import { useT } from '../utils/translations';
import { useStatusLabel } from './StatusBadge';

/** The asset's audit trail, newest first. */
export const AssetHistory = ({ history }: { history: AuditEvent[] }) => {
  const t = useT();
  const status = useStatusLabel();
  const { formatDate } = useIntl();
  if (!history.length) {
    return (
      <Typography variant="pi" textColor="neutral500">
        {t('history.empty', 'No history yet')}
      </Typography>
    );
  }
  const sorted = [...history].sort((a, b) => String(b.at).localeCompare(String(a.at)));
  return (
    <Flex direction="column" alignItems="stretch" gap={2} tag="ol">
      {sorted.map((e, i) => (
        <Box key={e.id ?? i} tag="li" paddingLeft={2} style={{ borderLeft: '2px solid #dcdce4' }}>
          <Typography variant="pi" fontWeight="bold">
            {e.from ? `${status(e.from)} → ${status(e.to)}` : status(e.to)}
          </Typography>
          <Typography variant="pi" textColor="neutral600" tag="div">
            {formatDate(e.at, { dateStyle: 'medium', timeStyle: 'short' })}
            {e.actor ? ` · ${e.actor}` : ''}
            {e.override ? ` · ${t('history.override', 'override')}` : ''}
          </Typography>
          {e.note ? (
            <Typography variant="pi" tag="div">
              “{e.note}”
            </Typography>
          ) : null}
        </Box>
      ))}
    </Flex>
  );
};

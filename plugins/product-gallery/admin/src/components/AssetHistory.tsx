import { Box, Flex, Typography } from '@strapi/design-system';
import { useIntl } from 'react-intl';
import type { AuditEvent, EventActor } from '../api';
import { useT } from '../utils/translations';
import { useStatusLabel } from './StatusBadge';

/** Who made a move, as a person reads it: the admin's name, or the part of the plugin that acted by itself. */
export const useActorLabel = () => {
  const t = useT();
  return (e: EventActor) => {
    if (e.actorName) return e.actorName;
    if (e.system === 'dispatcher') return t('actor.system.dispatcher', 'Dispatcher (automatic)');
    if (e.system) return t('actor.system.other', '{name} (automatic)', { name: e.system.charAt(0).toUpperCase() + e.system.slice(1) });
    return e.actor ?? '';
  };
};

/** The asset's audit trail, newest first. */
export const AssetHistory = ({ history }: { history: AuditEvent[] }) => {
  const t = useT();
  const status = useStatusLabel();
  const actor = useActorLabel();
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
    <Flex direction="column" alignItems="stretch" gap={2} tag="ol" data-testid="asset-history">
      {sorted.map((e, i) => {
        const who = actor(e);
        return (
          <Box key={i} tag="li" paddingLeft={2} style={{ borderLeft: '2px solid #dcdce4' }}>
            <Typography variant="pi" fontWeight="bold">
              {e.from ? `${status(e.from)} → ${status(e.to)}` : status(e.to)}
            </Typography>
            <Typography variant="pi" textColor="neutral600" tag="div" data-history-actor={who}>
              {formatDate(e.at, { dateStyle: 'medium', timeStyle: 'short' })}
              {who ? ` · ${who}` : ''}
              {e.override ? ` · ${t('history.override', 'override')}` : ''}
            </Typography>
            {e.note ? (
              <Typography variant="pi" tag="div">
                “{e.note}”
              </Typography>
            ) : null}
          </Box>
        );
      })}
    </Flex>
  );
};

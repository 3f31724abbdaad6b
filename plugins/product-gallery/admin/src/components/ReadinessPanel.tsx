import { Box, Flex, LinkButton, Typography } from '@strapi/design-system';
import { Link } from 'react-router-dom';
import { useReadiness } from '../api';
import { useCan } from '../utils/permissions';
import { getTrad, useT } from '../utils/translations';
import { paths } from '../utils/urls';
import { PRODUCT_UID } from '../utils/vocabulary';
import { SlotCell } from './SlotCell';

interface PanelProps {
  model: string;
  documentId?: string;
  document?: Record<string, unknown>;
}

const PanelContent = ({ documentId }: { documentId: string }) => {
  const t = useT();
  const readiness = useReadiness(documentId);
  if (readiness.isLoading) {
    return (
      <Typography variant="pi" textColor="neutral600">
        {t('panel.loading', 'Loading readiness…')}
      </Typography>
    );
  }
  const data = readiness.data;
  const published = data?.slots.filter((s) => s.state === 'published').length ?? 0;
  return (
    <Flex direction="column" alignItems="stretch" gap={3} width="100%" data-testid="pg-readiness-panel">
      {data ? (
        <>
          <Typography variant="omega" fontWeight="semiBold">
            {t('panel.summary', '{published} of {total} slots published', { published, total: data.slots.length })}
          </Typography>
          <Flex direction="column" alignItems="stretch" gap={1}>
            {data.slots.map((s) => (
              <Flex key={s.slot} justifyContent="space-between" gap={2}>
                <Typography variant="pi">{t(`slot.${s.slot}`, s.slot)}</Typography>
                <SlotCell state={s.state} compact />
              </Flex>
            ))}
          </Flex>
        </>
      ) : (
        <Typography variant="pi" textColor="danger600">
          {t('panel.error', 'Readiness is unavailable')}
        </Typography>
      )}
      <Box>
        <LinkButton tag={Link} to={paths.product(documentId)} variant="secondary" fullWidth>
          {t('panel.open', 'Open gallery workspace')}
        </LinkButton>
      </Box>
    </Flex>
  );
};

/** Content Manager edit view side panel for products: readiness and a link to the workspace. */
export const ReadinessPanel = ({ model, documentId }: PanelProps) => {
  const can = useCan();
  const t = useT();
  if (model !== PRODUCT_UID || !documentId || !can.read) return null;
  return {
    title: t('panel.title', 'Product gallery'),
    content: <PanelContent documentId={documentId} />,
  };
};
ReadinessPanel.type = 'product-gallery-readiness';
export const readinessPanelTitleId = getTrad('panel.title');

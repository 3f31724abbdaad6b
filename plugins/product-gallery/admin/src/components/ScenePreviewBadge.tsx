import { Badge } from '@strapi/design-system';
import { useT } from '../utils/translations';

/**
 * A local composite on a drawn scene: shown to an editor as a preview of scale, never mistaken for
 * a photograph (it fills the page only where the brief's role allows scene previews).
 */
export const ScenePreviewBadge = ({ show }: { show: boolean }) => {
  const t = useT();
  if (!show) return null;
  return (
    <Badge variant="warning" size="S" data-scene-preview>
      {t('asset.scenePreview', 'Scene preview')}
    </Badge>
  );
};

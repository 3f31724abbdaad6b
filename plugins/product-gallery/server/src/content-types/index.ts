import product from './product';
import categoryBrief from './category-brief';
import imageAsset from './image-asset';
import auditEvent from './audit-event';

export default {
  product,
  'category-brief': categoryBrief,
  'image-asset': imageAsset,
  'audit-event': auditEvent,
};

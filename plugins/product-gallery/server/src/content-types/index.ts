import product from './product';
import categoryBrief from './category-brief';
import imageAsset from './image-asset';
import auditEvent from './audit-event';
import webhookDelivery from './webhook-delivery';
import dispatcherLock from './dispatcher-lock';
import gallerySnapshot from './gallery-snapshot';

export default {
  product,
  'category-brief': categoryBrief,
  'image-asset': imageAsset,
  'audit-event': auditEvent,
  'webhook-delivery': webhookDelivery,
  'dispatcher-lock': dispatcherLock,
  'gallery-snapshot': gallerySnapshot,
};

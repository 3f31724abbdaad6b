import assets from './assets';
import briefs from './briefs';
import gallery from './gallery';
import products from './products';
import generation from './generation';
import replicateWebhook from './replicate-webhook';
import reference from './reference';
import difference from './difference';

export default {
  assets,
  briefs,
  gallery,
  products,
  generation,
  'replicate-webhook': replicateWebhook,
  reference,
  difference,
};

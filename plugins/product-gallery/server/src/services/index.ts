import assets from './assets';
import events from './events';
import gallery from './gallery';
import gallerySource from './gallery-source';
import gallerySnapshots from './gallery-snapshots';
import pack from './pack';
import readiness from './readiness';
import briefs from './briefs';
import workflow from './workflow';
import pipeline from './pipeline';
import media from './media';
import products from './products';
import candidates from './candidates';
import planner from './planner';
import generation from './generation';
import dispatch from './dispatch';
import reference from './reference';
import difference from './difference';
import models from './models';
import upscale from './upscale';
import webhookSecret from './webhook-secret';
import costs from './costs';
import limits from './limits';
import webhookDeliveries from './webhook-deliveries';

export default {
  assets,
  events,
  gallery,
  gallerySource,
  gallerySnapshots,
  pack,
  readiness,
  briefs,
  workflow,
  pipeline,
  media,
  products,
  candidates,
  planner,
  generation,
  dispatch,
  reference,
  difference,
  models,
  upscale,
  webhookSecret,
  costs,
  limits,
  webhookDeliveries,
};

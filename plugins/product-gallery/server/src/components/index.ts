import stone from './stone.json';
import dimensions from './dimensions.json';
import roleSpec from './role-spec.json';
import slotRule from './slot-rule.json';

/** Components the plugin's content types use, registered under the `product-gallery` category. */
export const components = {
  stone,
  dimensions,
  'role-spec': roleSpec,
  'slot-rule': slotRule,
} as const;

export const COMPONENT_CATEGORY = 'product-gallery';

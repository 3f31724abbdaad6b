import canTransition from './can-transition';
import generationLimits from './generation-limits';

export default {
  'can-transition': canTransition,
  'generation-limits': generationLimits,
};

import briefs from './briefs';

export default {
  briefs,
};

import { Images } from '@strapi/icons';

export const PluginIcon = () => <Images />;

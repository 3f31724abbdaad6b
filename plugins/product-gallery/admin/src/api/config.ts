/** What the plugin's server is configured with (Replicate, channels, intake limits). */
import { useQuery } from 'react-query';
import { useFetchClient } from '@strapi/strapi/admin';
import { BASE } from './client';
import { keys } from './keys';
import type { PluginConfig } from './types';

export const useConfig = () => {
  const { get } = useFetchClient();
  return useQuery(keys.config, async () => (await get<{ data: PluginConfig }>(`${BASE}/config`)).data.data, {
    retry: false,
    staleTime: 60_000,
  });
};

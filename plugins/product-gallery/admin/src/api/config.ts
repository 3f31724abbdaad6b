/** What the plugin's server is configured with (Replicate, channels, intake limits). */
import { useQuery } from 'react-query';
import { useFetchClient } from '@strapi/strapi/admin';
import { unwrap, BASE } from './client';
import { keys } from './keys';
import type { PluginConfig } from './types';

export const useConfig = () => {
  const { get } = useFetchClient();
  return useQuery(
    keys.config,
    async () => {
      const d = unwrap((await get<any>(`${BASE}/config`)).data) ?? {};
      return { replicateConfigured: Boolean(d.replicateConfigured), channels: d.channels ?? [], intake: d.intake ?? null } as PluginConfig;
    },
    { retry: false, staleTime: 60_000 }
  );
};

import { useCallback } from 'react';
import { useIntl } from 'react-intl';
import { PLUGIN_ID } from '../pluginId';

/** Every message id of this plugin is prefixed with the plugin id. */
export const getTrad = (id: string) => `${PLUGIN_ID}.${id}`;

export const prefixTranslations = (trad: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(trad).map(([key, value]) => [getTrad(key), value]));

type Values = Record<string, string | number | boolean | null | undefined | Date>;

/** `t(id, defaultMessage, values)`: formatMessage with the plugin prefix. */
export const useT = () => {
  const { formatMessage } = useIntl();
  return useCallback(
    (id: string, defaultMessage: string, values?: Values) =>
      formatMessage({ id: getTrad(id), defaultMessage }, values as Record<string, string>),
    [formatMessage]
  );
};

export type T = ReturnType<typeof useT>;

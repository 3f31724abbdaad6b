/**
 * The fetch side every resource module shares: Strapi's fetch client (admin JWT, token refresh)
 * behind /product-gallery, and errors shown as notifications carrying the server's message.
 */
import { useCallback } from 'react';
import { useNotification } from '@strapi/strapi/admin';
import { serverMessage } from '../utils/errors';
import { fieldProblems } from '../utils/field-errors';

export type AnyRecord = Record<string, any>;

export const BASE = '/product-gallery';

/** Shows a server error as a notification with the server's own message. */
export const useNotifyError = () => {
  const { toggleNotification } = useNotification();
  return useCallback(
    (error: unknown) => toggleNotification({ type: 'danger', message: serverMessage(error) }),
    [toggleNotification]
  );
};

export const clean = (params: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== '' && v !== null && v !== false));

/**
 * `placesFieldErrors`: the caller shows a 400's field problems beside its fields (and its own
 * summary), so only other failures are toasted here.
 */
export const useFormErrorNotice = (placesFieldErrors: boolean) => {
  const notify = useNotifyError();
  return useCallback((error: unknown) => (placesFieldErrors && fieldProblems(error).length ? undefined : notify(error)), [notify, placesFieldErrors]);
};

import { ReplicateError } from '../../plugins/product-gallery/server/src/replicate';

/** The ReplicateError a call ends with; the test fails if it succeeds or ends with anything else. */
export const replicateErrorOf = async (p: Promise<unknown>): Promise<ReplicateError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ReplicateError);
  return e as ReplicateError;
};

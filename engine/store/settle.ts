/**
 * A synchronous operation as an asynchronous one: it runs at once and its
 * promise settles with the result, or rejects with the error it threw
 * (never throws at the call), as the asynchronous store contract expects
 * of every operation (decision 0020).
 */
export function settle<A extends unknown[], R>(
  operation: (...args: A) => R,
): (...args: A) => Promise<R> {
  return (...args: A): Promise<R> => {
    try {
      return Promise.resolve(operation(...args));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

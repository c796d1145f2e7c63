import { ProviderException } from '../providers.exception';

/** The ProviderException a promise rejects with (any other outcome fails the spec). */
export async function caught(promise: Promise<unknown>): Promise<ProviderException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderException) return error;
    throw error;
  }
  throw new Error('expected a ProviderException');
}

/** The ProviderException a synchronous call throws (any other outcome fails the spec). */
export function thrown(fn: () => unknown): ProviderException {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProviderException) return error;
    throw error;
  }
  throw new Error('expected a ProviderException');
}

/**
 * Why a runtime driver could not do what it was allowed to do:
 * - `unreachable`: the Docker daemon / process supervisor did not answer;
 * - `not_found`: no container or process for the service;
 * - `unauthorized`: the process supervisor refused our control token;
 * - `timeout`: no answer within the driver's limit;
 * - `failed`: the runtime answered with an error.
 */
export type RuntimeDriverErrorCode =
  'unreachable' | 'not_found' | 'unauthorized' | 'timeout' | 'failed';

export class RuntimeDriverError extends Error {
  override readonly name = 'RuntimeDriverError';

  constructor(
    readonly driver: 'docker' | 'process',
    readonly code: RuntimeDriverErrorCode,
    message: string,
  ) {
    super(message);
  }
}

import { type ArgumentsHost, Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Hands a bus handler's error to the consumer loop unchanged. Nest's default RPC filter turns
 * every non-RpcException into `{ status: 'error', message: 'Internal server error' }`, which
 * would make a PermanentError look transient (redelivered until max_deliver instead of
 * dead-lettered at once). Applied by @OnBusEvent to each handler.
 */
@Catch()
export class BusErrorPassthrough implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
} from '@nestjs/common';
import { isLoopbackHostname } from '@opscrew/integrations';
import { type Request } from 'express';

/**
 * Mutating endpoints answer callers on this machine only. The agents listen
 * on 127.0.0.1 anyway; this holds even if `http.host` is opened up. The
 * bearer token (ApiTokenGuard) is checked after it: both must pass.
 */
@Injectable()
export class LoopbackOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const address = request.socket.remoteAddress ?? '';
    if (!isLoopbackHostname(address))
      throw new ForbiddenException(
        `scenarios can only be run from this machine (caller ${address || 'unknown'})`,
      );
    return true;
  }
}

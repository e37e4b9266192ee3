import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { type Request } from 'express';

/** `Authorization: Bearer <token>` (RFC 6750: the scheme is case-insensitive). */
const BEARER = /^Bearer[ ]+(\S+)\s*$/i;

/**
 * Whether `header` carries exactly `expected` as a bearer token. Both sides are
 * hashed first, so the comparison takes the same time whatever the length or
 * the first differing character of a guess (timingSafeEqual needs equal lengths).
 */
export function bearerTokenMatches(header: string | undefined, expected: string): boolean {
  const match = header === undefined ? null : BEARER.exec(header);
  const given = match?.[1];
  if (given === undefined || expected === '') return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Mutating REST endpoints need `Authorization: Bearer <http.api_token>`
 * (DESIGN.md "Security": authentication). A missing or wrong token is a 401
 * naming what to send; an agent without a configured token refuses every call
 * rather than running unauthenticated.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly token: string | undefined;

  constructor(@Inject(LOADED_CONFIG) loaded: LoadedConfig) {
    this.token = loaded.config.http.api_token;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const where = `${request.method} ${request.path}`;
    if (this.token === undefined)
      throw new UnauthorizedException(
        `${where}: this agent has no http.api_token configured, so its mutating endpoints are disabled (add http: { api_token: '\${OPSCREW_API_TOKEN}' } to the config and the token to .env)`,
      );
    const header = request.headers.authorization;
    if (header === undefined || header === '')
      throw new UnauthorizedException(
        `${where}: missing "Authorization: Bearer <token>" header (the token is http.api_token, OPSCREW_API_TOKEN)`,
      );
    if (!bearerTokenMatches(header, this.token))
      throw new UnauthorizedException(
        `${where}: invalid bearer token (expected "Authorization: Bearer <http.api_token>")`,
      );
    return true;
  }
}

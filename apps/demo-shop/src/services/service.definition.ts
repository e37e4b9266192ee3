import { type IncomingHttpHeaders } from 'node:http';
import { type FlagValue } from '../flags/flagd-file.parser';
import { type ShopFlagName } from '../flags/shop-flags';
import { type DependencyClient } from '../http/dependency.client';
import { type Reply } from '../http/http-reply';
import { type ServiceLog } from '../runtime/service.log';
import { type ShopServiceName } from '../shop-service.profiles';

/** One request as a route handler sees it. */
export interface RequestContext {
  readonly method: string;
  /** The matched pattern (`/product/:id`). */
  readonly route: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The JSON or form body as an object (`{}` when empty). */
  readonly body: () => Promise<Record<string, unknown>>;
}

export type RouteHandler = (ctx: RequestContext) => Promise<Reply>;

export interface ServiceRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly pattern: string;
  readonly handle: RouteHandler;
}

/** A shop service: its routes and, optionally, a flag-driven readiness failure. */
export interface ShopService {
  readonly routes: readonly ServiceRoute[];
  /** Why the service reports itself unready (a flag), or null when it is fine. */
  unhealthyReason?(): string | null;
}

/** Reads the current value of a shop flag. */
export interface FlagReader {
  value(name: ShopFlagName): FlagValue | undefined;
}

/** What a service is built from. */
export interface ServiceRuntime {
  readonly name: ShopServiceName;
  readonly flags: FlagReader;
  readonly log: ServiceLog;
  /** The client of a dependency this service was given an URL for; throws otherwise. */
  dependency(name: ShopServiceName): DependencyClient;
  /** Uniform [0, 1): injectable so a test decides which call fails. */
  readonly random: () => number;
}

export type ShopServiceFactory = (runtime: ServiceRuntime) => ShopService;

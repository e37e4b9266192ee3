import { type FlagValue } from '../flags/flagd-file.parser';
import { type ShopFlagName } from '../flags/shop-flags';
import { type CallOptions, DependencyClient } from '../http/dependency.client';
import { HttpError, type Reply } from '../http/http-reply';
import { RouteTable } from '../http/route.table';
import { ServiceLog } from '../runtime/service.log';
import {
  type RequestContext,
  type RouteHandler,
  type ServiceRuntime,
  type ShopService,
} from '../services/service.definition';
import { type ShopServiceName } from '../shop-service.profiles';

export interface DependencyCall {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

/** A dependency answered by a function: return the body, or throw a DependencyError. */
export class FakeDependency extends DependencyClient {
  readonly calls: DependencyCall[] = [];

  constructor(
    name: string,
    private readonly answer: (call: DependencyCall) => unknown,
  ) {
    super(name, 'http://127.0.0.1:9');
  }

  override get<T>(path: string, options: CallOptions): Promise<T> {
    return this.respond<T>('GET', path, options);
  }

  override post<T>(path: string, options: CallOptions): Promise<T> {
    return this.respond<T>('POST', path, options);
  }

  override delete<T>(path: string, options: CallOptions): Promise<T> {
    return this.respond<T>('DELETE', path, options);
  }

  private async respond<T>(method: string, path: string, options: CallOptions): Promise<T> {
    const call = { method, path, body: options.body };
    this.calls.push(call);
    await Promise.resolve();
    return this.answer(call) as T;
  }
}

export interface FakeRuntime extends ServiceRuntime {
  readonly lines: string[];
  setFlag(name: ShopFlagName, value: FlagValue | undefined): void;
}

/** A service runtime with settable flags, a captured log and the given dependencies. */
export function fakeRuntime(
  name: ShopServiceName,
  options: {
    dependencies?: Partial<Record<ShopServiceName, DependencyClient>>;
    random?: () => number;
  } = {},
): FakeRuntime {
  const flags = new Map<ShopFlagName, FlagValue | undefined>();
  const lines: string[] = [];
  return {
    name,
    lines,
    log: new ServiceLog(name, (_level, line) => lines.push(line)),
    flags: { value: (flag) => flags.get(flag) },
    setFlag: (flag, value) => flags.set(flag, value),
    random: options.random ?? (() => 0.5),
    dependency: (dependency) => {
      const client = options.dependencies?.[dependency];
      if (client === undefined) throw new Error(`no fake for ${dependency}`);
      return client;
    },
  };
}

/**
 * Calls a service's route as the server would (pattern matching included);
 * an HttpError becomes its reply, anything else is thrown.
 */
export async function invoke(
  service: ShopService,
  method: string,
  target: string,
  options: { body?: Record<string, unknown>; cookie?: string } = {},
): Promise<Reply> {
  const table = new RouteTable<RouteHandler>();
  for (const route of service.routes) table.add(route.method, route.pattern, route.handle);
  const url = new URL(target, 'http://shop.invalid');
  const lookup = table.lookup(method, url.pathname);
  if (lookup.kind !== 'found') throw new Error(`${method} ${target}: ${lookup.kind}`);
  const ctx: RequestContext = {
    method,
    route: lookup.route,
    params: lookup.params,
    query: url.searchParams,
    headers: options.cookie === undefined ? {} : { cookie: options.cookie },
    body: () => Promise.resolve(options.body ?? {}),
  };
  try {
    return await lookup.handler(ctx);
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, body: { error: error.message } };
    throw error;
  }
}

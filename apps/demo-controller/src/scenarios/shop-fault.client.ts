import { Inject, Injectable, Optional } from '@nestjs/common';
import { errorMessage } from '@opscrew/contracts';
import { type HttpFetch } from '@opscrew/integrations';
import { HTTP_FETCH, SHOP_TOKEN } from '../demo-controller.tokens';
import { type FaultTarget } from './scenario.catalog';
import { ScenarioSetupError } from './scenario.errors';

/**
 * The shop's fault API answers in milliseconds; 5 s means the service is
 * hung or gone, which the caller must hear about rather than wait on.
 */
const FAULT_API_TIMEOUT_MS = 5_000;
/** Enough of an error body to quote the shop's reason. */
const EXCERPT_CHARS = 300;

/**
 * The demo shop's restart-curable faults, per service:
 * `POST <origin>/faults/<fault>` arms one, `DELETE <origin>/faults` clears
 * all; both need `Authorization: Bearer <shop token>` (the supervisor's).
 */
@Injectable()
export class ShopFaultClient {
  private readonly http: HttpFetch;

  constructor(
    @Inject(SHOP_TOKEN) private readonly token: string | null,
    @Optional() @Inject(HTTP_FETCH) http?: HttpFetch,
  ) {
    this.http = http ?? ((url, init) => fetch(url, init));
  }

  inject(target: FaultTarget, fault: string): Promise<void> {
    return this.call('POST', `${target.base_url}/faults/${encodeURIComponent(fault)}`, target);
  }

  clear(target: FaultTarget): Promise<void> {
    return this.call('DELETE', `${target.base_url}/faults`, target);
  }

  private async call(method: 'POST' | 'DELETE', url: string, target: FaultTarget): Promise<void> {
    if (this.token === null || this.token === '')
      throw new ScenarioSetupError(
        `fault API of ${target.service}: no shop token (integrations.runtime.process.token, i.e. \${OPSCREW_SHOP_TOKEN})`,
      );
    let response: Response;
    try {
      response = await this.http(url, {
        method,
        headers: { authorization: `Bearer ${this.token}` },
        signal: AbortSignal.timeout(FAULT_API_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ScenarioSetupError(
        `fault API of ${target.service}: ${method} ${url} failed (${describe(error)}); is the demo shop running?`,
      );
    }
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    const text = (await response.text().catch(() => '')).slice(0, EXCERPT_CHARS);
    const hint =
      response.status === 401
        ? ' (the shop refused the token: OPSCREW_SHOP_TOKEN must be the one the shop was started with)'
        : '';
    throw new ScenarioSetupError(
      `fault API of ${target.service}: ${method} ${url} answered ${response.status}${hint}: ${text}`,
    );
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return (error as Error).name === 'TimeoutError'
    ? `no answer within ${FAULT_API_TIMEOUT_MS} ms`
    : errorMessage(error);
}

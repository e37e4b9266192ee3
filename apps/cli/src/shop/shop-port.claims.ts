import { type PortClaim } from '@opscrew/integrations';
import { listenAddress, SHOP_SERVICE_NAMES, type ShopOptions } from '../../../demo-shop/src';

/**
 * The ports the shop is about to listen on — each service where it is
 * scraped, the supervisor where it is controlled — each with the config key
 * that moves it, for assertPortsFree. `where` names the configuration
 * (its folder), so the user knows which file to edit.
 */
export function shopPortClaims(options: ShopOptions, where: string): PortClaim[] {
  return [
    ...SHOP_SERVICE_NAMES.map((name) => ({
      ...listenAddress(options.endpoints[name]),
      owner: `shop ${name}`,
      moveWith: `set integrations.metrics.scrape.targets.${name} (${where})`,
    })),
    {
      host: options.control.host,
      port: options.control.port,
      owner: 'shop supervisor control API',
      moveWith: `set integrations.runtime.process.control_url (${where})`,
    },
  ];
}

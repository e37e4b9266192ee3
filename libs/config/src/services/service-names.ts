import { type ServicesConfig } from '../schema/services.schema';

/**
 * The configured name of a watched service given by its name or one of its aliases
 * (`cartservice` → `cart`, as OTel demo 1.x reports it); undefined for anything else.
 */
export function resolveServiceName(services: ServicesConfig, name: string): string | undefined {
  if (services.watched.has(name)) return name;
  for (const [canonical, service] of services.watched)
    if (service.aliases.includes(name)) return canonical;
  return undefined;
}

/** The watched services with their aliases, for an error message: `frontend, cart (cartservice), …`. */
export function describeWatchedServices(services: ServicesConfig): string {
  return [...services.watched]
    .map(([name, service]) =>
      service.aliases.length > 0 ? `${name} (${service.aliases.join(', ')})` : name,
    )
    .join(', ');
}

import { type OpscrewConfig } from '@opscrew/config';

/**
 * The services this deployment's metrics source is expected to cover: the
 * scrape targets for direct scraping (the embedded demo), every watched
 * service for a query API (Prometheus, SigNoz) that sees them all.
 */
export function monitoredServices(
  config: Pick<OpscrewConfig, 'integrations' | 'services'>,
): string[] {
  const metrics = config.integrations.metrics;
  if (metrics.source === 'scrape') return Object.keys(metrics.scrape?.targets ?? {});
  return [...config.services.watched.keys()];
}

import { type Provider } from '@nestjs/common';
import { type LoadedConfig } from '@opscrew/config';
import { KV_BUCKETS, LeaseRecord, OutboxItemRecord } from '@opscrew/contracts';
import { KvFactory } from '@opscrew/messaging';
import { IncidentTicketLookup } from './incident-tickets.lookup';
import { RecentReports } from './recent-reports.ring';
import { STATUS_LOCK_STORE, StatusModelService } from './status-model.service';
import { type ReportsSource, STATUS_REPORTS } from './status-sources';

/**
 * The status page's providers for AtlasModule: the model service, the buckets it reads, and
 * the default report source (the in-memory ring ReportWriter fills). STATUS_SILENCES and
 * STATUS_SLOS are not provided here: their modules provide them (until then: "not configured").
 */
export function statusProviders(loaded: LoadedConfig): Provider[] {
  const jira =
    loaded.config.integrations.tracker.kind === 'jira'
      ? (loaded.config.integrations.jira?.base_url ?? null)
      : null;
  return [
    { provide: RecentReports, useFactory: () => new RecentReports() },
    {
      provide: STATUS_REPORTS,
      inject: [RecentReports],
      useFactory:
        (recent: RecentReports): ReportsSource =>
        () =>
          Promise.resolve(recent.list()),
    },
    {
      provide: STATUS_LOCK_STORE,
      inject: [KvFactory],
      useFactory: (factory: KvFactory) => factory.open(KV_BUCKETS.locks, { class: LeaseRecord }),
    },
    {
      provide: IncidentTicketLookup,
      inject: [KvFactory],
      useFactory: async (factory: KvFactory) =>
        new IncidentTicketLookup(
          await factory.open(KV_BUCKETS.outbox, { class: OutboxItemRecord }),
          jira,
        ),
    },
    StatusModelService,
  ];
}

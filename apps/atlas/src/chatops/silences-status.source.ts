import { type Provider } from '@nestjs/common';
import { SilenceStore } from '@opscrew/messaging';
import { type SilencesSource, type SilenceView, STATUS_SILENCES } from '../status/status-sources';

/** The status page's silences: the windows in force now, who opened them and why. */
export const silencesStatusSource: Provider = {
  provide: STATUS_SILENCES,
  inject: [SilenceStore],
  useFactory:
    (store: SilenceStore): SilencesSource =>
    async () =>
      (await store.active()).map((silence): SilenceView => ({
        service: silence.service,
        until: silence.until,
        ...(silence.reason !== undefined ? { reason: silence.reason } : {}),
        by: `${silence.by.name} (${silence.by.via})`,
      })),
};

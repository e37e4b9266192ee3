import { Module } from '@nestjs/common';
import { CapacityHistoryRecord, KV_BUCKETS } from '@opscrew/contracts';
import { KvFactory } from '@opscrew/messaging';
import {
  CAPACITY_FORECAST_SUMMARY,
  CAPACITY_HISTORY_KV,
  CapacityForecaster,
} from './capacity-forecaster';

/**
 * The capacity forecast for an agent that reads the `capacity` bucket (atlas: GET /forecast;
 * demo-controller: the weekly report's Capacity section). Its bus user needs a read grant on
 * the bucket (bus-permissions.ts).
 */
@Module({
  providers: [
    {
      provide: CAPACITY_HISTORY_KV,
      inject: [KvFactory],
      useFactory: (kv: KvFactory) => kv.open(KV_BUCKETS.capacity, { class: CapacityHistoryRecord }),
    },
    CapacityForecaster,
    { provide: CAPACITY_FORECAST_SUMMARY, useExisting: CapacityForecaster },
  ],
  exports: [CapacityForecaster, CAPACITY_FORECAST_SUMMARY],
})
export class CapacityForecastModule {}

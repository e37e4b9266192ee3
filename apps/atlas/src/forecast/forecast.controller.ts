import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { CapacityForecaster, type CapacityReport } from '@opscrew/agent-core';
import { SERVICE_NAME_MAX_LENGTH, SERVICE_NAME_PATTERN } from '@opscrew/contracts';

/**
 * `GET /forecast` (issue 11): per service and metric (CPU %, memory %, request rate) the points
 * and span used, the smoothed level and trend per day, forecasts at +7/+14/+30 days with their
 * interval, the time to the threshold with its band — or why there is none (too little data,
 * flat or declining, no significant trend) — and one sentence for a human. `?service=cart`
 * narrows it to one service; a malformed name is a 400.
 */
@Controller('forecast')
export class ForecastController {
  constructor(private readonly forecaster: CapacityForecaster) {}

  @Get()
  async forecast(@Query('service') service?: unknown): Promise<CapacityReport> {
    if (
      service !== undefined &&
      (typeof service !== 'string' ||
        service.length > SERVICE_NAME_MAX_LENGTH ||
        !SERVICE_NAME_PATTERN.test(service))
    ) {
      throw new BadRequestException(
        `service: must be one service name (letters, digits, "_", "." or "-"), got ${JSON.stringify(service)}`,
      );
    }
    return this.forecaster.report(service);
  }
}

import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiTokenGuard } from '@opscrew/agent-core';
import { type AlertmanagerAnswer, AlertmanagerIntake } from './alertmanager-intake.service';
import { AlertmanagerPayloadPipe } from './alertmanager-payload.pipe';
import { type AlertmanagerWebhookDto } from './alertmanager-webhook.dto';

/**
 * `POST /alerts/alertmanager`: Prometheus Alertmanager's webhook receiver. Bearer token like
 * every mutating endpoint (`http_config.authorization.credentials` in Alertmanager); 200 with
 * what was reported and what was rejected once JetStream stored every report; 400 naming the
 * field for a malformed body; 503 (Alertmanager retries) when the bus did not acknowledge.
 */
@Controller('alerts')
export class AlertmanagerController {
  constructor(private readonly intake: AlertmanagerIntake) {}

  @Post('alertmanager')
  @HttpCode(200)
  @UseGuards(ApiTokenGuard)
  receive(
    // Readonly<…>: a mapped type, so the global ValidationPipe (unknown keys refused) skips it.
    @Body(new AlertmanagerPayloadPipe()) payload: Readonly<AlertmanagerWebhookDto>,
  ): Promise<AlertmanagerAnswer> {
    return this.intake.receive(payload);
  }
}

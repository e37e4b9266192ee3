import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { type CommandRestartEvent } from '@opscrew/contracts';
import { OnBusEvent } from '@opscrew/messaging';
import { MANUAL_RESTART } from '../jira-resolver.tokens';
import { type ManualRestart } from './manual-restart.service';

/**
 * Commands from humans (ChatOps) on the JetStream transport. The answer is published by the
 * use case (command.result); a throw before the run is claimed redelivers the command, after
 * that a redelivery only repeats the answer.
 */
@Controller()
export class CommandController {
  constructor(@Inject(MANUAL_RESTART) private readonly restart: ManualRestart) {}

  /** `/restart <service>`: through the runbook restart's guardrails, audited with the human. */
  @OnBusEvent('jira-resolver-commands')
  async restartRequested(@Payload() event: CommandRestartEvent): Promise<void> {
    await this.restart.handle(event);
  }
}

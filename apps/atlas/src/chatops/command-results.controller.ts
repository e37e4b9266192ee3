import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { type CommandResultEvent } from '@opscrew/contracts';
import { OnBusEvent } from '@opscrew/messaging';
import { CommandResults } from './command-results.service';

/** `command.result` on the JetStream transport: handed to the ChatOps reply waiting for it. */
@Controller()
export class CommandResultsController {
  constructor(private readonly results: CommandResults) {}

  /** Acked whether or not a reply waits (another replica's request, a timed-out wait). */
  @OnBusEvent('atlas-command-results')
  received(@Payload() event: CommandResultEvent): void {
    this.results.deliver(event);
  }
}

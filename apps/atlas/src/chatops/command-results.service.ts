import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type CommandResultEvent } from '@opscrew/contracts';

interface Waiter {
  readonly resolve: (result: CommandResultEvent | null) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * ChatOps replies waiting for their `command.result`, by request id. A waiter is registered
 * before its command is published (an answer can never arrive first and be lost); a result
 * nobody waits for (another atlas replica asked, or the wait timed out) is dropped — the audit
 * trail has it.
 */
@Injectable()
export class CommandResults implements OnModuleDestroy {
  private readonly waiting = new Map<string, Waiter>();

  /**
   * Resolves with the result of `requestId`, or null after `timeoutMs`. Call before publishing
   * the command; one waiter per request id.
   */
  wait(requestId: string, timeoutMs: number): Promise<CommandResultEvent | null> {
    if (this.waiting.has(requestId))
      throw new Error(`command results: request ${requestId} is already awaited`);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(requestId, null), timeoutMs);
      this.waiting.set(requestId, { resolve, timer });
    });
  }

  /** A result came (the bus handler): its waiter, if any, gets it. True when one did. */
  deliver(result: CommandResultEvent): boolean {
    return this.settle(result.request_id, result);
  }

  /** Stops waiting for `requestId` (its command was never sent): the wait resolves with null. */
  cancel(requestId: string): void {
    this.settle(requestId, null);
  }

  /** Requests still waiting (for tests and shutdown). */
  pending(): number {
    return this.waiting.size;
  }

  /** Shutdown: nobody waits forever; each pending reply falls back to "still running". */
  onModuleDestroy(): void {
    for (const requestId of [...this.waiting.keys()]) this.settle(requestId, null);
  }

  private settle(requestId: string, result: CommandResultEvent | null): boolean {
    const waiter = this.waiting.get(requestId);
    if (waiter === undefined) return false;
    this.waiting.delete(requestId);
    clearTimeout(waiter.timer);
    waiter.resolve(result);
    return true;
  }
}

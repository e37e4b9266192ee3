import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import {
  type EventOf,
  type EventPayloads,
  type EventSubject,
  isEventSubject,
} from '@opscrew/contracts';
import { type Observable, throwError } from 'rxjs';
import { type EventPublisher, type PublishResult } from '../event-publisher.service';

/**
 * Emitting onto the bus the Nest way: `client.emit(SUBJECTS.incidentDetected, payload)` builds,
 * validates and publishes the event through EventPublisher, as this process's publisher identity
 * (its subject's last token, which the server's permissions enforce). The returned observable is
 * hot (Nest's emit) and yields the stream sequence. Events only: `send` (request-response) is
 * refused, since the bus has no replies.
 */
export class JetStreamClient extends ClientProxy {
  constructor(private readonly publisher: EventPublisher) {
    super();
  }

  /**
   * `emit` with the payload typed by the subject (Nest's `emit` takes any data; both are checked
   * against the contract at runtime before anything is sent).
   */
  emitEvent<S extends EventSubject>(
    subject: S,
    payload: EventPayloads[S],
  ): Observable<PublishResult<EventOf<S>>> {
    return this.emit<PublishResult<EventOf<S>>, EventPayloads[S]>(subject, payload);
  }

  override send<TResult = never>(pattern: unknown, _data?: unknown): Observable<TResult> {
    return throwError(
      () =>
        new Error(
          `bus transport: send(${JSON.stringify(pattern)}) is request-response, which JetStream events ` +
            'do not have; emit the event and consume the answer from its own subject',
        ),
    );
  }

  /** The connection belongs to MessagingModule (connected and verified before this exists). */
  connect(): Promise<void> {
    return Promise.resolve();
  }

  /** MessagingModule drains the connection on shutdown; nothing of the client's own to close. */
  close(): void {}

  unwrap<T>(): T {
    return this.publisher as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({
      err: new Error(`bus transport: no request-response on ${JSON.stringify(packet.pattern)}`),
      isDisposed: true,
    });
    return () => undefined;
  }

  protected async dispatchEvent<T>(packet: ReadPacket): Promise<T> {
    const subject: unknown = packet.pattern;
    if (typeof subject !== 'string' || !isEventSubject(subject)) {
      throw new Error(
        `bus transport: emit(${JSON.stringify(subject)}): not an event subject (see SUBJECTS)`,
      );
    }
    // The contract check happens in publish (buildEvent): an off-contract payload sends nothing.
    const result = await this.publisher.publish(
      subject,
      packet.data as EventPayloads[typeof subject],
    );
    return result as T;
  }
}

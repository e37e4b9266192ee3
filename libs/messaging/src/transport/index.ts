export * from './bus-error.filter';
export * from './bus-event.decorator';
export * from './bus-routes';
export * from './jetstream.context';
export * from './jetstream.server';
export * from './jetstream.client';

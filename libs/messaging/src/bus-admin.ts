/**
 * The bus admin's entry (`@opscrew/messaging/bus-admin`): what `opscrew start all` (the
 * supervisor) and `opscrew bus provision` need to connect and provision, without the index's
 * Nest modules, consumers and transport. The supervisor loads this instead of the index, so its
 * own start (~0.7 s of CPU less) does not compete with the four agents it spawns on the cores.
 */
export * from './bus-options';
export * from './bus-user';
export * from './bus-permissions';
export * from './nats-connection.service';
export * from './nats-server-conf';
export * from './subject-mapper';
export * from './topology';
export * from './topology.provisioner';

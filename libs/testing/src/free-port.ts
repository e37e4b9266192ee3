// One way to find a free port in tests: the production allocator (kernel-chosen, listeners held
// together so one call never returns a port twice). Re-exported here for test doubles below the
// integrations layer (libs/messaging/src/testing), which may import the test kit but not
// integrations; specs above it may import either.
export { freePort, freePorts } from '@opscrew/integrations';

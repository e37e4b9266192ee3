import fc from 'fast-check';
import { isReplicaId } from '@opscrew/contracts';
import { replicaId } from './agent-identity';

describe('replicaId', () => {
  it('takes OPSCREW_REPLICA_ID when it is a DNS label', () => {
    expect(replicaId({ OPSCREW_REPLICA_ID: 'ops-monitor-7c9f-x2' }, 'host', 12)).toBe(
      'ops-monitor-7c9f-x2',
    );
  });

  it('refuses a set id that is not a DNS label, naming the variable', () => {
    expect(() => replicaId({ OPSCREW_REPLICA_ID: 'Ops.Monitor' }, 'host', 1)).toThrow(
      /OPSCREW_REPLICA_ID: "Ops\.Monitor" must be a DNS label/,
    );
  });

  it('folds host and pid into a label when nothing is set', () => {
    expect(replicaId({}, 'Build_Box.example.org', 4242)).toBe('build-box-example-org-4242');
    expect(replicaId({}, '...', 7)).toBe('replica-7');
  });

  it('always yields a valid id from any host name and pid', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }),
        fc.integer({ min: 1, max: 4_194_304 }),
        (host, pid) => {
          const id = replicaId({}, host, pid);
          expect(isReplicaId(id)).toBe(true);
          expect(id.endsWith(`-${pid}`)).toBe(true);
        },
      ),
    );
  });
});

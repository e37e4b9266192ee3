import { errorMessage } from '@opscrew/contracts';
import { type LoggerService } from '@nestjs/common';
import { type AuditSink } from '@opscrew/ports';
import { type SandboxViolationError } from '@opscrew/sandbox';

/**
 * What a filesystem sandbox does with a refusal (FileSandbox's onViolation):
 * a warning in the log and, when the agent has an audit sink, a `refused`
 * audit record `sandbox.fs.<read|write>` whose input is the requested path
 * (only its digest is kept). Recording is off the caller's path: the refusal
 * is thrown at once, an audit failure is logged.
 *
 * Never give the audit log's own sandbox this reporter with that same audit
 * log: a refused audit append would audit itself, forever.
 */
export function sandboxViolationReporter(deps: {
  readonly logger: Pick<LoggerService, 'warn' | 'error'>;
  readonly audit?: AuditSink;
}): (violation: SandboxViolationError) => void {
  return (violation) => {
    deps.logger.warn(violation.message);
    if (deps.audit === undefined) return;
    deps.audit
      .record({
        agent: violation.agent,
        action: `sandbox.fs.${violation.operation}`,
        verdict: 'refused',
        result: violation.message,
        input: { path: violation.requested, resolved: violation.resolved },
      })
      .catch((error: unknown) => {
        deps.logger.error(
          `sandbox refusal not audited (${violation.agent} ${violation.operation}): ${errorMessage(error)}`,
        );
      });
  };
}

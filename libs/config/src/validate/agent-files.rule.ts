import { posix } from 'node:path';
import { type PathSegment } from '../load/config-path';
import { type OpscrewConfig } from '../schema/opscrew-config.schema';

/** A configured file an agent opens, and where in the config it is set. */
interface AgentFileUse {
  readonly agent: string;
  readonly path: string;
  readonly at: readonly PathSegment[];
  readonly operations: readonly ('read' | 'write')[];
  readonly what: string;
}

/**
 * Every configured file an agent opens must lie inside that agent's
 * `sandbox.filesystem` lists: otherwise the sandbox (libs/sandbox FileSandbox)
 * refuses it at run time, on the first notification or flag change — better
 * a `config check` error now. Lexical, as the lists are: `dir/` covers what
 * is below dir, an entry without `/` is one file. Symlinks are the run-time
 * check's business. Files at fixed places (audit log, atlas's reports) are
 * not config and are covered by libs/sandbox's shipped-config tests.
 */
export function checkAgentFiles(
  config: OpscrewConfig,
  add: (segments: readonly PathSegment[], message: string) => void,
): void {
  for (const use of agentFileUses(config)) {
    const agent = config.agents.get(use.agent);
    if (!agent || !agent.enabled) continue;
    if (posix.isAbsolute(use.path) || use.path.split(/[\\/]/).includes('..')) {
      add(
        use.at,
        `must be relative to the project root, without "..": ${use.agent}'s filesystem sandbox refuses anything else`,
      );
      continue;
    }
    for (const operation of use.operations) {
      const entries = agent.sandbox.filesystem[operation];
      if (entries.some((entry) => covers(entry, use.path))) continue;
      add(
        use.at,
        `"${use.path}" is outside agents.${use.agent}.sandbox.filesystem.${operation} (${entries.join(', ') || 'empty'}); ${use.agent} ${operation === 'read' ? 'reads' : 'writes'} it (${use.what}): add it or its folder there`,
      );
    }
  }
}

function agentFileUses(config: OpscrewConfig): AgentFileUse[] {
  const uses: AgentFileUse[] = [];
  const notifier = config.integrations.notifier;
  if (notifier.kind === 'console') {
    // Both agents own an outbox that notifies; the file is read back for idempotency keys.
    for (const agent of ['ops-monitor', 'jira-resolver']) {
      uses.push({
        agent,
        path: notifier.jsonl_path,
        at: ['integrations', 'notifier', 'jsonl_path'],
        operations: ['read', 'write'],
        what: 'the console notifier’s messages',
      });
    }
  }
  uses.push({
    agent: 'demo-controller',
    path: config.integrations.flags.flag_file,
    at: ['integrations', 'flags', 'flag_file'],
    operations: ['read', 'write'],
    what: 'the flagd flag file it changes',
  });
  const learning = config.agents.get('demo-controller')?.controller?.learning;
  if (learning) {
    uses.push({
      agent: 'demo-controller',
      path: learning.feedback_loop.suggestions_file,
      at: [
        'agents',
        'demo-controller',
        'controller',
        'learning',
        'feedback_loop',
        'suggestions_file',
      ],
      operations: ['write'],
      what: 'the threshold suggestions',
    });
  }
  return uses;
}

/** FileSandbox's rule, on relative paths: `dir/` covers descendants only; `file` is exact. */
function covers(entry: string, path: string): boolean {
  const target = posix.normalize(path);
  if (entry.endsWith('/')) {
    const dir = posix.normalize(entry);
    if (dir === './') return target !== '.' && !target.startsWith('../');
    return target.startsWith(dir) && target.length > dir.length;
  }
  return posix.normalize(entry) === target;
}

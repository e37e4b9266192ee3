import { type SourcedNode } from './load/sourced-node';
import { SECRET_KEY } from './redact';

/**
 * Variable names that hold credentials: JIRA_API_TOKEN, DISCORD_BOT_TOKEN,
 * DISCORD_WEBHOOK_URL, ANTHROPIC_API_KEY, NATS_PASSWORD_ATLAS, OPSCREW_API_TOKEN…
 * A public key (DISCORD_PUBLIC_KEY) is not one.
 */
const SECRET_VARIABLE =
  /(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|WEBHOOK_URL)/i;
const PUBLIC_VARIABLE = /PUBLIC/i;

/**
 * The secret values this configuration holds, for the process-wide registry
 * the secret scrubber matches in every encoding: every string under a
 * secret-named key of the resolved tree, and every variable with a secret-like
 * name (process environment, `.env`, the config's `env` block) — used by the
 * config or not: a token in the environment can still be echoed by a child
 * process or a vendor. The registry ignores values too short to match safely.
 */
export function configuredSecretValues(
  tree: SourcedNode,
  variables: Readonly<Record<string, string | undefined>>,
): string[] {
  const values: string[] = [];
  collect(tree, '', values);
  for (const [name, value] of Object.entries(variables)) {
    if (value && SECRET_VARIABLE.test(name) && !PUBLIC_VARIABLE.test(name)) values.push(value);
  }
  return [...new Set(values)];
}

function collect(node: SourcedNode, key: string, out: string[]): void {
  switch (node.kind) {
    case 'scalar':
      if (typeof node.value === 'string' && node.value !== '' && SECRET_KEY.test(key))
        out.push(node.value);
      return;
    case 'array':
      for (const item of node.items) collect(item, key, out);
      return;
    case 'object':
      for (const [childKey, child] of node.entries) collect(child, childKey, out);
  }
}

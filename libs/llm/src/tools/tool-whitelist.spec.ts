import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { toolWhitelistsFromConfig } from '../llm-settings';
import { namespacedToolName } from '../mcp/mcp-tool-name';
import { ToolWhitelist } from './tool-whitelist';

describe('ToolWhitelist', () => {
  const whitelist = new ToolWhitelist(
    new Map([['jira-resolver', ['runtime_logs', 'runtime_exec', 'jira_delete_issue']]]),
  );

  it('allows only listed tools, for that agent', () => {
    expect(whitelist.check('jira-resolver', 'runtime_logs')).toEqual({ allowed: true });
    expect(whitelist.check('atlas', 'runtime_logs')).toEqual({
      allowed: false,
      reason: 'refused: runtime_logs is not allowed for atlas',
    });
    expect(whitelist.check('jira-resolver', 'runtime_restart')).toMatchObject({ allowed: false });
  });

  it('never grants exec/rm/delete-like tools, whatever the config lists', () => {
    expect(whitelist.check('jira-resolver', 'runtime_exec')).toEqual({
      allowed: false,
      reason:
        'refused: runtime_exec is not allowed for jira-resolver (tools that exec are never granted)',
    });
    expect(whitelist.check('jira-resolver', 'jira_delete_issue').allowed).toBe(false);
    expect(whitelist.grantedTo('jira-resolver')).toEqual(['runtime_logs']);
  });

  it('refuses names that are not tool names', () => {
    expect(whitelist.check('jira-resolver', 'docker rm cart')).toEqual({
      allowed: false,
      reason: 'refused: docker rm cart is not allowed for jira-resolver (not a valid tool name)',
    });
    expect(whitelist.check('jira-resolver', 'runtime_logs\n;rm').allowed).toBe(false);
  });

  it('grants every tool the shipped agents list (the invariant does not break the config)', () => {
    const { config } = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
    const byAgent = toolWhitelistsFromConfig(config);
    const shipped = new ToolWhitelist(byAgent);
    for (const [agent, tools] of byAgent) expect(shipped.grantedTo(agent)).toEqual(tools);
  });
});

describe('namespacedToolName', () => {
  it('prefixes the server, keeps an existing prefix, sanitises', () => {
    expect(namespacedToolName('tiny', 'get_logs')).toBe('tiny_get_logs');
    expect(namespacedToolName('signoz', 'signoz_list_services')).toBe('signoz_list_services');
    expect(namespacedToolName('my-jira', 'issue.get')).toBe('my_jira_issue_get');
    expect(namespacedToolName('s', 'x'.repeat(80))).toBeNull();
  });
});

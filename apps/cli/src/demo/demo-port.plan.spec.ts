import {
  DemoPortPlanError,
  demoPortClaims,
  describeDemoPorts,
  freeDemoPorts,
  planDemoPorts,
  resolveDemoPorts,
} from './demo-port.plan';

/** Every port of a plan, agents first. */
const allPorts = (plan: Awaited<ReturnType<typeof resolveDemoPorts>>): number[] => [
  ...Object.values(plan.agents),
  ...Object.values(plan.shop),
  plan.supervisor,
  plan.locust,
];

/** The problems a plan is refused with (none: the test fails with the plan it got). */
function refusal(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof DemoPortPlanError) return error.problems;
    throw error;
  }
  throw new Error('expected the plan to be refused');
}

describe('the demo port plan', () => {
  it("defaults to the shipped config's ports", () => {
    expect(planDemoPorts()).toEqual({
      agents: { atlas: 3000, 'ops-monitor': 3001, 'jira-resolver': 3002, 'demo-controller': 3003 },
      shop: {
        frontend: 7100,
        ad: 7101,
        cart: 7102,
        checkout: 7103,
        currency: 7104,
        payment: 7105,
        'product-catalog': 7106,
        recommendation: 7107,
        shipping: 7108,
      },
      supervisor: 7190,
      locust: 8089,
      chosen: 'options',
    });
  });

  it('counts up from each base; the supervisor follows the shop unless placed itself', () => {
    const plan = planDemoPorts({ agentPorts: '4000', shopPorts: '9100', locustPort: '9089' });
    expect(plan.agents).toEqual({
      atlas: 4000,
      'ops-monitor': 4001,
      'jira-resolver': 4002,
      'demo-controller': 4003,
    });
    expect([plan.shop.frontend, plan.shop.shipping, plan.supervisor, plan.locust]).toEqual([
      9100, 9108, 9190, 9089,
    ]);
    expect(planDemoPorts({ shopPorts: '9100', supervisorPort: '9300' }).supervisor).toBe(9300);
  });

  it('refuses what is not a port, naming the option and the value', () => {
    expect(
      refusal(() =>
        planDemoPorts({
          agentPorts: 'abc',
          shopPorts: '0',
          supervisorPort: '70000',
          locustPort: '80.5',
        }),
      ),
    ).toEqual([
      '--agent-ports must be a port number 1..65535, got "abc"',
      '--shop-ports must be a port number 1..65535, got "0"',
      '--supervisor-port must be a port number 1..65535, got "70000"',
      '--locust-port must be a port number 1..65535, got "80.5"',
    ]);
  });

  it('refuses bases whose range runs past 65535', () => {
    expect(refusal(() => planDemoPorts({ agentPorts: '65534', shopPorts: '65500' }))).toEqual([
      '--agent-ports 65534: needs 4 ports from there, up to 65537, above 65535',
      '--shop-ports 65500: the supervisor would get port 65590 (base + 90), above 65535; give it one with --supervisor-port PORT',
    ]);
    expect(planDemoPorts({ shopPorts: '65500', supervisorPort: '65520' }).shop.shipping).toBe(
      65508,
    );
  });

  it('refuses a port given to two listeners, naming both and their options', () => {
    expect(refusal(() => planDemoPorts({ agentPorts: '7098' }))).toEqual([
      'port 7100 would serve both jira-resolver (--agent-ports) and shop frontend (--shop-ports)',
      'port 7101 would serve both demo-controller (--agent-ports) and shop ad (--shop-ports)',
    ]);
    expect(refusal(() => planDemoPorts({ supervisorPort: '8089' }))).toEqual([
      'port 8089 would serve both the shop supervisor (--supervisor-port) and Locust (--locust-port)',
    ]);
  });

  it('lets the OS pick every port with --free-ports, and refuses it beside a base', async () => {
    const plan = await resolveDemoPorts({ freePorts: true });
    expect(plan.chosen).toBe('free');
    expect(new Set(allPorts(plan)).size).toBe(15);
    await expect(
      resolveDemoPorts({ freePorts: true, agentPorts: '4000', locustPort: '9000' }),
    ).rejects.toThrow(
      '--free-ports picks every port itself: drop --agent-ports, --locust-port or --free-ports',
    );
    expect((await resolveDemoPorts({ shopPorts: '9100' })).shop.frontend).toBe(9100);
  });

  it('claims each port with its owner and the option that moves it; Locust only when it runs', () => {
    const plan = planDemoPorts();
    const claims = demoPortClaims(plan, { locust: false });
    expect(claims).toHaveLength(14);
    expect(claims[1]).toEqual({
      port: 3001,
      host: '127.0.0.1',
      owner: 'ops-monitor',
      moveWith: 'use --agent-ports BASE (or --free-ports)',
    });
    expect(claims.find((claim) => claim.port === 7102)).toMatchObject({
      owner: 'shop cart',
      moveWith: 'use --shop-ports BASE (or --free-ports)',
    });
    expect(claims.at(-1)).toMatchObject({
      port: 7190,
      owner: 'shop supervisor control API',
      moveWith: 'use --supervisor-port PORT or --shop-ports BASE (or --free-ports)',
    });
    expect(demoPortClaims(plan, { locust: true }).at(-1)).toMatchObject({
      port: 8089,
      owner: 'Locust web UI',
      moveWith: 'use --locust-port PORT, or --builtin-load (or --free-ports)',
    });
  });

  it('tells a free plan to run again rather than to move a port by option', async () => {
    const claims = demoPortClaims(await freeDemoPorts(), { locust: true });
    expect(claims).toHaveLength(15);
    for (const claim of claims)
      expect(claim.moveWith).toBe(
        'it was free a moment ago and something took it since: run again (free ports are picked anew)',
      );
  });

  it('describes the plan in one line: ranges when consecutive, else each port', () => {
    expect(describeDemoPorts(planDemoPorts(), { locust: true })).toBe(
      'agents 3000–3003, shop 7100–7108, supervisor 7190, Locust 8089',
    );
    const plan = {
      ...planDemoPorts(),
      agents: { atlas: 5000, 'ops-monitor': 4000, 'jira-resolver': 4100, 'demo-controller': 4200 },
    };
    expect(describeDemoPorts(plan, { locust: false })).toBe(
      'agents 5000, 4000, 4100, 4200, shop 7100–7108, supervisor 7190',
    );
  });
});

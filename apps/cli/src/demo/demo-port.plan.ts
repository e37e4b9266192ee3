import { AGENT_NAMES, type AgentName } from '@opscrew/contracts';
import { freePorts, type PortClaim } from '@opscrew/integrations';
import { SHOP_SERVICE_NAMES, type ShopServiceName } from '../../../demo-shop/src';

/** The demo's address: everything it starts listens on loopback only. */
export const DEMO_HOST = '127.0.0.1';

/** The crew, in the order of their ports (atlas on the base, demo-controller on base + 3). */
export const DEMO_AGENTS: readonly AgentName[] = AGENT_NAMES;

/**
 * Where `opscrew demo` listens without options: the shipped config's ports
 * (config/agents/*.json5, config/project/integrations/integrations.json5), so
 * that a plain `npm run demo` answers where the README's curl lines look.
 */
export const DEFAULT_DEMO_PORTS = {
  agentBase: 3000,
  shopBase: 7100,
  /** The supervisor's control API sits this far above the shop's base (7100 → 7190). */
  supervisorOffset: 90,
  locust: 8089,
} as const;

const MAX_PORT = 65_535;

/** Every port the demo listens on. */
export interface DemoPortPlan {
  readonly agents: Readonly<Record<AgentName, number>>;
  readonly shop: Readonly<Record<ShopServiceName, number>>;
  /** The shop's process supervisor (its control API: restarts, logs). */
  readonly supervisor: number;
  /** Locust's web UI and API, when the demo starts Locust. */
  readonly locust: number;
  /**
   * How the ports were chosen, which decides what a busy port's error tells
   * the user: the options that move it, or to run again (free ports are
   * picked anew each time).
   */
  readonly chosen: 'options' | 'free';
}

/** The `opscrew demo` options that place it, as typed on the command line. */
export interface DemoPortOptions {
  /** `--agent-ports BASE`: atlas BASE … demo-controller BASE + 3. */
  readonly agentPorts?: string;
  /** `--shop-ports BASE`: frontend BASE … shipping BASE + 8, the supervisor at BASE + 90. */
  readonly shopPorts?: string;
  /** `--supervisor-port PORT`: the supervisor's control API anywhere else. */
  readonly supervisorPort?: string;
  /** `--locust-port PORT`. */
  readonly locustPort?: string;
  /** `--free-ports`: every port picked free by the OS. */
  readonly freePorts?: boolean;
}

/** The options do not describe a usable set of ports; one line per problem, naming the option. */
export class DemoPortPlanError extends Error {
  override readonly name = 'DemoPortPlanError';

  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** The plan the options ask for: the OS's free ports with `--free-ports`, else bases and defaults. */
export async function resolveDemoPorts(options: DemoPortOptions = {}): Promise<DemoPortPlan> {
  if (options.freePorts) {
    const fixed = (
      [
        ['--agent-ports', options.agentPorts],
        ['--shop-ports', options.shopPorts],
        ['--supervisor-port', options.supervisorPort],
        ['--locust-port', options.locustPort],
      ] as const
    ).filter(([, value]) => value !== undefined);
    if (fixed.length > 0)
      throw new DemoPortPlanError([
        `--free-ports picks every port itself: drop ${fixed.map(([option]) => option).join(', ')} or --free-ports`,
      ]);
    return freeDemoPorts();
  }
  return planDemoPorts(options);
}

/**
 * Consecutive ports from the bases (`--agent-ports`, `--shop-ports`), today's
 * values for what is not given. Refuses a plan that leaves the port range
 * or gives one port to two listeners, naming the options involved.
 */
export function planDemoPorts(options: Omit<DemoPortOptions, 'freePorts'> = {}): DemoPortPlan {
  const problems: string[] = [];
  const agentBase = portOption('--agent-ports', options.agentPorts, problems);
  const shopBase = portOption('--shop-ports', options.shopPorts, problems);
  const supervisorPort = portOption('--supervisor-port', options.supervisorPort, problems);
  const locustPort = portOption('--locust-port', options.locustPort, problems);

  // Not a port: reported above, and its range below is the default's (no second complaint).
  const agentStart = agentBase ?? DEFAULT_DEMO_PORTS.agentBase;
  const shopStart = shopBase ?? DEFAULT_DEMO_PORTS.shopBase;
  fitsBelowMax('--agent-ports', agentStart, DEMO_AGENTS.length, problems);
  fitsBelowMax('--shop-ports', shopStart, SHOP_SERVICE_NAMES.length, problems);
  const supervisor = supervisorPort ?? shopStart + DEFAULT_DEMO_PORTS.supervisorOffset;
  if (supervisor > MAX_PORT)
    problems.push(
      `--shop-ports ${shopStart}: the supervisor would get port ${supervisor} (base + ${DEFAULT_DEMO_PORTS.supervisorOffset}), above ${MAX_PORT}; give it one with --supervisor-port PORT`,
    );
  if (problems.length > 0) throw new DemoPortPlanError(problems);

  const plan: DemoPortPlan = {
    agents: consecutive(DEMO_AGENTS, agentStart),
    shop: consecutive(SHOP_SERVICE_NAMES, shopStart),
    supervisor,
    locust: locustPort ?? DEFAULT_DEMO_PORTS.locust,
    chosen: 'options',
  };
  const clashes = overlaps(plan);
  if (clashes.length > 0) throw new DemoPortPlanError(clashes);
  return plan;
}

/**
 * Every port picked free by the OS (the loop bench, the e2e tests,
 * `--free-ports`): two of them, or one beside `npm run demo`, `npm start` or
 * the compose stack, never collide.
 */
export async function freeDemoPorts(): Promise<DemoPortPlan> {
  const ports = await freePorts(DEMO_AGENTS.length + SHOP_SERVICE_NAMES.length + 2, DEMO_HOST);
  const take = (): number => {
    const port = ports.shift();
    if (port === undefined) throw new Error('freeDemoPorts: fewer free ports than asked for');
    return port;
  };
  return {
    agents: Object.fromEntries(DEMO_AGENTS.map((agent) => [agent, take()])) as Record<
      AgentName,
      number
    >,
    shop: Object.fromEntries(SHOP_SERVICE_NAMES.map((name) => [name, take()])) as Record<
      ShopServiceName,
      number
    >,
    supervisor: take(),
    locust: take(),
    chosen: 'free',
  };
}

/**
 * What the demo is about to listen on, each with its owner and the option
 * that moves it: the input of assertPortsFree. Locust's port only when the
 * demo starts Locust.
 */
export function demoPortClaims(plan: DemoPortPlan, options: { locust: boolean }): PortClaim[] {
  const move = (option: string): string =>
    plan.chosen === 'free'
      ? 'it was free a moment ago and something took it since: run again (free ports are picked anew)'
      : `use ${option} (or --free-ports)`;
  return [
    ...DEMO_AGENTS.map((agent) => ({
      port: plan.agents[agent],
      host: DEMO_HOST,
      owner: agent,
      moveWith: move('--agent-ports BASE'),
    })),
    ...SHOP_SERVICE_NAMES.map((name) => ({
      port: plan.shop[name],
      host: DEMO_HOST,
      owner: `shop ${name}`,
      moveWith: move('--shop-ports BASE'),
    })),
    {
      port: plan.supervisor,
      host: DEMO_HOST,
      owner: 'shop supervisor control API',
      moveWith: move('--supervisor-port PORT or --shop-ports BASE'),
    },
    ...(options.locust
      ? [
          {
            port: plan.locust,
            host: DEMO_HOST,
            owner: 'Locust web UI',
            moveWith: move('--locust-port PORT, or --builtin-load'),
          },
        ]
      : []),
  ];
}

/** One line for the terminal: `agents 3000–3003, shop 7100–7108, supervisor 7190`. */
export function describeDemoPorts(plan: DemoPortPlan, options: { locust: boolean }): string {
  return [
    `agents ${portList(DEMO_AGENTS.map((agent) => plan.agents[agent]))}`,
    `shop ${portList(SHOP_SERVICE_NAMES.map((name) => plan.shop[name]))}`,
    `supervisor ${plan.supervisor}`,
    ...(options.locust ? [`Locust ${plan.locust}`] : []),
  ].join(', ');
}

/** `3000–3003` when consecutive, else every port. */
function portList(ports: readonly number[]): string {
  const first = ports[0];
  const last = ports[ports.length - 1];
  const consecutiveRun =
    first !== undefined &&
    last !== undefined &&
    ports.length > 1 &&
    ports.every((port, i) => port === first + i);
  return consecutiveRun ? `${first}–${last}` : ports.join(', ');
}

function portOption(option: string, text: string | undefined, problems: string[]): number | null {
  if (text === undefined) return null;
  const port = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > MAX_PORT) {
    problems.push(`${option} must be a port number 1..${MAX_PORT}, got "${text}"`);
    return null;
  }
  return port;
}

function fitsBelowMax(option: string, base: number, count: number, problems: string[]): void {
  if (base + count - 1 > MAX_PORT)
    problems.push(
      `${option} ${base}: needs ${count} ports from there, up to ${base + count - 1}, above ${MAX_PORT}`,
    );
}

function consecutive<Name extends string>(
  names: readonly Name[],
  base: number,
): Record<Name, number> {
  return Object.fromEntries(names.map((name, i) => [name, base + i])) as Record<Name, number>;
}

/** "port 7100 would serve both atlas and shop frontend", once per shared port. */
function overlaps(plan: DemoPortPlan): string[] {
  const owners = new Map<number, string>();
  const problems: string[] = [];
  const take = (port: number, owner: string, option: string): void => {
    const first = owners.get(port);
    if (first === undefined) owners.set(port, `${owner} (${option})`);
    else problems.push(`port ${port} would serve both ${first} and ${owner} (${option})`);
  };
  for (const agent of DEMO_AGENTS) take(plan.agents[agent], agent, '--agent-ports');
  for (const name of SHOP_SERVICE_NAMES) take(plan.shop[name], `shop ${name}`, '--shop-ports');
  take(plan.supervisor, 'the shop supervisor', '--supervisor-port');
  take(plan.locust, 'Locust', '--locust-port');
  return problems;
}

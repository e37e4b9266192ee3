import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { INCIDENT_PHASES } from '@opscrew/contracts';
import {
  canTransition,
  ENGINE_PHASE_STEPS,
  enginePhase,
  INCIDENT_TRANSITIONS,
  transitionRefusal,
} from './incident-lifecycle';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** Non-test TypeScript sources under a folder. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && name !== 'testing') out.push(...sources(path));
    } else if (name.endsWith('.ts') && !/\.(spec|integration-spec|e2e-spec)\.ts$/.test(name)) {
      out.push(path);
    }
  }
  return out;
}

describe('incident lifecycle (one table for the ledger and the engines)', () => {
  it('accepts every phase change an engine can emit, from every phase it may find', () => {
    const refused: string[] = [];
    for (const [name, step] of Object.entries(ENGINE_PHASE_STEPS)) {
      for (const from of step.from) {
        const why = transitionRefusal(from, step.to);
        if (why !== null) refused.push(`${name} (${step.emitter}): ${why}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('always accepts the same phase again, and only the listed steps otherwise', () => {
    for (const from of INCIDENT_PHASES) {
      for (const to of INCIDENT_PHASES) {
        expect(canTransition(from, to)).toBe(
          from === to || INCIDENT_TRANSITIONS[from].includes(to),
        );
      }
    }
    expect(canTransition('triaged', 'verified')).toBe(true);
    expect(canTransition('resolved', 'triaged')).toBe(false);
    expect(transitionRefusal('resolved', 'actioned')).toBe(
      'resolved → actioned is not a lifecycle step (from resolved: reopened)',
    );
  });

  it('lets every phase but detected be reached, and every phase be left', () => {
    const reached = new Set(Object.values(INCIDENT_TRANSITIONS).flat());
    expect(INCIDENT_PHASES.filter((p) => !reached.has(p))).toEqual(['detected']);
    for (const phase of INCIDENT_PHASES)
      expect(INCIDENT_TRANSITIONS[phase].length).toBeGreaterThan(0);
  });

  it('gives engines their phase from the table', () => {
    expect(enginePhase('triage')).toBe('triaged');
    expect(enginePhase('verify')).toBe('verified');
  });

  it('engines never publish a phase literal: every phase change goes through enginePhase()', () => {
    // A literal `phase: 'x'` in an engine bypasses ENGINE_PHASE_STEPS and so this test's check.
    const literal = new RegExp(`phase:\\s*'(${INCIDENT_PHASES.join('|')})'`);
    const offenders = [join(ROOT, 'apps'), join(ROOT, 'libs', 'guardrails', 'src')]
      .flatMap(sources)
      .filter((file) => literal.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });
});

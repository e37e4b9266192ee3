import { z } from 'zod';
import {
  type AllowedAction,
  type ProposedAction,
  type TriageSummary,
} from './incident-reasoning.types';

/** A parameter value is a name or a small number written as text; never a paragraph. */
const PARAM_VALUE_MAX = 200;

/**
 * The model's answer must be one JSON object and nothing else (OWASP LLM05:
 * output is parsed against a strict schema, never interpreted). No code
 * fences, no prose around it: an answer that needs repairing is not trusted.
 */
function strictJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

const proposalSchema = z
  .object({
    action: z.string().min(1).max(64).nullable(),
    params: z.record(z.string().min(1).max(64), z.string().max(PARAM_VALUE_MAX)).optional(),
  })
  .strict();

export type ProposalVerdict =
  | { readonly ok: true; readonly proposal: ProposedAction | null }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses and validates a proposal: the action is one of `allowed` (or null:
 * "nothing safe to do"), parameters are exactly among that action's. Anything
 * else is rejected with the reason, and the caller escalates.
 */
export function parseProposal(text: string, allowed: readonly AllowedAction[]): ProposalVerdict {
  const json = strictJson(text);
  if (json === undefined) return { ok: false, reason: 'not a single JSON object' };
  const parsed = proposalSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: `schema: ${parsed.error.issues.map(formatIssue).join('; ')}` };
  }
  const { action, params = {} } = parsed.data;
  if (action === null) return { ok: true, proposal: null };
  const spec = allowed.find((a) => a.action === action);
  if (spec === undefined) {
    return { ok: false, reason: `action "${action}" is not among the allowed actions` };
  }
  const known = Object.keys(spec.params ?? {});
  const unknown = Object.keys(params).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    return { ok: false, reason: `unknown parameter(s) for ${action}: ${unknown.join(', ')}` };
  }
  return { ok: true, proposal: { action, params } };
}

const triageSchema = z
  .object({
    probable_cause: z.string().min(1).max(1000),
    what_to_check: z.array(z.string().min(1).max(500)).min(1).max(10),
  })
  .strict();

export function parseTriage(text: string): TriageSummary | null {
  const parsed = triageSchema.safeParse(strictJson(text));
  return parsed.success ? parsed.data : null;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

import { checkAdf } from '../tracker/adf.validator';

/** What a project accepts on create: its key, issue types and priorities. */
export interface JiraProjectVocabulary {
  readonly projectKey: string;
  readonly issueTypes: readonly string[];
  readonly priorities: readonly string[];
}

/**
 * Jira's own checks of `POST /rest/api/3/issue` fields, beyond the OpenAPI document (which
 * leaves them untyped): only screen fields, a known project, issue type and priority, a
 * one-line summary under 255 characters, labels without spaces, an ADF description. Returns
 * Jira's `errors` object (empty: valid).
 */
export function checkCreateFields(
  fields: Readonly<Record<string, unknown>>,
  vocabulary: JiraProjectVocabulary,
): Record<string, string> {
  const errors: Record<string, string> = {};
  const known = new Set(['project', 'issuetype', 'summary', 'description', 'labels', 'priority']);
  for (const name of Object.keys(fields)) {
    if (!known.has(name))
      errors[name] =
        `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
  }
  const project = fields['project'] as { key?: unknown } | undefined;
  if (project?.key !== vocabulary.projectKey) errors['project'] = 'valid project is required';
  const issuetype = fields['issuetype'] as { name?: unknown } | undefined;
  const typeIndex = vocabulary.issueTypes.indexOf(String(issuetype?.name));
  if (typeIndex < 0) errors['issuetype'] = 'valid issue type is required';
  const summary = fields['summary'];
  if (typeof summary !== 'string' || summary.trim() === '') {
    errors['summary'] = 'You must specify a summary of the issue.';
  } else if (summary.length > 255) {
    errors['summary'] = 'Summary must be less than 255 characters.';
  } else if (/[\r\n]/.test(summary)) {
    errors['summary'] = 'The summary is invalid because it contains newline characters.';
  }
  if (fields['description'] !== undefined) {
    const problems = checkAdf(fields['description']);
    if (problems.length > 0) {
      errors['description'] =
        `Operation value must be an Atlassian Document (${problems.join('; ')})`;
    }
  }
  const labels = fields['labels'];
  if (labels !== undefined) {
    if (
      !Array.isArray(labels) ||
      labels.some((l) => typeof l !== 'string' || /\s/.test(l) || l.length === 0 || l.length > 255)
    ) {
      errors['labels'] = 'The label must not contain spaces and must be 1-255 characters.';
    }
  }
  const priority = fields['priority'] as { name?: unknown } | undefined;
  if (priority !== undefined && !vocabulary.priorities.includes(String(priority.name))) {
    errors['priority'] = `The priority selected is invalid.`;
  }
  return errors;
}

import { parseJql } from './jira-jql';

describe('parseJql (the JQL subset the contract server reads)', () => {
  it('reads AND-joined clauses, quoted values with escapes, and ORDER BY created', () => {
    expect(parseJql('project = OPS AND labels = "a \\"b\\"" ORDER BY created DESC')).toEqual({
      clauses: [
        { field: 'project', value: 'OPS' },
        { field: 'labels', value: 'a "b"' },
      ],
      descending: true,
    });
  });

  it('refuses an unknown field or ordering, as Jira would', () => {
    expect(() => parseJql('assignee = me')).toThrow(/Field 'assignee' does not exist/);
    expect(() => parseJql('project = OPS ORDER BY updated')).toThrow(/unsupported ORDER BY/);
  });
});

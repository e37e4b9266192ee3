import { checkCreateFields } from './jira-create-fields.check';

const vocabulary = { projectKey: 'OPS', issueTypes: ['Bug'], priorities: ['High'] };
const valid = { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 's' };

describe('checkCreateFields (Jira create-issue field checks)', () => {
  it('accepts a valid issue', () => {
    expect(
      checkCreateFields({ ...valid, labels: ['a'], priority: { name: 'High' } }, vocabulary),
    ).toEqual({});
  });

  it('answers with Jira’s errors per field', () => {
    expect(
      checkCreateFields(
        { ...valid, summary: 'a\nb', labels: ['has space'], assignee: {}, description: 'x' },
        vocabulary,
      ),
    ).toEqual({
      summary: 'The summary is invalid because it contains newline characters.',
      labels: 'The label must not contain spaces and must be 1-255 characters.',
      assignee: "Field 'assignee' cannot be set. It is not on the appropriate screen, or unknown.",
      description: expect.stringContaining(
        'Operation value must be an Atlassian Document',
      ) as string,
    });
  });
});

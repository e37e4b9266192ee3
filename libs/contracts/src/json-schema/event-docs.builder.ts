import { eventContract, parseEvent } from '../event-registry';
import {
  FIXED_SUBJECTS,
  type FixedSubject,
  SUBJECT_FAMILIES,
  type SubjectFamily,
} from '../subjects';
import { classJsonSchema } from './class-json-schema.generator';
import { ENVELOPE_FIELD_NOTES, EVENT_DOCS, type EventDoc } from './event-catalogue';
import { type JsonSchema } from './json-schema.types';

/** Where the files go, relative to the repository root. */
export const EVENT_DOCS_DIR = 'docs/events';

export interface EventDocsEntry {
  /** As people write it: `incident.reported`, `report.<kind>`. */
  readonly subject: string;
  /** File stem in docs/events: `incident.reported`, `report.kind`. */
  readonly file: string;
  /** The subject the example is published on (`report.daily` for `report.<kind>`). */
  readonly exampleSubject: string;
  readonly schema: JsonSchema;
  readonly example: Readonly<Record<string, unknown>>;
  readonly doc: EventDoc;
}

const GENERATED_NOTE =
  'Generated from the contract classes in libs/contracts by `npm run docs:events`; do not edit.';

/**
 * What the parser checks beyond what JSON Schema can state, for every event. The one rule
 * that depends on the event (a family's subject token) goes into its description instead.
 */
const PARSER_NOTE =
  'String lengths are counted by the parser in UTF-16 code units, by JSON Schema in ' +
  'characters: a character outside the Basic Multilingual Plane (an emoji) counts twice ' +
  'against maxLength when the message is parsed.';

/** The schema and example of every fixed subject, then of every family. */
export function eventDocsEntries(): EventDocsEntry[] {
  const keys: readonly (FixedSubject | SubjectFamily)[] = [...FIXED_SUBJECTS, ...SUBJECT_FAMILIES];
  return keys.map((key) => entry(key));
}

function entry(key: FixedSubject | SubjectFamily): EventDocsEntry {
  const contract = eventContract(key);
  const doc = EVENT_DOCS[key];
  const token = contract.tokenField;
  const subject = token === undefined ? key : `${key}.<${token}>`;
  const file = token === undefined ? key : `${key}.${token}`;
  const exampleSubject = doc.exampleSubject ?? key;

  const refine: Record<string, JsonSchema> = {};
  for (const [field, note] of Object.entries({ ...ENVELOPE_FIELD_NOTES, ...doc.fields })) {
    refine[field] = { description: note };
  }
  // parseEvent refuses versions above the current one: a bound the class itself does not carry.
  refine['schema'] = { ...refine['schema'], maximum: contract.schema };
  if (token !== undefined) {
    const note = doc.fields?.[token];
    refine[token] = {
      description:
        (note === undefined ? '' : `${note} `) +
        `Must equal the last token of the subject (${subject}).`,
    };
  }

  const description = [
    `${doc.meaning}${doc.details === undefined ? '' : ` ${doc.details}`}`,
    `Published by ${doc.publishedBy}.`,
    ...(token === undefined
      ? []
      : [
          `Subject: ${subject}. The \`${token}\` field must equal the subject's last token; ` +
            'the parser checks it, JSON Schema cannot (it does not see the subject).',
        ]),
  ].join('\n\n');

  const schema = classJsonSchema(contract.cls, {
    $id: `urn:opscrew:event:${file}`,
    title: subject,
    description,
    $comment: `${GENERATED_NOTE} Class ${contract.cls.name}, schema version ${contract.schema}. ${PARSER_NOTE}`,
    refine,
  });

  const parsed = parseEvent(exampleSubject, doc.example);
  if (!parsed.ok) {
    throw new Error(`event-catalogue.ts: the example for ${subject} is invalid: ${parsed.reason}`);
  }
  return { subject, file, exampleSubject, schema, example: doc.example, doc };
}

/**
 * Every file of docs/events by name, with its content. Plain `JSON.stringify` output:
 * the directory is generated, so it is left out of Prettier (.prettierignore) rather than
 * formatted by it (Prettier's API cannot run inside Jest, where the drift test runs).
 */
export function renderEventDocs(
  entries: readonly EventDocsEntry[] = eventDocsEntries(),
): Map<string, string> {
  const files = new Map<string, string>();
  for (const item of entries) {
    files.set(`${item.file}.schema.json`, json(item.schema));
    files.set(`${item.file}.example.json`, json(item.example));
  }
  files.set('README.md', readme(entries));
  return files;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function readme(entries: readonly EventDocsEntry[]): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const rows = entries.map(
    (item) =>
      `| \`${item.subject}\` | [${item.file}.schema.json](${item.file}.schema.json) | ` +
      `[${item.file}.example.json](${item.file}.example.json) | ${cell(item.doc.publishedBy)} | ` +
      `${cell(item.doc.meaning)} |`,
  );
  const families = entries.filter((item) => item.subject !== item.exampleSubject);
  return [
    '# Bus events',
    '',
    `<!-- ${GENERATED_NOTE} -->`,
    '',
    'One JSON Schema (draft-07, what `new Ajv()` validates) and one valid example message for every',
    'public subject of the bus, generated from the event classes in `libs/contracts`. Regenerate with',
    '`npm run docs:events`; the unit test `libs/contracts/src/json-schema/event-docs.spec.ts` fails',
    'when these files no longer match the classes.',
    '',
    '| subject | schema | example | published by | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '## Subject families',
    '',
    'A family subject ends in a variable token; its files are named after the placeholder:',
    '',
    ...families.map(
      (item) =>
        `- \`${item.file}.schema.json\`: \`${item.subject}\` (the example is published on \`${item.exampleSubject}\`)`,
    ),
    '',
    'The payload field named like the placeholder must equal the token. The parser checks it;',
    'a JSON Schema cannot, since it never sees the subject.',
    '',
    '## Who sent it: the publisher token',
    '',
    'On the wire every subject of the crew ends in the NATS user that published it:',
    '`incident.detected.ops-monitor`, `heartbeat.atlas.atlas`, `report.daily.demo-controller`.',
    'NATS 2.9 does not tell a consumer who published a message, but it does enforce which',
    'subjects a user may publish to (deploy/nats/nats.conf lets each user publish only on its own',
    'token), so that token is the sender. Consumers strip it (handlers see the subjects above),',
    "check that this publisher may send the subject and that the payload's `source` names it, and",
    'dead-letter anything else with `kind: "source_mismatch"` (also written to the audit log).',
    'Only `incident.reported` may come without the token (an outside system, below).',
    '',
    '## Publishing a report',
    '',
    '`incident.reported` is the public intake: any NATS client may publish it.',
    '',
    '```sh',
    'nats pub incident.reported "$(cat docs/events/incident.reported.example.json)"',
    '```',
    '',
    'Give every report its own `id` and send it as the `Nats-Msg-Id` header too',
    '(`-H "Nats-Msg-Id:<id>"`): the stream then drops a retried publish as a duplicate. On a',
    'namespaced bus (namespace `x`) the subject is `x.incident.reported`; on a bus with a user per',
    'agent (deploy/nats/nats.conf) the client connects as `reporter`, which may publish it bare or',
    'as `incident.reported.reporter`. Its `source` is `external`.',
    '',
    '## Validating a message',
    '',
    '```js',
    "const Ajv = require('ajv');",
    "const addFormats = require('ajv-formats');",
    'const ajv = addFormats(new Ajv());',
    "const validate = ajv.compile(require('./docs/events/incident.reported.schema.json'));",
    "validate(require('./docs/events/incident.reported.example.json')); // true",
    '```',
    '',
    '## What only the parser checks',
    '',
    'The schemas and the parser (`parseEvent` in `libs/contracts`) agree on every message a unit',
    'test mutates, except for rules JSON Schema cannot state, which the schemas say in words:',
    '',
    "- a family's token field must equal the subject's last token;",
    '- string lengths count UTF-16 code units (an emoji counts twice against `maxLength`);',
    '- `deadletter.<consumer>` `raw` is bounded in UTF-8 bytes, not characters.',
    '',
  ].join('\n');
}

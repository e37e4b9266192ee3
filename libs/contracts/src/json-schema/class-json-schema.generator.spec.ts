import { IsString } from 'class-validator';
import {
  IsFlag,
  IsInteger,
  IsNested,
  IsNestedArray,
  IsText,
  NullableField,
  OptionalField,
} from '../validation/field.validators';
import { classJsonSchema, DRAFT_07 } from './class-json-schema.generator';

class Part {
  @IsText(8)
  name!: string;
}

class Base {
  @IsInteger(1)
  version!: number;
}

class Sample extends Base {
  @IsText(16, { pattern: /^[a-z]+$/ })
  required_text!: string;

  @OptionalField()
  @IsFlag()
  optional_flag?: boolean;

  @NullableField()
  @IsInteger(0)
  nullable_count!: number | null;

  @IsNested(() => Part)
  part!: Part;

  @OptionalField()
  @IsNestedArray(() => Part, { maxItems: 3, minItems: 1 })
  parts?: Part[];
}

class PlainDecorator {
  @IsString()
  name!: string;
}

class FlaggedPattern {
  @IsText(8, { pattern: /^[a-z]+$/i })
  name!: string;
}

const header = { $id: 'urn:test:sample', title: 'sample', description: 'A sample.' };

describe('classJsonSchema', () => {
  it('reads required, optional and nullable fields, nested classes and the base class last', () => {
    expect(classJsonSchema(Sample, header)).toEqual({
      $schema: DRAFT_07,
      ...header,
      type: 'object',
      properties: {
        required_text: { type: 'string', minLength: 1, maxLength: 16, pattern: '^[a-z]+$' },
        optional_flag: { type: 'boolean' },
        nullable_count: {
          anyOf: [
            { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
            { type: 'null' },
          ],
        },
        part: { $ref: '#/definitions/Part' },
        parts: { type: 'array', minItems: 1, maxItems: 3, items: { $ref: '#/definitions/Part' } },
        version: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
      },
      required: ['required_text', 'nullable_count', 'part', 'version'],
      additionalProperties: false,
      definitions: {
        Part: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1, maxLength: 8 } },
          required: ['name'],
          additionalProperties: false,
        },
      },
    });
  });

  it('adds descriptions and bounds, wrapping a $ref so its description is kept', () => {
    const schema = classJsonSchema(Sample, {
      ...header,
      refine: {
        version: { description: 'The version.', maximum: 3 },
        part: { description: 'A part.' },
      },
    });
    expect(schema.properties?.['version']).toEqual({
      description: 'The version.',
      type: 'integer',
      minimum: 1,
      maximum: 3,
    });
    expect(schema.properties?.['part']).toEqual({
      description: 'A part.',
      allOf: [{ $ref: '#/definitions/Part' }],
    });
  });

  it('refuses a note for a field the class does not have', () => {
    expect(() =>
      classJsonSchema(Sample, { ...header, refine: { missing: { description: 'x' } } }),
    ).toThrow('Sample: a note or bound is given for "missing", not a property of it');
  });

  it('refuses a plain class-validator decorator instead of emitting a looser schema', () => {
    expect(() => classJsonSchema(PlainDecorator, header)).toThrow(
      'PlainDecorator.name: rule "isString" carries no JSON Schema',
    );
  });

  it('refuses a pattern with flags, which JSON Schema cannot carry', () => {
    expect(() => classJsonSchema(FlaggedPattern, header)).toThrow(
      'pattern /^[a-z]+$/i has flags, which a JSON Schema pattern cannot carry',
    );
  });
});

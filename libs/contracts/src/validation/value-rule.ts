import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * One class-validator rule: a test of the value and ONE message without the property name
 * (fixed, or worded from the value it refused), so that formatters print `path: message`
 * lines that read well. The base of the field validators here and of @opscrew/config's.
 */
export function valueRule(
  name: string,
  test: (value: unknown) => boolean,
  message: string | ((value: unknown) => string),
  options: { readonly constraints?: unknown[]; readonly validation?: ValidationOptions } = {},
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      ...(options.constraints === undefined ? {} : { constraints: options.constraints }),
      validator: {
        validate: (value: unknown): boolean => test(value),
        defaultMessage: (args): string =>
          typeof message === 'string' ? message : message(args?.value),
      },
    },
    options.validation,
  );
}

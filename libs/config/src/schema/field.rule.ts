import { IsDefined, IsOptional } from 'class-validator';

export interface FieldOptions {
  /** Optional fields may be absent; present values are still validated. */
  readonly optional?: boolean;
}

/**
 * A config field decorator from its checks: required unless `optional` ("is required" when
 * missing), then every check in order.
 */
export function compose(
  options: FieldOptions | undefined,
  ...decorators: PropertyDecorator[]
): PropertyDecorator {
  const presence = options?.optional ? IsOptional() : IsDefined({ message: 'is required' });
  return (target, key) => {
    presence(target, key);
    for (const decorator of decorators) decorator(target, key);
  };
}

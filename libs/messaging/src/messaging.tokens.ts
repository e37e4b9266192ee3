/** DI token of the MessagingModuleOptions. */
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
/** DI token of the Clock used by the lease service (override in tests). */
export const MESSAGING_CLOCK = Symbol('MESSAGING_CLOCK');

/** Injection tokens: the loaded config and the running agent's own section. */
export const LOADED_CONFIG = Symbol('LOADED_CONFIG');
export const RUNTIME_ENVIRONMENT = Symbol('RUNTIME_ENVIRONMENT');
export const AGENT_NAME = Symbol('AGENT_NAME');

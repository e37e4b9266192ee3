export * from './anthropic-contract.server';
export * from './messages-request.validator';
export * from './tiny-mcp.path';
export * from './contract-settings';

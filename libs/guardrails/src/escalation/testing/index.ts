export * from './fake-escalation-ports';

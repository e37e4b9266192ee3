export * from './report-producer';
export * from './report.providers';
export * from './report.scheduler';
export * from './reports.controller';
export * from './unknown-report.error';

// A self-contained report.html per run (the run layer calls writeRunReport at the end of every run).
export { buildRunReport, writeRunReport, type RunReportOptions } from './run-report';

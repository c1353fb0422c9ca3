/**
 * What the partner verbs show, defined once: the verbs draw their views from these, and the
 * commands' --help lists the field names (a light module: index.ts loads it on every run).
 */
import type { Column } from '../../outcome.js';

export const PLAN_COLUMNS: Column[] = [
  { key: 'id', header: 'ID' },
  { key: 'displayName', header: 'Name', wrap: true },
  { key: 'planType', header: 'Type', rank: 4 },
  { key: 'status', header: 'Status' },
  { key: 'allowsInsurance', header: 'Insurance', rank: 2 },
  { key: 'isSystemDefault', header: 'Default', rank: 1 },
  { key: 'features', header: 'Features', wrap: true, rank: 3 },
];

/** The metrics analytics knows, in the order it shows them; new ones the API adds follow. */
export const ANALYTICS_FIELDS: Column[] = [
  { key: 'totalCustomers', header: 'Total customers' },
  { key: 'activeCustomers', header: 'Active customers' },
  { key: 'newCustomerLast30Days', header: 'New customers (30 days)' },
  { key: 'totalMonitoredDomains', header: 'Monitored domains' },
  { key: 'totalMonitoredEmails', header: 'Monitored emails' },
  { key: 'totalBreachesDetected', header: 'Breaches detected' },
];

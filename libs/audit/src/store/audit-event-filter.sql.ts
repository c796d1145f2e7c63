import type { AuditEventFiltersDto } from '../dto/audit-event-filters.dto';
import { isAllTenants, type TenantSelection } from '@app/common';

export interface EventCursor {
  t: string;
  id: string;
}

export interface FilterSql {
  where: string;
  params: unknown[];
}

/**
 * How a filter value reaches the statement: a bind parameter (`$1`), or, for COPY, which takes
 * none, a transaction-local setting the caller fills with bind parameters first
 * (`set_config(name, $1, true)`), so that no value is ever spliced into SQL text.
 */
export type Placeholder = (index: number, type: string) => string;

export const bindPlaceholder: Placeholder = (index) => `$${index}`;

export function settingName(index: number): string {
  return `sso_broker.filter_${index}`;
}

export const settingPlaceholder: Placeholder = (index, type) => `current_setting('${settingName(index)}')::${type}`;

/**
 * The WHERE clause of the list and the export. The tenant condition comes from the selection the
 * tenant-scope guard resolved, never from the cursor. Every filter is an equality or a range on an indexed
 * column, and every index ends with (occurred_at DESC, id DESC), so the keyset condition
 * continues an index range scan.
 */
export function auditEventFilterSql(
  filters: AuditEventFiltersDto,
  selection: TenantSelection,
  after?: EventCursor,
  placeholder: Placeholder = bindPlaceholder,
): FilterSql {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (placeholder: string) => string, value: unknown, type: string) => {
    params.push(value);
    conditions.push(sql(placeholder(params.length, type)));
  };
  if (!isAllTenants(selection)) add((p) => `tenant_id = ${p}`, selection.tenantId, 'uuid');
  if (filters.action !== undefined) add((p) => `action = ${p}`, filters.action, 'text');
  if (filters.actor_id !== undefined) add((p) => `actor_id = ${p}`, filters.actor_id, 'text');
  if (filters.login !== undefined) add((p) => `subject_login = ${p}`, filters.login, 'text');
  if (filters.outcome !== undefined) add((p) => `outcome = ${p}`, filters.outcome, 'text');
  if (filters.from !== undefined) add((p) => `occurred_at >= ${p}`, new Date(filters.from), 'timestamptz');
  if (filters.to !== undefined) add((p) => `occurred_at < ${p}`, new Date(filters.to), 'timestamptz');
  if (after !== undefined) {
    params.push(new Date(after.t), after.id);
    conditions.push(
      `(occurred_at, id) < (${placeholder(params.length - 1, 'timestamptz')}, ${placeholder(params.length, 'uuid')})`,
    );
  }
  return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

export const EVENT_ORDER_SQL = 'ORDER BY occurred_at DESC, id DESC';

/** Every stored column of an event, in the order of the canonical serialisation, plus chain_id and hash. */
const EVENT_COLUMN_NAMES = [
  'id',
  'chain_id',
  'tenant_id',
  'seq',
  'occurred_at',
  'action',
  'outcome',
  'actor_type',
  'actor_id',
  'actor_role',
  'ip',
  'user_agent',
  'request_id',
  'connection_id',
  'provider',
  'subject_login',
  'subject_user_id',
  'subject_external_id',
  'link_id',
  'token_fingerprint',
  'error_code',
  'metadata',
  'prev_hash',
  'hash',
] as const;

/** The select list of a stored event (seq as text: a bigint does not fit a JS number in general). */
export function eventColumnsSql(alias?: string): string {
  const prefix = alias ? `${alias}.` : '';
  return EVENT_COLUMN_NAMES.map((name) => (name === 'seq' ? `${prefix}seq::text AS seq` : `${prefix}${name}`)).join(
    ', ',
  );
}

export const EVENT_COLUMNS_SQL = eventColumnsSql();

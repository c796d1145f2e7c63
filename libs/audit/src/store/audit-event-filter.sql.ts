import { BrokerException, isAllTenants, type TenantSelection } from '@app/common';
import type { AuditEventFiltersDto, EventOrder } from '../dto/audit-event-filters.dto';

/** Where the previous page ended: (occurred_at, id) newest first, or seq in a chain oldest first. */
export type EventCursor = { t: string; id: string } | { s: string };

export interface FilterSql {
  where: string;
  params: unknown[];
  order: string;
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

export const EVENT_ORDER_SQL = 'ORDER BY occurred_at DESC, id DESC';
/** Oldest first within one chain: seq order, the UNIQUE (chain_id, seq) index. */
export const SEQ_ORDER_SQL = 'ORDER BY audit_events.seq ASC';

/**
 * order=asc and after_seq follow one chain by seq: they need a tenant (a tenant-bound key always
 * has one). Same code and wording as the guard's answer to an admin that names no tenant.
 */
export function requireChainForSeqOrder(filters: AuditEventFiltersDto, selection: TenantSelection): void {
  if (!isAllTenants(selection) || (filters.order !== 'asc' && filters.after_seq === undefined)) return;
  throw new BrokerException(400, 'tenant_id_required', 'order=asc and after_seq follow one tenant: name tenant_id.', {
    errors: [{ field: 'tenant_id', message: 'tenant_id is required with order=asc or after_seq' }],
  });
}

export function orderOf(filters: AuditEventFiltersDto): EventOrder {
  return filters.order ?? 'desc';
}

/**
 * The WHERE clause and ORDER BY of the list and the export. The tenant condition comes from the
 * selection the tenant-scope guard resolved, never from the cursor. Newest first, every filter
 * is an equality or a range on an indexed column and every list index ends with
 * (occurred_at DESC, id DESC), so the keyset condition continues an index range scan. Oldest
 * first (one chain), the order is seq: `chain_id = tenant` (equal to tenant_id for a tenant's
 * chain) lets the UNIQUE (chain_id, seq) index serve the order, after_seq and the cursor.
 */
export function auditEventFilterSql(
  filters: AuditEventFiltersDto,
  selection: TenantSelection,
  after?: EventCursor,
  placeholder: Placeholder = bindPlaceholder,
): FilterSql {
  requireChainForSeqOrder(filters, selection);
  const bySeq = orderOf(filters) === 'asc';
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (placeholder: string) => string, value: unknown, type: string) => {
    params.push(value);
    conditions.push(sql(placeholder(params.length, type)));
  };
  if (!isAllTenants(selection)) add((p) => `${bySeq ? 'chain_id' : 'tenant_id'} = ${p}`, selection.tenantId, 'uuid');
  const actions = filters.action;
  if (actions !== undefined && actions.length === 1) add((p) => `action = ${p}`, actions[0], 'text');
  // A text[] literal for COPY's settings, an array for bind parameters (pg serialises it).
  else if (actions !== undefined)
    add((p) => `action = ANY(${p})`, placeholder === bindPlaceholder ? actions : `{${actions.join(',')}}`, 'text[]');
  if (filters.actor_id !== undefined) add((p) => `actor_id = ${p}`, filters.actor_id, 'text');
  if (filters.login !== undefined) add((p) => `subject_login = ${p}`, filters.login, 'text');
  if (filters.outcome !== undefined) add((p) => `outcome = ${p}`, filters.outcome, 'text');
  if (filters.connection_id !== undefined) add((p) => `connection_id = ${p}`, filters.connection_id, 'text');
  if (filters.link_id !== undefined) add((p) => `link_id = ${p}`, filters.link_id, 'text');
  if (filters.request_id !== undefined) add((p) => `request_id = ${p}`, filters.request_id, 'text');
  if (filters.provider !== undefined) add((p) => `provider = ${p}`, filters.provider, 'text');
  if (filters.from !== undefined) add((p) => `occurred_at >= ${p}`, new Date(filters.from), 'timestamptz');
  if (filters.to !== undefined) add((p) => `occurred_at < ${p}`, new Date(filters.to), 'timestamptz');
  if (filters.after_seq !== undefined) add((p) => `audit_events.seq > ${p}`, filters.after_seq, 'bigint');
  if (after !== undefined && 's' in after) add((p) => `audit_events.seq > ${p}`, after.s, 'bigint');
  else if (after !== undefined) {
    params.push(new Date(after.t), after.id);
    conditions.push(
      `(occurred_at, id) < (${placeholder(params.length - 1, 'timestamptz')}, ${placeholder(params.length, 'uuid')})`,
    );
  }
  return {
    where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '',
    params,
    order: bySeq ? SEQ_ORDER_SQL : EVENT_ORDER_SQL,
  };
}

/**
 * The list statement (store and bench share it): `limit` rows of the selection after the cursor.
 * Several actions become one ordered, limited branch per action under UNION ALL, merged and cut
 * to `limit` again: each branch is an index range scan of at most `limit` entries (the
 * (tenant_id, action, …) or (action, …) index), where `action = ANY(…)` would make PostgreSQL
 * collect every matching row of the tenant and sort them (docs/audit.md#figures).
 */
export function listEventsSql(
  filters: AuditEventFiltersDto,
  selection: TenantSelection,
  after: EventCursor | undefined,
  limit: number,
): { sql: string; params: unknown[] } {
  const actions = filters.action ?? [];
  if (actions.length <= 1) {
    const { where, params, order } = auditEventFilterSql(filters, selection, after);
    params.push(limit);
    return { sql: `SELECT ${EVENT_COLUMNS_SQL} FROM audit_events ${where} ${order} LIMIT $${params.length}`, params };
  }
  const params: unknown[] = [limit];
  const branches = actions.map((action) => {
    const offset = params.length;
    const branch = auditEventFilterSql({ ...filters, action: [action] }, selection, after, (i) => `$${offset + i}`);
    params.push(...branch.params);
    return `(SELECT ${EVENT_COLUMNS_SQL} FROM audit_events ${branch.where} ${branch.order} LIMIT $1)`;
  });
  // seq is text in the select list: the merged order casts it back.
  const order = orderOf(filters) === 'asc' ? 'ORDER BY merged.seq::bigint ASC' : 'ORDER BY occurred_at DESC, id DESC';
  return { sql: `SELECT * FROM (${branches.join(' UNION ALL ')}) merged ${order} LIMIT $1`, params };
}

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

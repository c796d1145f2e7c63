import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Drawer,
  Group,
  MultiSelect,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, data, type Schemas, type Session } from '../api';
import { ProblemAlert } from '../errors';
import { navigate, useRoute } from '../route';
import { useTenants } from './Tenants';

type AuditEvent = Schemas['AuditEventDto'];
type Action = AuditEvent['action'];

/** Every action the API filters on; the check below fails the build when the API gains one. */
const ACTIONS = [
  'tenant.created',
  'tenant.updated',
  'tenant.deleted',
  'connection.created',
  'connection.updated',
  'connection.deleted',
  'connection.checked',
  'credential.rotated',
  'api_key.created',
  'api_key.revoked',
  'login_link.issued',
  'login_link.failed',
  'login_link.redeemed',
  'login_link.redeem_rejected',
  'login_link.replayed',
  'login_link.revoked',
  'vault.rewrapped',
  'console.signed_in',
  'console.signed_out',
  'console.sign_in_failed',
] as const satisfies readonly Action[];
const everyActionListed: Exclude<Action, (typeof ACTIONS)[number]> extends never ? true : false = true;
void everyActionListed;

/** The text filters of GET /v1/audit-events, each an input of the same name. */
const TEXT_FILTERS = ['actor_id', 'login', 'connection_id', 'link_id', 'request_id', 'provider', 'after_seq'] as const;
const FILTERS = ['tenant_id', 'action', 'outcome', 'from', 'to', 'order', ...TEXT_FILTERS] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

function filtersOf(params: URLSearchParams): Filters {
  const out: Filters = {};
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value) out[name] = value;
  }
  return out;
}

function apiQuery(filters: Filters) {
  return {
    ...filters,
    action: filters.action ? (filters.action.split(',') as Action[]) : undefined,
    outcome: filters.outcome as 'success' | 'failure' | undefined,
    order: filters.order as 'asc' | 'desc' | undefined,
  };
}

function exportHref(filters: Filters, format: 'csv' | 'ndjson'): string {
  const query = new URLSearchParams({ format });
  for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
  return `/v1/audit-events/export?${query.toString()}`;
}

/** datetime-local (the person's clock) ↔ the API's ISO instants. */
const toInstant = (local: string) => (local ? new Date(local).toISOString() : '');
const toLocal = (iso: string | undefined) => {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

export function AuditPage({ session }: { session: Session }) {
  const route = useRoute();
  const filters = filtersOf(route.params);
  const cursor = route.params.get('cursor') ?? undefined;
  const trail = (route.params.get('back') ?? '').split('.').filter(Boolean);
  const [selected, setSelected] = useState<AuditEvent | null>(null);
  const page = useQuery({
    queryKey: ['audit-events', filters, cursor],
    queryFn: () =>
      data(api.GET('/v1/audit-events', { params: { query: { ...apiQuery(filters), limit: 50, cursor } } })),
    placeholderData: keepPreviousData,
  });
  const go = (next: string | undefined, back: string[]) =>
    navigate('/audit', { ...filters, cursor: next, back: back.length ? back.join('.') : undefined });
  return (
    <>
      <Title order={2}>Audit log</Title>
      <FilterForm key={route.params.toString()} session={session} initial={filters} />
      <Group>
        <Button component="a" variant="default" href={exportHref(filters, 'csv')} download>
          Export CSV
        </Button>
        <Button component="a" variant="default" href={exportHref(filters, 'ndjson')} download>
          Export NDJSON
        </Button>
        <Verify tenantId={filters.tenant_id} session={session} />
      </Group>
      <ProblemAlert error={page.error} />
      <Table.ScrollContainer minWidth={760}>
        <Table striped highlightOnHover aria-label="Audit events" aria-busy={page.isFetching}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Time (UTC)</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Outcome</Table.Th>
              <Table.Th>Tenant · seq</Table.Th>
              <Table.Th>Actor</Table.Th>
              <Table.Th>Subject</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(page.data?.data ?? []).map((event) => (
              <Table.Tr key={event.id}>
                <Table.Td>
                  <Anchor component="button" type="button" size="sm" onClick={() => setSelected(event)}>
                    {event.occurred_at.replace('T', ' ').slice(0, 19)}
                  </Anchor>
                </Table.Td>
                <Table.Td>{event.action}</Table.Td>
                <Table.Td>
                  <Badge color={event.outcome === 'success' ? 'teal.9' : 'red.9'}>{event.outcome}</Badge>
                </Table.Td>
                <Table.Td>
                  {event.tenant_id ? event.tenant_id.slice(0, 8) : 'broker'} · {event.seq}
                </Table.Td>
                <Table.Td>{event.actor.role ?? event.actor.type}</Table.Td>
                <Table.Td>{event.subject.login ?? event.subject.user_id ?? event.subject.external_id ?? ''}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {page.data?.data.length === 0 && <Text size="sm">No event matches these filters.</Text>}
      <Group>
        <Button
          variant="default"
          disabled={trail.length === 0 && cursor === undefined}
          onClick={() => go(trail.at(-1) || undefined, trail.slice(0, -1))}
        >
          Previous page
        </Button>
        <Button
          variant="default"
          disabled={!page.data?.next_cursor}
          onClick={() => page.data?.next_cursor && go(page.data.next_cursor, [...trail, cursor ?? ''])}
        >
          Next page
        </Button>
        <Text size="sm">page {trail.length + (cursor ? 1 : 0) + 1}</Text>
      </Group>
      <Drawer
        closeButtonProps={{ 'aria-label': 'Close' }}
        opened={selected !== null}
        onClose={() => setSelected(null)}
        title="Audit event"
        position="right"
        size="lg"
      >
        {selected && <EventDetail event={selected} />}
      </Drawer>
    </>
  );
}

function FilterForm({ session, initial }: { session: Session; initial: Filters }) {
  const [values, setValues] = useState<Filters>(initial);
  const tenants = useTenants(session.role === 'admin');
  // GET /v1/tenants is for admins: a global auditor names a tenant by its id.
  const tenantOptions =
    session.role === 'admin'
      ? (tenants.data?.pages.flatMap((p) => p.data) ?? []).map((t) => ({ value: t.id, label: t.name }))
      : [];
  const set = (name: keyof Filters, value: string | null) => setValues({ ...values, [name]: value ?? '' });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate('/audit', values);
  };
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} aria-label="Audit filters">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="sm">
          {session.role === 'admin' ? (
            <Select
              label="Tenant"
              placeholder="every tenant"
              data={tenantOptions}
              value={values.tenant_id || null}
              onChange={(v) => set('tenant_id', v)}
              clearable
              searchable
            />
          ) : session.tenant_id === null ? (
            <TextInput
              label="Tenant id"
              placeholder="every tenant"
              value={values.tenant_id ?? ''}
              onChange={(e) => set('tenant_id', e.currentTarget.value.trim())}
            />
          ) : (
            <TextInput label="Tenant" value="your tenant" readOnly />
          )}
          <MultiSelect
            label="Action"
            placeholder="any"
            data={[...ACTIONS]}
            value={values.action ? values.action.split(',') : []}
            onChange={(v) => set('action', v.join(','))}
            clearable
            searchable
          />
          <Select
            label="Outcome"
            placeholder="any"
            data={['success', 'failure']}
            value={values.outcome || null}
            onChange={(v) => set('outcome', v)}
            clearable
          />
          <Select
            label="Order"
            data={[
              { value: 'desc', label: 'newest first' },
              { value: 'asc', label: 'by seq (one tenant)' },
            ]}
            value={values.order || 'desc'}
            onChange={(v) => set('order', v === 'desc' ? '' : v)}
            allowDeselect={false}
          />
          <TextInput
            label="From"
            type="datetime-local"
            value={toLocal(values.from)}
            onChange={(e) => set('from', toInstant(e.currentTarget.value))}
          />
          <TextInput
            label="To"
            type="datetime-local"
            value={toLocal(values.to)}
            onChange={(e) => set('to', toInstant(e.currentTarget.value))}
          />
          {TEXT_FILTERS.map((name) => (
            <TextInput
              key={name}
              label={name.replace(/_/g, ' ')}
              value={values[name] ?? ''}
              onChange={(e) => set(name, e.currentTarget.value)}
            />
          ))}
        </SimpleGrid>
        <Group mt="sm">
          <Button type="submit">Apply filters</Button>
          <Button variant="subtle" onClick={() => navigate('/audit')}>
            Clear
          </Button>
        </Group>
      </form>
    </Paper>
  );
}

function EventDetail({ event }: { event: AuditEvent }) {
  const rows: Array<[string, string | number | null]> = [
    ['id', event.id],
    ['action', event.action],
    ['outcome', event.outcome],
    ['occurred at', event.occurred_at],
    ['tenant', event.tenant_id ?? 'broker-wide chain'],
    ['chain', event.chain_id],
    ['seq', event.seq],
    ['hash', event.hash],
    ['previous hash', event.prev_hash],
    ['request id', event.request_id],
    ['actor', [event.actor.type, event.actor.role, event.actor.id].filter(Boolean).join(' · ')],
    ['ip', event.ip],
    ['user agent', event.user_agent],
    ['connection', event.connection_id],
    ['provider', event.provider],
    ['link', event.link_id],
    ['token fingerprint', event.token_fingerprint],
    ['error code', event.error_code],
  ];
  return (
    <Stack gap="xs">
      <Table>
        <Table.Tbody>
          {rows.map(([name, value]) => (
            <Table.Tr key={name}>
              <Table.Th scope="row" w={150}>
                {name}
              </Table.Th>
              <Table.Td style={{ wordBreak: 'break-all' }}>
                {value === null || value === '' ? '—' : String(value)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text fw={600} size="sm">
        Subject
      </Text>
      <Code block>{JSON.stringify(event.subject, null, 2)}</Code>
      <Text fw={600} size="sm">
        Metadata
      </Text>
      <Code block>{JSON.stringify(event.metadata, null, 2)}</Code>
    </Stack>
  );
}

function Verify({ tenantId, session }: { tenantId: string | undefined; session: Session }) {
  const verify = useMutation({
    mutationFn: () =>
      data(api.GET('/v1/audit-events/verify', { params: { query: tenantId ? { tenant_id: tenantId } : {} } })),
  });
  const verdict = verify.data;
  const chain = tenantId ? 'this tenant’s chain' : session.tenant_id ? 'your tenant’s chain' : 'the broker-wide chain';
  return (
    <>
      <Button onClick={() => verify.mutate()} loading={verify.isPending}>
        Verify {chain}
      </Button>
      {verdict && (
        <Alert
          w="100%"
          role="status"
          color={verdict.ok ? 'teal' : 'red'}
          title={
            verdict.ok
              ? `Chain intact: ${verdict.events_checked} events verified`
              : `Chain broken at seq ${verdict.first_broken_seq ?? '?'}`
          }
        >
          <Text size="sm">
            head seq {verdict.head_seq ?? '—'} · head hash <Code>{verdict.head_hash ?? '—'}</Code>
          </Text>
          <Text size="sm">
            {verdict.checkpoints_checked} signed checkpoint{verdict.checkpoints_checked === 1 ? '' : 's'} checked
            {verdict.latest_checkpoint
              ? `; latest covers seq ${verdict.latest_checkpoint.seq}, signed ${verdict.latest_checkpoint.time} by ${verdict.latest_checkpoint.key_name} (${verdict.latest_checkpoint.source})`
              : '; no checkpoint yet'}
          </Text>
          {verdict.problems.map((problem) => (
            <Text size="sm" key={`${problem.seq}-${problem.problem}`}>
              seq {problem.seq}: {problem.problem} — {problem.detail}
            </Text>
          ))}
        </Alert>
      )}
      <ProblemAlert error={verify.error} />
    </>
  );
}

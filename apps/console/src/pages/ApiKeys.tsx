import {
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, data, fieldErrors, type Schemas } from '../api';
import { ProblemAlert } from '../errors';
import { useTenants } from './Tenants';

type Role = Schemas['CreateApiKeyDto']['role'];

export function ApiKeysPage() {
  const tenants = useTenants();
  const tenantOptions = (tenants.data?.pages.flatMap((p) => p.data) ?? []).map((t) => ({ value: t.id, label: t.name }));
  const tenantName = new Map(tenantOptions.map((t) => [t.value, t.label]));
  const [tenantFilter, setTenantFilter] = useState<string | null>(null);
  const keys = useQuery({
    queryKey: ['api-keys', tenantFilter],
    queryFn: () =>
      data(
        api.GET('/v1/api-keys', {
          params: { query: { limit: 500, ...(tenantFilter ? { tenant_id: tenantFilter } : {}) } },
        }),
      ),
  });
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) => api.DELETE('/v1/api-keys/{id}', { params: { path: { id } } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
  return (
    <>
      <Title order={2}>API keys</Title>
      <CreateKey tenants={tenantOptions} />
      <Select
        label="Tenant"
        placeholder="every tenant"
        data={tenantOptions}
        value={tenantFilter}
        onChange={setTenantFilter}
        clearable
        searchable
        maw={360}
      />
      <ProblemAlert error={keys.error ?? revoke.error} />
      <Table.ScrollContainer minWidth={720}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Tenant</Table.Th>
              <Table.Th>Prefix</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>State</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(keys.data?.data ?? []).map((key) => (
              <Table.Tr key={key.id}>
                <Table.Td>{key.name}</Table.Td>
                <Table.Td>{key.role}</Table.Td>
                <Table.Td>{key.tenant_id ? (tenantName.get(key.tenant_id) ?? key.tenant_id) : 'every tenant'}</Table.Td>
                <Table.Td>
                  <Code>{key.prefix}</Code>
                </Table.Td>
                <Table.Td>{key.expires_at ? new Date(key.expires_at).toLocaleString() : 'never'}</Table.Td>
                <Table.Td>{key.last_used_at ? new Date(key.last_used_at).toLocaleString() : '—'}</Table.Td>
                <Table.Td>
                  {key.revoked_at ? (
                    <Badge color="gray.7">revoked</Badge>
                  ) : (
                    <Button size="xs" color="red.9" variant="outline" onClick={() => revoke.mutate(key.id)}>
                      Revoke<VisuallyHidden> {key.name}</VisuallyHidden>
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}

function CreateKey({ tenants }: { tenants: Array<{ value: string; label: string }> }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('portal');
  const [tenantId, setTenantId] = useState<string | null>(null);
  const [expiresAt, setExpiresAt] = useState('');
  const [created, setCreated] = useState<Schemas['CreatedApiKeyDto'] | null>(null);
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () =>
      data(
        api.POST('/v1/api-keys', {
          body: {
            name,
            role,
            ...(tenantId && role !== 'admin' ? { tenant_id: tenantId } : {}),
            ...(expiresAt ? { expires_at: new Date(expiresAt).toISOString() } : {}),
          },
        }),
      ),
    onSuccess: async (key) => {
      setCreated(key);
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} aria-label="Create an API key">
        <Stack gap="sm">
          <Title order={3}>Create an API key</Title>
          <Group align="flex-start" grow preventGrowOverflow={false} wrap="wrap">
            <TextInput
              label="Name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.name}
              required
              miw={180}
            />
            <Select
              label="Role"
              data={['portal', 'auditor', 'admin']}
              value={role}
              onChange={(v) => setRole(v ?? 'portal')}
              allowDeselect={false}
              error={errors.role}
              miw={140}
            />
            <Select
              label="Tenant"
              placeholder={
                role === 'admin' ? 'admin keys span every tenant' : role === 'auditor' ? 'every tenant' : 'required'
              }
              data={tenants}
              value={tenantId}
              onChange={setTenantId}
              disabled={role === 'admin'}
              clearable
              searchable
              error={errors.tenant_id}
              miw={180}
            />
            <TextInput
              label="Expires at (optional)"
              type="datetime-local"
              value={expiresAt}
              onChange={(e) => setExpiresAt(e.currentTarget.value)}
              error={errors.expires_at}
              miw={200}
            />
          </Group>
          <Group>
            <Button type="submit" loading={create.isPending}>
              Create key
            </Button>
          </Group>
          {Object.keys(errors).length === 0 && <ProblemAlert error={create.error} />}
        </Stack>
      </form>
      {created && (
        <Modal
          closeButtonProps={{ 'aria-label': 'Close' }}
          opened
          onClose={() => setCreated(null)}
          title="Copy the new key now"
          size="lg"
        >
          <Stack>
            <Text size="sm">
              This is the only time the key <strong>{created.name}</strong> is shown. Store it where its user keeps
              secrets.
            </Text>
            <Code block data-testid="new-key" style={{ wordBreak: 'break-all' }}>
              {created.key}
            </Code>
            <Group justify="flex-end">
              <CopyButton value={created.key}>
                {({ copied, copy }) => (
                  <Button color="blue.8" onClick={copy}>
                    {copied ? 'Copied' : 'Copy key'}
                  </Button>
                )}
              </CopyButton>
              <Button variant="default" onClick={() => setCreated(null)}>
                Done
              </Button>
            </Group>
          </Stack>
        </Modal>
      )}
    </Paper>
  );
}

import {
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, data, fieldErrors, type Schemas } from '../api';
import { ProblemAlert } from '../errors';
import { href, navigate } from '../route';

type Tenant = Schemas['TenantDto'];

export function useTenants(enabled = true) {
  return useInfiniteQuery({
    queryKey: ['tenants'],
    enabled,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      data(api.GET('/v1/tenants', { params: { query: { limit: 500, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export function TenantsPage() {
  const tenants = useTenants();
  const [search, setSearch] = useState('');
  const [deleting, setDeleting] = useState<Tenant | null>(null);
  const queryClient = useQueryClient();
  const setStatus = useMutation({
    mutationFn: ({ id, status }: { id: string; status: Tenant['status'] }) =>
      data(api.PATCH('/v1/tenants/{tenant_id}', { params: { path: { tenant_id: id } }, body: { status } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tenants'] }),
  });
  const needle = search.trim().toLowerCase();
  const rows = (tenants.data?.pages.flatMap((page) => page.data) ?? []).filter(
    (t) => needle === '' || t.name.toLowerCase().includes(needle) || t.slug.includes(needle) || t.id.startsWith(needle),
  );
  return (
    <>
      <Title order={2}>Tenants</Title>
      <CreateTenant />
      <TextInput
        label="Search"
        placeholder="name, slug or id"
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        maw={360}
      />
      <ProblemAlert error={tenants.error ?? setStatus.error} />
      <Table.ScrollContainer minWidth={560}>
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Slug</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((tenant) => (
              <Table.Tr key={tenant.id}>
                <Table.Td>
                  <Anchor href={href(`/tenants/${tenant.id}`)}>{tenant.name}</Anchor>
                </Table.Td>
                <Table.Td>{tenant.slug}</Table.Td>
                <Table.Td>
                  <Badge color={tenant.status === 'active' ? 'teal.9' : 'gray.7'}>{tenant.status}</Badge>
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() =>
                        setStatus.mutate({ id: tenant.id, status: tenant.status === 'active' ? 'suspended' : 'active' })
                      }
                    >
                      {tenant.status === 'active' ? 'Suspend' : 'Resume'}
                      <VisuallyHidden> {tenant.name}</VisuallyHidden>
                    </Button>
                    <Button size="xs" color="red.9" variant="outline" onClick={() => setDeleting(tenant)}>
                      Delete<VisuallyHidden> {tenant.name}</VisuallyHidden>
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {rows.length === 0 && !tenants.isPending && <Text size="sm">No tenant matches.</Text>}
      {tenants.hasNextPage && (
        <Button variant="default" onClick={() => void tenants.fetchNextPage()} loading={tenants.isFetchingNextPage}>
          Load more
        </Button>
      )}
      {deleting && <DeleteTenant tenant={deleting} onClose={() => setDeleting(null)} />}
    </>
  );
}

function CreateTenant() {
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () => data(api.POST('/v1/tenants', { body: { name, ...(slug ? { slug } : {}) } })),
    onSuccess: async (tenant) => {
      setName('');
      setSlug('');
      await queryClient.invalidateQueries({ queryKey: ['tenants'] });
      navigate(`/tenants/${tenant.id}`);
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} aria-label="Create a tenant">
        <Group align="flex-start">
          <TextInput
            label="New tenant name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
            required
          />
          <TextInput
            label="Slug (optional)"
            value={slug}
            onChange={(e) => setSlug(e.currentTarget.value)}
            error={errors.slug}
          />
          <Button type="submit" mt={25} loading={create.isPending}>
            Create tenant
          </Button>
        </Group>
        {Object.keys(errors).length === 0 && <ProblemAlert error={create.error} />}
      </form>
    </Paper>
  );
}

/** Deleting destroys the tenant's keys, connections and links: the person types its name to confirm. */
function DeleteTenant({ tenant, onClose }: { tenant: Tenant; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api.DELETE('/v1/tenants/{tenant_id}', { params: { path: { tenant_id: tenant.id } } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['tenants'] });
      onClose();
    },
  });
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened onClose={onClose} title={`Delete ${tenant.name}?`}>
      <Stack>
        <Text size="sm">
          Its API keys, connections, credentials and links are destroyed; its audit events stay. Type{' '}
          <strong>{tenant.name}</strong> to confirm.
        </Text>
        <TextInput label="Tenant name" value={typed} onChange={(e) => setTyped(e.currentTarget.value)} data-autofocus />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            color="red.9"
            disabled={typed !== tenant.name}
            onClick={() => remove.mutate()}
            loading={remove.isPending}
          >
            Delete tenant
          </Button>
        </Group>
        <ProblemAlert error={remove.error} />
      </Stack>
    </Modal>
  );
}

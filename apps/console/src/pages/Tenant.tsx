import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, type CreateConnectionBody, type CredentialsBody, data, fieldErrors, type Schemas } from '../api';
import { ProblemAlert } from '../errors';
import { type FormValues, PROVIDERS, SchemaFields, toObject, toValues, useSchemas } from '../provider-schema';
import { href } from '../route';

type Connection = Schemas['ConnectionDto'];

export function TenantPage({ tenantId }: { tenantId: string }) {
  const tenant = useQuery({
    queryKey: ['tenant', tenantId],
    queryFn: () => data(api.GET('/v1/tenants/{tenant_id}', { params: { path: { tenant_id: tenantId } } })),
  });
  const connections = useQuery({
    queryKey: ['connections', tenantId],
    queryFn: () =>
      data(
        api.GET('/v1/tenants/{tenant_id}/connections', {
          params: { path: { tenant_id: tenantId }, query: { limit: 500 } },
        }),
      ),
  });
  return (
    <>
      <Anchor href={href('/tenants')} size="sm">
        ← Tenants
      </Anchor>
      <Group>
        <Title order={2}>{tenant.data?.name ?? 'Tenant'}</Title>
        {tenant.data && (
          <Badge color={tenant.data.status === 'active' ? 'teal.9' : 'gray.7'}>{tenant.data.status}</Badge>
        )}
      </Group>
      {tenant.data && (
        <Text size="sm">
          slug {tenant.data.slug} · id {tenant.data.id}
        </Text>
      )}
      <ProblemAlert error={tenant.error ?? connections.error} />
      <Title order={3}>Connections</Title>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {(connections.data?.data ?? []).map((connection) => (
          <ConnectionCard key={connection.id} connection={connection} />
        ))}
      </SimpleGrid>
      {connections.data?.data.length === 0 && <Text size="sm">No connection yet.</Text>}
      <ConnectionForm tenantId={tenantId} />
      <TestLink tenantId={tenantId} connections={connections.data?.data ?? []} />
    </>
  );
}

function ConnectionCard({ connection }: { connection: Connection }) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<'settings' | 'credentials' | null>(null);
  const path = { tenant_id: connection.tenant_id, connection_id: connection.id };
  const check = useMutation({
    mutationFn: () => data(api.POST('/v1/tenants/{tenant_id}/connections/{connection_id}/check', { params: { path } })),
  });
  const remove = useMutation({
    mutationFn: () => api.DELETE('/v1/tenants/{tenant_id}/connections/{connection_id}', { params: { path } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['connections', connection.tenant_id] }),
  });
  return (
    <Card withBorder padding="md" aria-label={`Connection ${connection.name}`} component="section">
      <Group justify="space-between" wrap="nowrap">
        <Title order={4}>{connection.name}</Title>
        <Badge color="blue.9">{connection.provider}</Badge>
      </Group>
      <Text size="sm" mt={4} style={{ wordBreak: 'break-all' }}>
        {connection.base_url}
      </Text>
      <Text size="xs" mt={4}>
        credential {connection.credential.kind} v{connection.credential.version} · launch{' '}
        {connection.launch_confirmation}
        {connection.launch_expires_in ? ` · links last ${connection.launch_expires_in} s` : ''}
        {connection.policy.require_reason ? ' · reason required' : ''}
        {connection.policy.max_links_per_subject_per_hour
          ? ` · ${connection.policy.max_links_per_subject_per_hour} links/subject/h`
          : ''}
      </Text>
      <Group gap="xs" mt="sm">
        <Button size="xs" onClick={() => check.mutate()} loading={check.isPending}>
          Check
        </Button>
        <Button size="xs" variant="default" onClick={() => setEditing('settings')}>
          Edit
        </Button>
        <Button size="xs" variant="default" onClick={() => setEditing('credentials')}>
          Rotate credentials
        </Button>
        <Button size="xs" color="red.9" variant="outline" onClick={() => remove.mutate()} loading={remove.isPending}>
          Delete
        </Button>
      </Group>
      {check.data && (
        <Alert
          mt="sm"
          color={check.data.ok ? 'teal' : 'red'}
          title={check.data.ok ? 'Check passed' : 'Check failed'}
          role="status"
        >
          {check.data.detail}
          {check.data.code ? ` (${check.data.code})` : ''}
        </Alert>
      )}
      <ProblemAlert error={check.error ?? remove.error} />
      {editing && <EditConnection connection={connection} mode={editing} onClose={() => setEditing(null)} />}
    </Card>
  );
}

interface LaunchAndPolicy {
  launch_confirmation: 'auto' | 'click';
  launch_expires_in: string;
  require_reason: boolean;
  max_links_per_subject_per_hour: string;
}

function LaunchPolicyFields({
  value,
  onChange,
  errors,
}: {
  value: LaunchAndPolicy;
  onChange: (v: LaunchAndPolicy) => void;
  errors: Record<string, string>;
}) {
  return (
    <Stack gap="xs">
      <Select
        label="Launch confirmation"
        description="auto: the continue page submits at once; click: only the person's click redeems"
        data={['auto', 'click']}
        value={value.launch_confirmation}
        onChange={(v) => onChange({ ...value, launch_confirmation: v ?? 'auto' })}
        allowDeselect={false}
        error={errors.launch_confirmation}
      />
      <NumberInput
        label="Launch link lifetime (seconds)"
        description="Empty: the broker's default"
        value={value.launch_expires_in}
        onChange={(v) => onChange({ ...value, launch_expires_in: String(v) })}
        error={errors.launch_expires_in}
      />
      <Checkbox
        label="Require a reason on every link request"
        checked={value.require_reason}
        onChange={(e) => onChange({ ...value, require_reason: e.currentTarget.checked })}
      />
      <NumberInput
        label="Links per subject per hour"
        description="Empty: no limit"
        value={value.max_links_per_subject_per_hour}
        onChange={(v) => onChange({ ...value, max_links_per_subject_per_hour: String(v) })}
        error={errors['policy.max_links_per_subject_per_hour']}
      />
    </Stack>
  );
}

const NO_LAUNCH_SETTINGS: LaunchAndPolicy = {
  launch_confirmation: 'auto',
  launch_expires_in: '',
  require_reason: false,
  max_links_per_subject_per_hour: '',
};

function policyOf(value: LaunchAndPolicy): Schemas['ConnectionPolicyDto'] {
  return {
    ...(value.require_reason ? { require_reason: true } : {}),
    ...(value.max_links_per_subject_per_hour
      ? { max_links_per_subject_per_hour: Number(value.max_links_per_subject_per_hour) }
      : {}),
  };
}

function ConnectionForm({ tenantId }: { tenantId: string }) {
  const schemas = useSchemas();
  const queryClient = useQueryClient();
  const [provider, setProvider] = useState('acronis');
  const [kind, setKind] = useState(PROVIDERS.acronis.credentials[0].kind);
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [settings, setSettings] = useState<FormValues>({});
  const [credentials, setCredentials] = useState<FormValues>({});
  const [launch, setLaunch] = useState<LaunchAndPolicy>(NO_LAUNCH_SETTINGS);
  const forms = PROVIDERS[provider];
  const credentialSchema = forms.credentials.find((c) => c.kind === kind) ?? forms.credentials[0];
  const create = useMutation({
    mutationFn: () =>
      data(
        api.POST('/v1/tenants/{tenant_id}/connections', {
          params: { path: { tenant_id: tenantId } },
          body: {
            name,
            provider,
            base_url: baseUrl,
            settings: toObject(schemas.data?.[forms.settings], settings),
            credentials: toObject(schemas.data?.[credentialSchema.schema], credentials),
            launch_confirmation: launch.launch_confirmation,
            ...(launch.launch_expires_in ? { launch_expires_in: Number(launch.launch_expires_in) } : {}),
            policy: policyOf(launch),
          } as CreateConnectionBody,
        }),
      ),
    onSuccess: async () => {
      setName('');
      setBaseUrl('');
      setSettings({});
      setCredentials({});
      setLaunch(NO_LAUNCH_SETTINGS);
      await queryClient.invalidateQueries({ queryKey: ['connections', tenantId] });
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const chooseProvider = (value: string) => {
    setProvider(value);
    setKind(PROVIDERS[value].credentials[0].kind);
    setSettings({});
    setCredentials({});
  };
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} aria-label="Add a connection">
        <Stack gap="sm">
          <Title order={3}>Add a connection</Title>
          <Select
            label="Provider"
            data={Object.entries(PROVIDERS).map(([value, p]) => ({ value, label: p.label }))}
            value={provider}
            onChange={(v) => v && chooseProvider(v)}
            allowDeselect={false}
            error={errors.provider}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.name}
              required
            />
            <TextInput
              label="Base URL"
              placeholder="https://…"
              value={baseUrl}
              onChange={(e) => setBaseUrl(e.currentTarget.value)}
              error={errors.base_url}
              required
            />
          </SimpleGrid>
          <Title order={4} size="h5">
            Settings
          </Title>
          <SchemaFields
            schema={schemas.data?.[forms.settings]}
            values={settings}
            onChange={setSettings}
            errors={errors}
            prefix="settings"
          />
          <Title order={4} size="h5">
            Credentials (write-only)
          </Title>
          {forms.credentials.length > 1 && (
            <SegmentedControl
              aria-label="Credential kind"
              value={credentialSchema.kind}
              onChange={(v) => {
                setKind(v);
                setCredentials({});
              }}
              data={forms.credentials.map((c) => ({ value: c.kind, label: c.label }))}
            />
          )}
          <SchemaFields
            schema={schemas.data?.[credentialSchema.schema]}
            values={credentials}
            onChange={setCredentials}
            errors={errors}
            prefix="credentials"
          />
          <Title order={4} size="h5">
            Launch and issuance policy
          </Title>
          <LaunchPolicyFields value={launch} onChange={setLaunch} errors={errors} />
          <Group>
            <Button type="submit" loading={create.isPending}>
              Add connection
            </Button>
          </Group>
          <ProblemAlert error={create.error ?? schemas.error} />
        </Stack>
      </form>
    </Paper>
  );
}

function EditConnection({
  connection,
  mode,
  onClose,
}: {
  connection: Connection;
  mode: 'settings' | 'credentials';
  onClose: () => void;
}) {
  const schemas = useSchemas();
  const queryClient = useQueryClient();
  const forms = PROVIDERS[connection.provider];
  const [kind, setKind] = useState(forms?.credentials[0].kind ?? '');
  const [settings, setSettings] = useState<FormValues>(toValues(connection.settings));
  const [credentials, setCredentials] = useState<FormValues>({});
  const [launch, setLaunch] = useState<LaunchAndPolicy>({
    launch_confirmation: connection.launch_confirmation,
    launch_expires_in: connection.launch_expires_in === null ? '' : String(connection.launch_expires_in),
    require_reason: connection.policy.require_reason ?? false,
    max_links_per_subject_per_hour: connection.policy.max_links_per_subject_per_hour
      ? String(connection.policy.max_links_per_subject_per_hour)
      : '',
  });
  const path = { tenant_id: connection.tenant_id, connection_id: connection.id };
  const credentialSchema = forms?.credentials.find((c) => c.kind === kind) ?? forms?.credentials[0];
  const save = useMutation({
    mutationFn: async () => {
      if (mode === 'credentials') {
        return data(
          api.PUT('/v1/tenants/{tenant_id}/connections/{connection_id}/credentials', {
            params: { path },
            body: toObject(
              credentialSchema ? schemas.data?.[credentialSchema.schema] : undefined,
              credentials,
            ) as CredentialsBody,
          }),
        );
      }
      return data(
        api.PATCH('/v1/tenants/{tenant_id}/connections/{connection_id}', {
          params: { path },
          body: {
            settings: toObject(forms ? schemas.data?.[forms.settings] : undefined, settings),
            launch_confirmation: launch.launch_confirmation,
            launch_expires_in: launch.launch_expires_in ? Number(launch.launch_expires_in) : null,
            policy: policyOf(launch),
          },
        }),
      );
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['connections', connection.tenant_id] });
      onClose();
    },
  });
  const errors = fieldErrors(save.error);
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened
      onClose={onClose}
      title={mode === 'credentials' ? `Rotate the credentials of ${connection.name}` : `Edit ${connection.name}`}
      size="lg"
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        <Stack gap="sm">
          {mode === 'credentials' && forms && credentialSchema ? (
            <>
              <Text size="sm">
                The new credential replaces the current one (version {connection.credential.version}); it is never shown
                again.
              </Text>
              {forms.credentials.length > 1 && (
                <SegmentedControl
                  aria-label="Credential kind"
                  value={credentialSchema.kind}
                  onChange={setKind}
                  data={forms.credentials.map((c) => ({ value: c.kind, label: c.label }))}
                />
              )}
              <SchemaFields
                schema={schemas.data?.[credentialSchema.schema]}
                values={credentials}
                onChange={setCredentials}
                errors={errors}
                prefix="credentials"
              />
            </>
          ) : (
            <>
              {forms && (
                <SchemaFields
                  schema={schemas.data?.[forms.settings]}
                  values={settings}
                  onChange={setSettings}
                  errors={errors}
                  prefix="settings"
                />
              )}
              <LaunchPolicyFields value={launch} onChange={setLaunch} errors={errors} />
            </>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
          </Group>
          <ProblemAlert error={save.error} />
        </Stack>
      </form>
    </Modal>
  );
}

/** Issues a launch link as the admin would for a portal user, and opens it in a new tab. */
function TestLink({ tenantId, connections }: { tenantId: string; connections: Connection[] }) {
  const [connection, setConnection] = useState<string | null>(null);
  const [login, setLogin] = useState('');
  const [reason, setReason] = useState('');
  const [issuedUrl, setIssuedUrl] = useState<string | null>(null);
  const issue = useMutation({
    mutationFn: () =>
      data(
        api.POST('/v1/login-links', {
          body: {
            tenant_id: tenantId,
            connection: connection ?? '',
            user: { login },
            delivery: 'launch',
            ...(reason ? { reason } : {}),
          },
        }),
      ),
    onSuccess: (link) => {
      setIssuedUrl(link.url);
      window.open(link.url, '_blank', 'noopener,noreferrer');
    },
  });
  const errors = fieldErrors(issue.error);
  return (
    <Paper withBorder p="md">
      <form
        aria-label="Issue a test link"
        onSubmit={(event) => {
          event.preventDefault();
          issue.mutate();
        }}
      >
        <Stack gap="sm">
          <Title order={3}>Issue a test link</Title>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select
              label="Connection"
              data={connections.map((c) => ({ value: c.name, label: `${c.name} (${c.provider})` }))}
              value={connection}
              onChange={setConnection}
              error={errors.connection}
              required
            />
            <TextInput
              label="User login"
              value={login}
              onChange={(e) => setLogin(e.currentTarget.value)}
              error={errors['user.login'] ?? errors.user}
              required
            />
            <TextInput
              label="Reason (if the policy asks)"
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              error={errors.reason}
            />
          </SimpleGrid>
          <Group>
            <Button type="submit" loading={issue.isPending}>
              Issue and open in a new tab
            </Button>
          </Group>
          {issuedUrl && (
            <Text size="sm">
              Opened{' '}
              <Anchor href={issuedUrl} target="_blank" rel="noopener noreferrer">
                the launch link
              </Anchor>{' '}
              in a new tab (one use).
            </Text>
          )}
          <ProblemAlert error={issue.error} />
        </Stack>
      </form>
    </Paper>
  );
}

import { AppShell, Burger, Button, Center, Group, Loader, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { api, data, type Session, setCsrfToken, SsoBrokerError } from './api';
import { ProblemAlert } from './errors';
import { ApiKeysPage } from './pages/ApiKeys';
import { AuditPage } from './pages/Audit';
import { SignInPage } from './pages/SignIn';
import { TenantPage } from './pages/Tenant';
import { TenantsPage } from './pages/Tenants';
import { href, useRoute } from './route';

// The chart library is the largest dependency and only the home page draws charts.
const HomePage = lazy(() => import('./pages/Home'));

export const SESSION_KEY = ['session'] as const;

async function currentSession(): Promise<Session | null> {
  try {
    const session = await data(api.GET('/v1/console/session'));
    setCsrfToken(session.csrf_token);
    return session;
  } catch (error) {
    if (error instanceof SsoBrokerError && error.status === 401) return null;
    throw error;
  }
}

export function App() {
  const session = useQuery({ queryKey: SESSION_KEY, queryFn: currentSession, staleTime: Infinity });
  if (session.isPending)
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  if (session.isError)
    return (
      <Center h="100vh" p="md">
        <ProblemAlert error={session.error} title="The broker could not be reached" />
      </Center>
    );
  if (session.data === null) return <SignInPage />;
  return <Shell session={session.data} />;
}

const PAGES = [
  { path: '/', label: 'Home', admin: false },
  { path: '/tenants', label: 'Tenants', admin: true },
  { path: '/keys', label: 'API keys', admin: true },
  { path: '/audit', label: 'Audit log', admin: false },
];

function Shell({ session }: { session: Session }) {
  const [opened, { toggle, close }] = useDisclosure();
  const route = useRoute();
  const queryClient = useQueryClient();
  const isAdmin = session.role === 'admin';
  const signOut = useMutation({
    mutationFn: () => api.DELETE('/v1/console/session'),
    onSettled: () => {
      setCsrfToken(null);
      queryClient.clear();
      queryClient.setQueryData(SESSION_KEY, null);
    },
  });
  const section = `/${route.path.split('/')[1] ?? ''}`;
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={1} size="h4">
              sso-broker
            </Title>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" visibleFrom="xs" truncate maw={260}>
              {session.key_name} · {session.role}
              {session.tenant_id ? ' (one tenant)' : ''}
            </Text>
            <Button variant="default" size="xs" onClick={() => signOut.mutate()} loading={signOut.isPending}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Pages">
        {PAGES.filter((page) => isAdmin || !page.admin).map((page) => (
          <NavLink
            key={page.path}
            href={href(page.path)}
            label={page.label}
            active={section === page.path || (page.path === '/' && section === '/')}
            aria-current={section === page.path ? 'page' : undefined}
            onClick={close}
            variant="filled"
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Stack gap="md" maw={1200}>
          <Suspense fallback={<Loader aria-label="Loading" />}>
            <Page session={session} />
          </Suspense>
        </Stack>
      </AppShell.Main>
    </AppShell>
  );
}

function Page({ session }: { session: Session }) {
  const route = useRoute();
  const isAdmin = session.role === 'admin';
  const [, section, id] = route.path.split('/');
  if (section === 'tenants' && isAdmin) return id ? <TenantPage tenantId={id} /> : <TenantsPage />;
  if (section === 'keys' && isAdmin) return <ApiKeysPage />;
  if (section === 'audit') return <AuditPage session={session} />;
  return <HomePage session={session} />;
}

import '@mantine/charts/styles.css';
import { AreaChart, BarChart } from '@mantine/charts';
import { Group, Paper, SegmentedControl, SimpleGrid, Skeleton, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, data, type Session } from '../api';
import { ProblemAlert } from '../errors';

type Window = '24h' | '30d';
const PROVIDER_COLORS = ['indigo.6', 'teal.6', 'orange.6', 'grape.6', 'cyan.6'];

function label(start: string, window: Window): string {
  const date = new Date(start);
  return window === '24h'
    ? date.toISOString().slice(11, 16)
    : date.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** Issuance over time, from the audit log (GET /v1/audit-stats). */
export default function HomePage({ session }: { session: Session }) {
  const [window, setWindow] = useState<Window>('24h');
  const stats = useQuery({
    queryKey: ['audit-stats', window],
    queryFn: () => data(api.GET('/v1/audit-stats', { params: { query: { window } } })),
  });
  const buckets = stats.data?.buckets ?? [];
  const totals = buckets.map((b) => ({
    at: label(b.start, window),
    issued: b.issued,
    failed: b.failed,
    redeemed: b.redeemed,
  }));
  const providers = stats.data?.providers ?? [];
  const byProvider = buckets.map((b) => ({
    at: label(b.start, window),
    ...Object.fromEntries(b.providers.map((p) => [p.provider, p.issued])),
  }));
  return (
    <>
      <Group justify="space-between">
        <Title order={2}>Login links {window === '24h' ? 'in the last 24 hours' : 'in the last 30 days'}</Title>
        <SegmentedControl
          aria-label="Time window"
          value={window}
          onChange={(value) => setWindow(value)}
          data={[
            { value: '24h', label: '24 h (hourly)' },
            { value: '30d', label: '30 days (daily)' },
          ]}
        />
      </Group>
      <Text size="sm">
        Counted from the audit log{session.tenant_id ? ' of your tenant' : ' of every tenant'}, in UTC.
      </Text>
      <ProblemAlert error={stats.error} />
      <SimpleGrid cols={{ base: 1, xs: 3 }}>
        {(['issued', 'redeemed', 'failed'] as const).map((kind) => (
          <Paper key={kind} withBorder p="md">
            <Text size="sm" tt="capitalize">
              {kind}
            </Text>
            <Text size="xl" fw={700} data-testid={`total-${kind}`}>
              {stats.data ? stats.data.totals[kind] : '…'}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      <Paper withBorder p="md">
        <Title order={3} size="h4" mb="sm">
          Issued, redeemed and failed
        </Title>
        {stats.isPending ? (
          <Skeleton h={260} />
        ) : (
          <AreaChart
            h={260}
            data={totals}
            dataKey="at"
            withLegend
            curveType="monotone"
            series={[
              { name: 'issued', color: 'indigo.6' },
              { name: 'redeemed', color: 'teal.7' },
              { name: 'failed', color: 'red.7' },
            ]}
          />
        )}
      </Paper>
      <Paper withBorder p="md">
        <Title order={3} size="h4" mb="sm">
          Issued per provider
        </Title>
        {stats.isPending ? (
          <Skeleton h={260} />
        ) : providers.length === 0 ? (
          <Text size="sm">No link was issued in this window.</Text>
        ) : (
          <BarChart
            h={260}
            data={byProvider}
            dataKey="at"
            type="stacked"
            withLegend
            series={providers.map((name, i) => ({ name, color: PROVIDER_COLORS[i % PROVIDER_COLORS.length] }))}
          />
        )}
      </Paper>
    </>
  );
}

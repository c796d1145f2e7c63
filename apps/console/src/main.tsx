import '@mantine/core/styles.css';
import { Alert, createTheme, type CSSVariablesResolver, MantineProvider } from '@mantine/core';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SsoBrokerError } from './api';
import { App, SESSION_KEY } from './App';

/** A session that ended (idle, revoked key, suspended tenant) sends the person back to sign-in. */
function onError(error: unknown): void {
  if (error instanceof SsoBrokerError && error.status === 401) queryClient.setQueryData(SESSION_KEY, null);
}

/**
 * Mantine's defaults put white text on blue.6 (3.6:1); a darker primary shade and automatic text
 * contrast keep every control at WCAG AA (4.5:1), which the browser suite checks with axe.
 */
const theme = createTheme({
  primaryShade: 8,
  autoContrast: true,
  // An alert's text in the page's text colour: the tinted default falls under 4.5:1.
  components: {
    Alert: Alert.extend({
      styles: { message: { color: 'var(--mantine-color-text)' }, title: { color: 'var(--mantine-color-text)' } },
    }),
  },
});

/** Dimmed text (input descriptions) at #495057 on white (8:1) instead of #868e96 (3.3:1). */
const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' },
  dark: {},
});

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: { retry: false, refetchOnWindowFocus: false, staleTime: 5_000 },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);

import { Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, data, setCsrfToken } from '../api';
import { SESSION_KEY } from '../App';
import { ProblemAlert } from '../errors';

/** Paste an admin or auditor key once; the broker answers with a session cookie and the key is forgotten. */
export function SignInPage() {
  const [key, setKey] = useState('');
  const queryClient = useQueryClient();
  const signIn = useMutation({
    mutationFn: (apiKey: string) => data(api.POST('/v1/console/session', { body: { api_key: apiKey } })),
    onSuccess: (session) => {
      setKey('');
      setCsrfToken(session.csrf_token);
      queryClient.setQueryData(SESSION_KEY, session);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate(key.trim());
  };
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={440}>
        <form onSubmit={submit}>
          <Stack>
            <Title order={1} size="h2">
              sso-broker console
            </Title>
            <Text size="sm">
              Sign in with an admin or auditor API key. It is exchanged for a session and not kept by this browser.
            </Text>
            <PasswordInput
              label="API key"
              placeholder="sbk_a_… or sbk_r_…"
              value={key}
              onChange={(event) => setKey(event.currentTarget.value)}
              autoComplete="off"
              required
              data-autofocus
            />
            <Button type="submit" loading={signIn.isPending}>
              Sign in
            </Button>
            <ProblemAlert error={signIn.error} title="Sign-in refused" />
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

import { Alert, Code, Text } from '@mantine/core';
import { SsoBrokerError } from './api';

/** An API error as the person needs it: the broker's sentence, its code and the request id to quote. */
export function ProblemAlert({ error, title = 'The broker refused this' }: { error: unknown; title?: string }) {
  if (error === null || error === undefined) return null;
  const problem = error instanceof SsoBrokerError ? error : null;
  return (
    <Alert color="red" title={title} role="alert" mt="sm">
      <Text size="sm">
        {problem?.problem?.detail ?? (error instanceof Error ? error.message : 'Unexpected error.')}
      </Text>
      {problem && (
        <Text size="xs" mt={4}>
          code <Code>{problem.code}</Code>
          {problem.request_id && (
            <>
              {' '}
              · request id <Code>{problem.request_id}</Code>
            </>
          )}
        </Text>
      )}
    </Alert>
  );
}

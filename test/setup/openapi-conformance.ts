import { reportValidated, takeMismatches } from '../utils/openapi-conformance';

// Fails the test whose requests got an answer the OpenAPI document does not describe
// (test/utils/openapi-conformance.ts).
afterEach(() => {
  const mismatches = takeMismatches();
  if (mismatches.length > 0) {
    throw new Error(`answers that do not match the OpenAPI document:\n  ${mismatches.join('\n  ')}`);
  }
});

afterAll(() => reportValidated());

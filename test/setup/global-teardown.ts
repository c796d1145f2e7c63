export default async function globalTeardown(): Promise<void> {
  await globalThis.__SSO_TEST_PG__?.stop();
}

import { Client } from 'pg';

export const RUNTIME_GROUP_ROLE = 'sso_broker_runtime';

/**
 * Creates (or updates the password of) a login role that is a member of the runtime group
 * role, and returns a URL for it. Used where the broker manages its own database (embedded
 * mode, tests); in production the operator creates the login role.
 */
export async function ensureRuntimeLogin(ownerUrl: string, login: string, password: string): Promise<string> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const role = client.escapeIdentifier(login);
    const literal = client.escapeLiteral(password);
    // Two processes may race to create the role: the advisory lock makes it a no-op for the second.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`sso-broker:role:${login}`]);
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [login]);
    await client.query(
      `${exists.rowCount ? 'ALTER' : 'CREATE'} ROLE ${role} LOGIN PASSWORD ${literal} NOSUPERUSER NOCREATEDB NOCREATEROLE`,
    );
    await client.query(`GRANT ${RUNTIME_GROUP_ROLE} TO ${role}`);
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`sso-broker:role:${login}`]);
  } finally {
    await client.end();
  }
  const url = new URL(ownerUrl);
  url.username = encodeURIComponent(login);
  url.password = encodeURIComponent(password);
  return url.toString();
}

import type { AcronisSimulatorOptions } from './acronis-simulator.options';

export const DEMO_TENANTS = {
  partner: '11111111-1111-4111-8111-111111111111',
  customerA: '22222222-2222-4222-8222-222222222222',
  customerB: '33333333-3333-4333-8333-333333333333',
  otherPartner: '44444444-4444-4444-8444-444444444444',
};

/** Demo data: a partner with two customers, plus a foreign partner whose users are out of reach. */
export const ACRONIS_DEMO_DATA: Required<
  Pick<AcronisSimulatorOptions, 'clients' | 'users' | 'tenants' | 'staticBearerTokens'>
> = {
  tenants: [
    { id: DEMO_TENANTS.partner },
    { id: DEMO_TENANTS.customerA, parent_id: DEMO_TENANTS.partner },
    { id: DEMO_TENANTS.customerB, parent_id: DEMO_TENANTS.partner },
    { id: DEMO_TENANTS.otherPartner },
  ],
  clients: [{ client_id: 'demo-client', client_secret: 'demo-secret', tenant_id: DEMO_TENANTS.partner }],
  users: [
    {
      id: 'a1a1a1a1-0000-4000-8000-000000000001',
      login: 'alice@customer-a.example',
      external_id: 'ext-alice',
      tenant_id: DEMO_TENANTS.customerA,
    },
    {
      id: 'b2b2b2b2-0000-4000-8000-000000000002',
      login: 'bob@customer-b.example',
      tenant_id: DEMO_TENANTS.customerB,
      support_access: false,
    },
    { id: 'c3c3c3c3-0000-4000-8000-000000000003', login: 'carol@other.example', tenant_id: DEMO_TENANTS.otherPartner },
    {
      id: 'd4d4d4d4-0000-4000-8000-000000000004',
      login: 'dave@customer-a.example',
      tenant_id: DEMO_TENANTS.customerA,
      enabled: false,
    },
  ],
  staticBearerTokens: [{ token: 'demo-pasted-bearer-token', tenant_id: DEMO_TENANTS.customerA }],
};

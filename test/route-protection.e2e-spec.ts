import { AUTH_POLICY_KEY, AuthPolicy, IS_PUBLIC_KEY } from '@app/auth';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-app';

/**
 * REVIEWERS: this snapshot lists every HTTP route of the broker with who may call it. A diff in
 * test/__snapshots__/route-protection.e2e-spec.ts.snap is a PERMISSION CHANGE: a route made
 * public, a role added or removed, a tenant scope dropped. Approve it only on purpose.
 */
interface RouteProtection {
  method: string;
  path: string;
  public: boolean;
  policy: AuthPolicy | undefined;
}

function joinPath(...parts: string[]): string {
  return `/${parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;
}

function discoverRoutes(t: TestApp): RouteProtection[] {
  const discovery = new DiscoveryService(t.app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const routes: RouteProtection[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (abstract new (...args: never[]) => object) | null;
    if (!controller) continue;
    const prefixes = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat() as string[];
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, (...args: unknown[]) => unknown>)[name];
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (paths === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const isPublic = reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [handler, controller]) === true;
      const policy = reflector.getAllAndOverride<AuthPolicy>(AUTH_POLICY_KEY, [handler, controller]);
      for (const prefix of prefixes)
        for (const path of [paths].flat())
          routes.push({ method, path: joinPath(prefix, path), public: isPublic, policy });
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

function tenantScopeOf(policy: AuthPolicy): string {
  const source = policy.tenant;
  if (source === undefined) return '';
  return ` tenant=${source.in}:${source.name ?? 'tenant_id'}${source.required ? '' : '?'}`;
}

function describeRoute(route: RouteProtection): string {
  const access = route.public
    ? 'PUBLIC'
    : route.policy === undefined
      ? 'NO POLICY (denied)'
      : `roles=${[...route.policy.roles].sort().join(',')}${tenantScopeOf(route.policy)}`;
  return `${route.method.padEnd(6)} ${route.path.padEnd(64)} ${access}`;
}

describe('route protection', () => {
  let t: TestApp;
  let routes: RouteProtection[];

  beforeAll(async () => {
    t = await createTestApp();
    routes = discoverRoutes(t);
  });
  afterAll(async () => t.close());

  it('matches the reviewed permission table', () => {
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.map(describeRoute)).toMatchSnapshot();
  });

  it('gives every route an explicit decision: @Public() or @Auth()', () => {
    expect(routes.filter((r) => !r.public && r.policy === undefined).map(describeRoute)).toEqual([]);
    expect(routes.filter((r) => r.public && r.policy !== undefined).map(describeRoute)).toEqual([]);
  });

  it('names only tenant parameters that exist in the path', () => {
    const dangling = routes.filter(
      (r) => r.policy?.tenant?.in === 'path' && !r.path.includes(`:${r.policy.tenant.name ?? 'tenant_id'}`),
    );
    expect(dangling.map(describeRoute)).toEqual([]);
  });

  it('answers 401 missing_api_key on every protected route when no key is sent', async () => {
    for (const route of routes.filter((r) => !r.public)) {
      const path = route.path.replace(/:[a-z_]+/g, '0f8fad5b-d9cb-469f-a165-70867728950e');
      const res = await request(t.url)[route.method.toLowerCase() as 'get'](path);
      expect({ route: describeRoute(route), status: res.status, code: res.body.code }).toEqual({
        route: describeRoute(route),
        status: 401,
        code: 'missing_api_key',
      });
    }
  });
});

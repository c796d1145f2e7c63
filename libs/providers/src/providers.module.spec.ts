import { ConfigModule } from '@nestjs/config';
import { Test, TestingModule } from '@nestjs/testing';
import { ProviderRegistry } from './provider.registry';
import { ProvidersModule } from './providers.module';
import { UPSTREAM_HTTP_OPTIONS } from './upstream/upstream-http.options';

describe('ProvidersModule', () => {
  let moduleRef: TestingModule;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          ignoreEnvVars: true,
          load: [() => ({ UPSTREAM_TIMEOUT_MS: '1234' })],
        }),
        ProvidersModule,
      ],
    }).compile();
  });

  afterAll(() => moduleRef.close());

  it('registers every provider in the registry', () => {
    const sut = moduleRef.get(ProviderRegistry);
    expect(sut.kinds().sort()).toEqual(['acronis', 'flussonic']);
    expect(sut.get('acronis').kind).toBe('acronis');
  });

  it('answers unknown kinds with 400 unknown_provider listing the known ones', () => {
    expect(() => moduleRef.get(ProviderRegistry).get('okta')).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'unknown_provider',
        detail: expect.stringContaining('acronis, flussonic'),
      }),
    );
  });

  it('reads upstream options from configuration with numeric defaults', () => {
    expect(moduleRef.get(UPSTREAM_HTTP_OPTIONS, { strict: false })).toMatchObject({
      timeoutMs: 1234,
      connectTimeoutMs: 2000,
      breakerFailures: 5,
      breakerCooldownMs: 10000,
    });
  });
});

import { createHash } from 'node:crypto';
import { AuditService } from './audit.service';

describe('AuditService helpers', () => {
  it('fingerprints a token as the first 16 hex chars of its SHA-256', () => {
    const token = 'T1RUAQAAAG8-AAAAAAAATxLwKLZ0RMaVZ3GEk4JUMw==';
    const expected = createHash('sha256').update(token).digest('hex').slice(0, 16);
    expect(AuditService.fingerprint(token)).toBe(expected);
    expect(new AuditService({} as never).fingerprint(token)).toBe(expected);
    expect(AuditService.fingerprint(token)).not.toContain(token.slice(0, 8));
  });

  it('gives background work a fresh request id and no principal', () => {
    const a = AuditService.systemContext('vault.rewrap');
    const b = AuditService.systemContext();
    expect(a.principal).toBeNull();
    expect(a.requestId).not.toBe(b.requestId);
  });
});

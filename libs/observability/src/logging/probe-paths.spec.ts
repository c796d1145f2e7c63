import { isProbePath } from './probe-paths';

describe('isProbePath', () => {
  it('matches the probe paths with or without a query string', () => {
    expect(isProbePath('/health/live')).toBe(true);
    expect(isProbePath('/health/ready?verbose=1')).toBe(true);
    expect(isProbePath('/metrics?')).toBe(true);
  });

  it('matches nothing else', () => {
    expect(isProbePath(undefined)).toBe(false);
    expect(isProbePath('')).toBe(false);
    expect(isProbePath('/health/live/x')).toBe(false);
    expect(isProbePath('/v1/login-links?x=/health/live')).toBe(false);
  });
});

import { ExpiringStore } from './expiring-store';

describe('ExpiringStore', () => {
  it('hides entries at their expiry and take() removes them', () => {
    const sut = new ExpiringStore<string>();
    sut.set('a', 'alpha', 100, 0);
    expect(sut.get('a', 99)).toBe('alpha');
    expect(sut.take('a', 99)).toBe('alpha');
    expect(sut.take('a', 99)).toBeUndefined();
    sut.set('b', 'beta', 100, 0);
    expect(sut.get('b', 100)).toBeUndefined();
  });

  it('sweeps expired entries on insert and caps its size', () => {
    const sut = new ExpiringStore<number>(3);
    for (let i = 0; i < 10; i += 1) sut.set(`k${i}`, i, 1000 + i, i);
    expect(sut.size).toBe(3);
    sut.set('late', 99, 5000, 2000);
    expect(sut.size).toBe(1);
  });
});

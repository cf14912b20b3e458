// Tests the power-law fit: exact recovery of exponent and coefficient, noisy growth, and inputs it refuses.
import fc from 'fast-check';
import { fitPowerLaw } from '../../bench/fit';

describe('power-law fit of read units against collection size', () => {
  test('recovers the exponent and coefficient of exact power laws (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1, max: 2, noNaN: true }), fc.double({ min: 0.01, max: 1000, noNaN: true }), (b, a) => {
        const xs = [10_000, 30_000, 60_000, 150_000];
        const fit = fitPowerLaw(xs, xs.map((x) => a * x ** b));
        expect(fit.exponent).toBeCloseTo(b, 9);
        expect(fit.coefficient / a).toBeCloseTo(1, 6);
      }),
    );
  });

  test('a square-root growth with noise fits near 0.5 with r2 below 1', () => {
    const xs = [50_000, 150_000, 340_479];
    const ys = [xs[0] ** 0.5 * 1.1, xs[1] ** 0.5 * 0.95, xs[2] ** 0.5 * 1.02];
    const fit = fitPowerLaw(xs, ys);
    expect(fit.exponent).toBeGreaterThan(0.4);
    expect(fit.exponent).toBeLessThan(0.6);
    expect(fit.r2).toBeLessThan(1);
    expect(fit.points).toBe(3);
  });

  test('refuses what it cannot fit', () => {
    expect(() => fitPowerLaw([1], [1])).toThrow(/two/);
    expect(() => fitPowerLaw([1, 2], [0, 1])).toThrow(/positive/);
    expect(() => fitPowerLaw([5, 5], [1, 2])).toThrow(/different x/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSteps, parseStep, toSteps } from '../core/index.js';
import { stepsToText, textToSteps } from './fast-decimal.js';

const STEPS = ['0.01', '1', '0.001', '0.25', '0.05', '10', '0.00000001', '5', '0.5', '100'].map(
  (t) => parseStep(t),
);

describe('fast decimal paths agree with the BigInt reference', () => {
  it('textToSteps == toSteps on random decimals, on and off the step, small and huge', () => {
    const text = fc.oneof(
      fc
        .tuple(fc.nat({ max: 10_000_000 }), fc.nat({ max: 9999 }), fc.nat({ max: 4 }))
        .map(([i, f, n]) =>
          n === 0 ? String(i) : `${i}.${String(f).padStart(4, '0').slice(0, n)}`,
        ),
      fc.stringMatching(/^\d{1,20}(\.\d{1,18})?$/),
    );
    fc.assert(
      fc.property(text, fc.constantFrom(...STEPS), (t, step) => {
        expect(textToSteps(t, step)).toEqual(toSteps(t, step));
      }),
      { numRuns: 20_000 },
    );
  });

  it('stepsToText == formatSteps on random step counts, negatives and huge ones included', () => {
    const steps = fc.oneof(
      fc.integer({ min: -1_000_000, max: 10_000_000 }),
      fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    );
    fc.assert(
      fc.property(steps, fc.constantFrom(...STEPS), (n, step) => {
        expect(stepsToText(n, step)).toBe(formatSteps(n, step));
      }),
      { numRuns: 20_000 },
    );
  });
});

// Tests the calibration window item's bytes (`encodeCalibrationWindow`, `decodeCalibrationWindow`):
// any window survives the round trip, small ranks take a byte each, and cut bytes are refused.
import fc from 'fast-check';
import { CALIBRATION_K, CALIBRATION_WINDOW } from '../../lambda/core/list-calibration';
import { decodeCalibrationWindow, encodeCalibrationWindow } from '../../lambda/store/records';

const windowArb = fc.array(
  fc.record({ width: fc.integer({ min: 1, max: 2 ** 32 - 1 }), ranks: fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: CALIBRATION_K }) }),
  { maxLength: 64 },
);

describe('the calibration window item', () => {
  it('decodes to the window it was encoded from', () => {
    fc.assert(fc.property(windowArb, (window) => expect(decodeCalibrationWindow(encodeCalibrationWindow(window))).toEqual(window)));
  });

  it('takes a byte per number below 128: a full window of narrow reads in about 12 bytes a query', () => {
    const window = Array.from({ length: CALIBRATION_WINDOW }, (_, i) => ({ width: 100, ranks: Array.from({ length: CALIBRATION_K }, (_, j) => (i + j) % 100) }));
    expect(encodeCalibrationWindow(window).byteLength).toBe(CALIBRATION_WINDOW * (2 + CALIBRATION_K));
    expect(encodeCalibrationWindow([{ width: 128, ranks: [127, 16384] }])).toEqual(Uint8Array.from([0x80, 0x01, 2, 127, 0x80, 0x80, 0x01]));
  });

  it('refuses bytes that end inside a number or a query', () => {
    const bytes = encodeCalibrationWindow([{ width: 300, ranks: [1, 2, 3] }]);
    expect(() => decodeCalibrationWindow(bytes.subarray(0, bytes.length - 1))).toThrow(RangeError);
    expect(() => decodeCalibrationWindow(bytes.subarray(0, 1))).toThrow(/ends inside a number/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIsoDuration, parseIsoDuration } from './iso-duration.js';

describe('parseIsoDuration', () => {
  it('reads the durations PIM requests carry', () => {
    assert.equal(parseIsoDuration('PT1H'), 3_600);
    assert.equal(parseIsoDuration('PT30M'), 1_800);
    assert.equal(parseIsoDuration('PT8H'), 28_800);
    assert.equal(parseIsoDuration('P1DT2H3M4S'), 86_400 + 7_200 + 180 + 4);
    assert.equal(parseIsoDuration('P365D'), 365 * 86_400);
    assert.equal(parseIsoDuration('P2W'), 14 * 86_400);
    assert.equal(parseIsoDuration('pt90s'), 90);
  });

  it('counts a year as 365 days and a month as 30, and rounds fractions of a second up', () => {
    assert.equal(parseIsoDuration('P1Y'), 365 * 86_400);
    assert.equal(parseIsoDuration('P1M'), 30 * 86_400);
    assert.equal(parseIsoDuration('PT1M'), 60);
    assert.equal(parseIsoDuration('PT0.5S'), 1);
  });

  it('refuses what is not a duration', () => {
    for (const text of ['', 'P', 'PT', '1H', 'PT1H30', 'P1H', 'PT-1H', 'PT1.5H', 'one hour', 'P1DT']) {
      assert.equal(parseIsoDuration(text), undefined, text);
    }
  });
});

describe('formatIsoDuration', () => {
  it('writes days, hours, minutes and seconds', () => {
    assert.equal(formatIsoDuration(3_600), 'PT1H');
    assert.equal(formatIsoDuration(86_400 + 1_800), 'P1DT30M');
    assert.equal(formatIsoDuration(0), 'PT0S');
    assert.equal(formatIsoDuration(45), 'PT45S');
  });

  it('round-trips', () => {
    for (const seconds of [1, 59, 61, 3_599, 28_800, 90_061]) assert.equal(parseIsoDuration(formatIsoDuration(seconds)), seconds);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidIdentityName, isValidLocation } from './user-assigned-identity.js';

describe('isValidIdentityName', () => {
  it("accepts Azure's names: 3-128 letters, digits, '-' and '_', starting with a letter or digit", () => {
    for (const name of ['abc', 'A12', '0ab', 'web_app-01', 'x'.repeat(128)]) assert.ok(isValidIdentityName(name), name);
  });
  it('refuses anything else', () => {
    for (const name of ['ab', '', '-ab', '_ab', 'a.b', 'a b', 'a/b', 'ä12', 'x'.repeat(129)]) assert.ok(!isValidIdentityName(name), name);
  });
});

describe('isValidLocation', () => {
  it('accepts normalized region names and refuses other text', () => {
    for (const location of ['westeurope', 'eastus2', 'local']) assert.ok(isValidLocation(location), location);
    for (const location of ['', 'x', 'west-europe', 'West Europe', 'eu/west', 'y'.repeat(65)]) assert.ok(!isValidLocation(location), location);
  });
});

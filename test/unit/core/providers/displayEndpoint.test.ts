import { strict as assert } from 'node:assert';
import { displayEndpoint } from '../../../../src/core/providers/openaiCompatible';

describe('displayEndpoint', () => {
  it('shows an endpoint without credentials, query or fragment', () => {
    assert.equal(
      displayEndpoint('https://user:s3cret@api.example.com/v1/?api-key=abc123#x'),
      'https://api.example.com/v1',
    );
    assert.equal(displayEndpoint('http://127.0.0.1:1234/v1'), 'http://127.0.0.1:1234/v1');
  });

  it('does not echo a URL it cannot parse', () => {
    assert.equal(displayEndpoint('not a url with key sk-abc'), '(not a valid URL)');
  });
});

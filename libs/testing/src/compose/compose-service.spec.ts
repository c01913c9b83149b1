import { interpolateCompose } from './compose-service';

describe('interpolateCompose', () => {
  it('substitutes as docker compose does', () => {
    const vars = { SET: 'value', EMPTY: '' };
    expect(interpolateCompose('${SET}', vars)).toBe('value');
    expect(interpolateCompose('${UNSET:-8080}:8080', vars)).toBe('8080:8080');
    expect(interpolateCompose('${EMPTY:-fallback}', vars)).toBe('fallback');
    expect(interpolateCompose('${EMPTY-fallback}', vars)).toBe('');
    expect(interpolateCompose('${UNSET-fallback}', vars)).toBe('fallback');
    expect(interpolateCompose('a $$(cat x) b', vars)).toBe('a $(cat x) b');
  });
});

/** `--fix-port` / CROSSBOOK_FIX_PORT: off by default, a port, or `off`; anything else is refused. */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/server/config.js';

describe('fixPort setting', () => {
  it('is off by default and takes a port or off from env, file or flag', () => {
    expect(resolveConfig({ env: {} }).fixPort).toBe('off');
    expect(resolveConfig({ env: { CROSSBOOK_FIX_PORT: '9878' } }).fixPort).toBe(9878);
    expect(
      resolveConfig({ env: { CROSSBOOK_FIX_PORT: '9878' }, flags: { fixPort: 'off' } }).fixPort,
    ).toBe('off');
    expect(resolveConfig({ flags: { fixPort: '19878' } }).fixPort).toBe(19878);
  });

  it('refuses anything else with a clear message', () => {
    expect(() => resolveConfig({ flags: { fixPort: 'abc' } })).toThrow(
      /fixPort must be off or a port from 1 to 65535/,
    );
    expect(() => resolveConfig({ env: { CROSSBOOK_FIX_PORT: '0' } })).toThrow(/fixPort/);
    expect(() => resolveConfig({ env: { CROSSBOOK_FIX_PORT: '70000' } })).toThrow(/fixPort/);
  });
});

import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ app: { disableHardwareAcceleration: vi.fn(), exit: vi.fn() } }));
const { agentArgv } = await import('../../../src/main/app-main.js');

describe('the packaged entry: agent service or kiosk window', () => {
  it('is the agent with `agent` in argv (packaged: args from argv[1]), and hands the CLI its arguments without Chromium switches', () => {
    const argv = ['/opt/cabinet-kiosk/cabinet-kiosk', '--ozone-platform=headless', 'agent', '--endpoint-file', '/run/cabinet-kiosk/screen-url', '--screen-user', 'cabinet-screen'];
    expect(agentArgv(argv, false)).toEqual(['/opt/cabinet-kiosk/cabinet-kiosk', 'agent', '--endpoint-file', '/run/cabinet-kiosk/screen-url', '--screen-user', 'cabinet-screen']);
  });

  it('is the window otherwise, also unpackaged (electron main.js …)', () => {
    expect(agentArgv(['/opt/cabinet-kiosk/cabinet-kiosk'], false)).toBeNull();
    expect(agentArgv(['/usr/lib/electron', 'dist/main/app-main.js', '--screen-url-file', '/tmp/x'], true)).toBeNull();
    expect(agentArgv(['/usr/lib/electron', 'dist/main/app-main.js', '--config', 'c.yaml', 'agent'], true)).toEqual(['/usr/lib/electron', 'dist/main/app-main.js', '--config', 'c.yaml', 'agent']);
  });
});

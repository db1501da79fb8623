import { EnginePoller } from './engine-stats';
import { Market } from './market';
import { Session } from './session';

/** The page's single instances, wired together: the feed authenticates as the session. */
export const session = new Session();

export const market = new Market({
  wsUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
  auth: () => session.wsAuth(),
  onClock: (ms) => session.setClock(ms),
});

export const engine = new EnginePoller();

market.onPrivate = (m) => session.onExecution(m);
market.onReconnect = () => void session.refresh();
session.onLogin = () => market.feed.reauth();
session.onLogout = () => market.feed.restart();

// jspurefix resolves its parts with tsyringe, which needs the Reflect metadata polyfill first.
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import jspurefix from 'jspurefix';
import type {
  IJsFixConfig,
  IJsFixLogger,
  ISessionDescription,
  ISessionMsgFactory,
} from 'jspurefix';
import type { Logger } from 'pino';
import { FixAdapter, TARGET_COMP_ID, type FixAdapterOptions } from './adapter.js';
import { CrossbookSession } from './session.js';

const { SessionLauncher, JsFixLoggerFactory, SessionMsgFactory } = jspurefix;

/** The library's log lines go to the server's pino logger (its info is our debug: chatty). */
class PinoLogFactory extends JsFixLoggerFactory {
  constructor(private readonly log: Logger) {
    super();
  }

  logger(type: string): IJsFixLogger {
    const l = this.log.child({ fix: type });
    return {
      info: (m) => l.debug(m),
      debug: (m) => l.trace(m),
      warning: (m) => l.info(m),
      error: (e) => l.info({ err: e }, 'FIX session ended with an error'),
    };
  }

  plain(): IJsFixLogger {
    return this.logger('plain');
  }
}

export interface FixGatewayOptions extends Omit<FixAdapterOptions, 'dir'> {
  host: string;
  port: number;
  /** The server's data dir: sequence numbers, sent messages and bindings go under DIR/fix. */
  dataDir: string;
  /** HeartBtInt of the server's own Logon answer, seconds (the client's value is used to time). */
  heartBtInt?: number;
}

/** The QuickFIX FIX 4.4 dictionary shipped inside the jspurefix package. */
function dictionaryPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('jspurefix/package.json')), 'data', 'FIX44.xml');
}

/** Adds RefTagID (371) to the library's own Rejects when its text names the tag. */
function withRefTag(d: ISessionDescription, type: string, o: Record<string, unknown>) {
  if (type !== '3' || o.RefTagID !== undefined || typeof o.Text !== 'string') return o;
  if (o.Text.includes('checksum')) return { ...o, RefTagID: 10 };
  const m = /tags? (\d+)/.exec(o.Text);
  return m === null ? o : { ...o, RefTagID: Number(m[1]) };
}

async function portFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) =>
      reject(new Error(`Cannot listen for FIX on ${host}:${port}: ${err.message}`)),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

class Launcher extends SessionLauncher {
  constructor(
    description: ISessionDescription,
    private readonly adapter: FixAdapter,
    logger: Logger,
  ) {
    super(null, description, new PinoLogFactory(logger));
  }

  protected override makeSessionMsgFactory(d: ISessionDescription): ISessionMsgFactory {
    return new SessionMsgFactory(d, withRefTag as never);
  }

  protected override makeFactory() {
    return {
      makeSession: (config: IJsFixConfig) => new CrossbookSession(config, this.adapter),
    };
  }
}

/**
 * The FIX 4.4 acceptor: TargetCompID CROSSBOOK, any SenderCompID (bound to its API key at first
 * logon), one jspurefix session per connection with its sequence numbers and sent messages in
 * DATA_DIR/fix.
 */
export class FixGateway {
  private constructor(
    readonly host: string,
    readonly port: number,
    private readonly launcher: Launcher,
    private readonly adapter: FixAdapter,
    private readonly running: Promise<unknown>,
  ) {}

  get endpoint(): string {
    return `fix://${this.host}:${this.port} (FIX.4.4, TargetCompID=${TARGET_COMP_ID})`;
  }

  static async start(o: FixGatewayOptions): Promise<FixGateway> {
    if (o.port <= 0) throw new Error('The FIX port must be 1..65535');
    const dir = join(o.dataDir, 'fix');
    mkdirSync(join(dir, 'store'), { recursive: true });
    await portFree(o.host, o.port);
    const adapter = new FixAdapter({ ...o, dir });
    const description = {
      application: {
        type: 'acceptor',
        name: 'crossbook',
        tcp: { host: o.host, port: o.port },
        protocol: 'ascii',
        dictionary: dictionaryPath(),
      },
      BeginString: 'FIX.4.4',
      SenderCompId: TARGET_COMP_ID,
      TargetCompID: '*',
      HeartBtInt: o.heartBtInt ?? 30,
      ResetSeqNumFlag: false,
      store: { type: 'file', directory: join(dir, 'store') },
    } as unknown as ISessionDescription;
    const launcher = new Launcher(description, adapter, o.logger);
    const running = launcher.run().catch((err: unknown) => {
      o.logger.error({ err }, 'FIX acceptor stopped');
    });
    await waitListening(o.host, o.port);
    return new FixGateway(o.host, o.port, launcher, adapter, running);
  }

  async close(): Promise<void> {
    this.adapter.close();
    this.launcher.stop();
    await Promise.race([this.running, new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}

/** The library opens its listener asynchronously; a connect that succeeds proves it is up. */
async function waitListening(host: string, port: number): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, host);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`FIX acceptor did not open ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

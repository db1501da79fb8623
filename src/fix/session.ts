import jspurefix from 'jspurefix';
import type {
  IJsFixConfig,
  MsgView,
  IFixMsgStore,
  IFixMsgStoreRecord,
  IFixMsgStoreState,
} from 'jspurefix';
import type { FixAdapter } from './adapter.js';
import type { Fields } from './translate.js';

const { AsciiSession } = jspurefix;

/** Session-level message types: never resent, covered by a gap fill instead (FIX 4.4). */
const ADMIN = new Set(['0', '1', '2', '3', '4', '5', 'A']);

/** jspurefix's Logout text when onLogon says no; replaced by the reason. */
const LOGON_REFUSED = 'logon rejected by application';

/**
 * One FIX session on jspurefix's AsciiSession (wire parsing, sequence numbers, heartbeats,
 * TestRequest, ResendRequest, SequenceReset, Logout are the library's). What is added here:
 * - logon verdict from the API-key signature (the adapter decides);
 * - the resend store: the library keeps sent messages on disk (its FileSessionStore) but resends
 *   from an in-memory store that is empty after a restart, so `store` is pointed at the file
 *   store, returning application messages only: the library's resender then sends them with
 *   PossDupFlag=Y and OrigSendingTime and gap-fills the session-level ones;
 * - application messages handed to the adapter as raw tag strings.
 */
export class CrossbookSession extends AsciiSession {
  account: string | undefined;

  constructor(
    config: IJsFixConfig,
    private readonly adapter: FixAdapter,
  ) {
    super(config);
    this.checkMsgIntegrity = true;
    this.store = this.fileBackedStore();
  }

  get compId(): string {
    return this.config.description.TargetCompID;
  }

  /** Sends an application message (the library stamps the header and sequence number). */
  sendApp(msgType: string, body: Record<string, unknown>): void {
    this.send(msgType, body);
  }

  /** Session-level Reject (3) of the message being handled. */
  reject(view: MsgView, tag: number, reason: number, text: string): void {
    this.send('3', {
      RefSeqNum: view.getTyped(34) as number,
      RefTagID: tag,
      RefMsgType: view.getString(35) ?? '',
      SessionRejectReason: reason,
      Text: text,
    });
  }

  logoutAndClose(text: string): void {
    this.sendLogout(text);
    this.done();
  }

  protected override sendLogout(msg: string): void {
    // A refused logon: the client learns the reason, and nothing else.
    const v = this.verdict;
    super.sendLogout(v !== undefined && !v.ok && msg === LOGON_REFUSED ? v.reason : msg);
  }

  /**
   * The key lookup is asynchronous, but the library answers a Logon whose MsgSeqNum is ahead
   * with a ResendRequest before an asynchronous verdict arrives, which a FIX client refuses
   * (the first message must be the Logon answer). So the verdict is reached before the Logon is
   * handed to the library, and onLogon answers synchronously; messages arriving meanwhile wait.
   */
  private verdict: { ok: true } | { ok: false; reason: string } | undefined;
  private held: { msgType: string; view: MsgView }[] | undefined;

  protected override onMsg(msgType: string, view: MsgView): void {
    if (this.held !== undefined) {
      this.held.push({ msgType, view: view.clone() });
      return;
    }
    if (msgType !== 'A' || this.verdict !== undefined) {
      super.onMsg(msgType, view);
      return;
    }
    const raw = (tag: number) => view.getString(tag) ?? '';
    const logon = view.clone();
    this.held = [];
    this.transport?.duplex.readable?.pause();
    this.adapter
      .logon(this, {
        keyId: raw(553),
        signature: raw(96),
        sendingTime: raw(52),
        msgSeqNum: raw(34),
        senderCompId: raw(49),
        targetCompId: raw(56),
      })
      .then(
        () => ({ ok: true }) as const,
        (err: unknown) => ({ ok: false, reason: (err as Error).message }) as const,
      )
      .then((v) => {
        this.verdict = v;
        const held = this.held ?? [];
        this.held = undefined;
        super.onMsg('A', logon);
        if (!v.ok) return;
        for (const m of held) this.onMsg(m.msgType, m.view);
        this.transport?.duplex.readable?.resume();
      });
  }

  protected onLogon(): boolean {
    return this.verdict?.ok === true;
  }

  protected onApplicationMsg(msgType: string, view: MsgView): void {
    const fields: Fields = { get: (tag) => view.getString(tag) ?? undefined };
    this.adapter.onMessage(this, msgType, view, fields);
  }

  protected onReady(): void {
    this.adapter.ready(this);
  }

  protected onStopped(): void {
    this.adapter.stopped(this);
  }

  protected onDecoded(): void {}

  protected onEncoded(): void {}

  /** Application messages this session sent, read back from the library's file store. */
  private fileBackedStore(): IFixMsgStore {
    const state = (): IFixMsgStoreState => ({ length: 0, firstSeq: 0, lastSeq: 0, id: '' });
    const store: IFixMsgStore = {
      clear: () => Promise.resolve(state()),
      getState: () => Promise.resolve(state()),
      put: () => Promise.resolve(state()),
      get: async (seq: number) => (await this.sessionStore.get(seq)) as IFixMsgStoreRecord,
      exists: async (seq: number) => (await this.sessionStore.get(seq)) !== null,
      getSeqNumRange: async (from: number, to?: number) => {
        const end = to === undefined || to === 0 ? this.sessionStore.senderSeqNum - 1 : to;
        const all = await this.sessionStore.getRange(from, end);
        return all.filter((r) => !ADMIN.has(r.msgType));
      },
      getMsgType: () => Promise.resolve([]),
    };
    return store;
  }
}

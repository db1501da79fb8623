import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jspurefix from 'jspurefix';
import type { IJsFixConfig, MsgView, IFixMsgStore, IFixMsgStoreState } from 'jspurefix';
import type { FixAdapter } from './adapter.js';
import { utcMs, type Fields } from './translate.js';

const { AsciiSession } = jspurefix;

const SOH = '\x01';

/** SendingTime in an encoded message (fields end with SOH on the wire, '|' in the library's log). */
// eslint-disable-next-line no-control-regex
const WIRE_SENDING_TIME = /(?:^|[|\x01])52=([^|\x01]+)/;

/**
 * The library stores sent messages with '|' between fields, so a '|' inside a value would split
 * it on a resend: values sent by the gateway never contain one (it becomes '/').
 */
function noPipes(v: unknown): unknown {
  if (typeof v === 'string') return v.includes('|') ? v.replaceAll('|', '/') : v;
  if (Array.isArray(v)) return v.map(noPipes);
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = noPipes(x);
    return out;
  }
  return v;
}

/** jspurefix's Logout text when onLogon says no; replaced by the reason. */
const LOGON_REFUSED = 'logon rejected by application';

/**
 * One FIX session on jspurefix's AsciiSession: wire parsing, sequence numbers and their file
 * store, heartbeats, TestRequest, ResendRequest to the peer, SequenceReset, Logout and the
 * integrity Rejects are the library's. Added here, each for a stated reason:
 * - the logon verdict (API-key signature) is reached before the library sees the Logon;
 * - resends are served from the application bodies kept as sent (DATA_DIR/fix/store/*.app.jsonl),
 *   see onResendRequest;
 * - a resent message is not recorded again (the library would move the next sequence number
 *   back to it);
 * - application messages go to the adapter as raw tag strings.
 */
export class CrossbookSession extends AsciiSession {
  account: string | undefined;

  constructor(
    config: IJsFixConfig,
    private readonly adapter: FixAdapter,
  ) {
    super(config);
    this.checkMsgIntegrity = true;
    this.store = this.resetAwareStore();
  }

  get compId(): string {
    return this.config.description.TargetCompID;
  }

  /** Sends an application message (the library stamps the header and sequence number). */
  sendApp(msgType: string, body: Record<string, unknown>): void {
    const clean = noPipes(body) as Record<string, unknown>;
    this.sending = { msgType, body: clean };
    try {
      this.send(msgType, clean);
    } finally {
      this.sending = undefined;
    }
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

  /**
   * A resent message (PossDupFlag=Y) keeps its old MsgSeqNum: the library would store it again
   * and set the next sender sequence number back to it, so it is not recorded at all.
   */
  protected override txOnEncoded(
    msgType: string,
    data: string,
    hdr: Record<string, unknown>,
  ): void {
    if (hdr?.PossDupFlag === true) return;
    super.txOnEncoded(msgType, data, hdr);
    const app = this.sending;
    if (app !== undefined && app.msgType === msgType && typeof hdr?.MsgSeqNum === 'number') {
      this.sending = undefined;
      // SendingTime as it went on the wire, for OrigSendingTime on a resend.
      const wire = WIRE_SENDING_TIME.exec(data)?.[1];
      const ms = wire === undefined ? undefined : utcMs({ get: () => wire }, 52, 'SendingTime');
      const sent = new Date(ms ?? Date.now());
      this.record(hdr.MsgSeqNum, sent, msgType, app.body);
    }
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
    if (this.badLength !== undefined) {
      // Garbled: refused and not processed; its sequence number is not taken.
      const text = this.badLength;
      this.badLength = undefined;
      if (this.verdict?.ok === true) this.reject(view, 9, 5, text);
      return;
    }
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

  /** Set by onDecoded when the message's BodyLength (9) is not its length; read by onMsg. */
  private badLength: string | undefined;

  /**
   * The library frames messages by their CheckSum field and does not check BodyLength (9), so
   * it is checked here on the received text: the bytes after the BodyLength field up to and
   * including the delimiter before CheckSum (10).
   */
  protected onDecoded(_msgType: string, txt: string): void {
    this.badLength = undefined;
    // The library hands over the text with its log delimiter ('|') in place of SOH: one byte too.
    const d = txt.includes(SOH) ? SOH : '|';
    const first = txt.indexOf(d);
    const second = txt.indexOf(d, first + 1);
    const trailer = txt.lastIndexOf(`${d}10=`);
    if (first < 0 || second < 0 || trailer < second || !txt.startsWith('9=', first + 1)) return;
    const declared = txt.slice(first + 3, second);
    const actual = Buffer.byteLength(txt.slice(second + 1, trailer + 1));
    if (declared !== String(actual) && Number(declared) !== actual) {
      this.badLength = `BodyLength (9) is ${declared} but the body is ${actual} bytes`;
    }
  }

  /**
   * Input the library's parser cannot frame (no MsgType as the third field, header fields out of
   * place, bytes that are not tag=value) ends the connection: the parser has no way to find the
   * next message. A logged-on client is told why in a Logout; the sequence numbers stay.
   */
  protected override rxOnError(e: Error): void {
    if (this.verdict?.ok === true) this.sendLogout(`Garbled input: ${e.message}`);
    super.rxOnError(e);
  }

  protected onEncoded(): void {}

  /** The application message being sent, paired with its header in txOnEncoded. */
  private sending: { msgType: string; body: Record<string, unknown> } | undefined;

  private get appLog(): string {
    const d = this.config.description;
    return join(
      this.adapter.storeDir,
      `${d.BeginString}-${d.SenderCompId}-${d.TargetCompID}.app.jsonl`,
    );
  }

  /** Keeps the exact body of each application message sent (decimal strings as sent). */
  private record(seq: number, sent: Date, msgType: string, body: Record<string, unknown>): void {
    // TransactTime (a Date) becomes its ISO text and is turned back into a Date on reading.
    const line = JSON.stringify({ seq, sent: sent.getTime(), msgType, body });
    appendFileSync(this.appLog, line + '\n');
  }

  /**
   * ResendRequest (2), served from the bodies kept as sent: application messages again with
   * PossDupFlag=Y, their original MsgSeqNum and OrigSendingTime = their first SendingTime;
   * every other number in the range (session-level messages, anything unreadable) is covered by
   * SequenceReset-GapFill (123=Y, 43=Y). Replaces the library's resender, whose records read
   * back from its file store are never decoded and whose OrigSendingTime is the resend time.
   */
  protected override onResendRequest(view: MsgView): void {
    const begin = Number(view.getString(7));
    const asked = Number(view.getString(16));
    const last = this.lastSentSeqNum();
    const end = asked === 0 || asked > last ? last : asked;
    if (!Number.isSafeInteger(begin) || begin < 1 || begin > end) return;
    let next = begin;
    const gap = (to: number) => {
      if (to > next) {
        this.send('4', {
          StandardHeader: { SendingTime: new Date(), MsgSeqNum: next, PossDupFlag: true },
          GapFillFlag: true,
          NewSeqNo: to,
        });
      }
    };
    for (const r of this.sentBetween(begin, end)) {
      gap(r.seq);
      this.send(r.msgType, {
        ...r.body,
        // The transmitter turns this SendingTime into OrigSendingTime and stamps a new one.
        StandardHeader: { SendingTime: new Date(r.sent), MsgSeqNum: r.seq, PossDupFlag: true },
      });
      next = r.seq + 1;
    }
    gap(end + 1);
  }

  /** Application messages sent with sequence numbers in [from, to], latest copy of each. */
  private sentBetween(from: number, to: number): SentRecord[] {
    const bySeq = new Map<number, SentRecord>();
    if (!existsSync(this.appLog)) return [];
    for (const line of readFileSync(this.appLog, 'utf8').split('\n')) {
      if (line === '') continue;
      let r: SentRecord;
      try {
        r = JSON.parse(line) as SentRecord;
      } catch {
        continue; // a torn last line after a crash: gap-filled
      }
      if (r.seq < from || r.seq > to) continue;
      if (typeof r.body.TransactTime === 'string')
        r.body.TransactTime = new Date(r.body.TransactTime);
      bySeq.set(r.seq, r);
    }
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Only `clear` is used by the library (on a sequence reset); resends are served above. */
  private resetAwareStore(): IFixMsgStore {
    const state = (): IFixMsgStoreState => ({ length: 0, firstSeq: 0, lastSeq: 0, id: '' });
    return {
      clear: () => {
        // 141=Y: the numbers start again and the old messages can no longer be asked for.
        if (existsSync(this.appLog)) writeFileSync(this.appLog, '');
        return Promise.resolve(state());
      },
      getState: () => Promise.resolve(state()),
      put: () => Promise.resolve(state()),
      get: () => Promise.reject(new Error('not kept here')),
      exists: () => Promise.resolve(false),
      getSeqNumRange: () => Promise.resolve([]),
      getMsgType: () => Promise.resolve([]),
    };
  }
}

interface SentRecord {
  seq: number;
  /** First SendingTime, ms. */
  sent: number;
  msgType: string;
  body: Record<string, unknown>;
}

import { useState } from 'preact/hooks';
import { session, useTopics } from '../model';

/**
 * API key login. The secret becomes a non-extractable WebCrypto key in this page; it is never
 * sent. "Remember" keeps it in this tab's sessionStorage so a reload stays logged in.
 */
export function LoginPanel() {
  useTopics('session');
  const [keyId, setKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    await session.login(keyId, secret, remember);
    setBusy(false);
  };
  return (
    <form class="login" data-testid="login" onSubmit={(e) => void submit(e)}>
      <h3>Log in to trade</h3>
      <p>
        Use an API key: the demo keys are printed when the server first starts, or create one with{' '}
        <code>crossbook accounts add NAME</code>.
      </p>
      <label>
        Key id
        <input
          name="keyId"
          data-testid="login-key"
          autocomplete="username"
          value={keyId}
          onInput={(e) => setKeyId((e.target as HTMLInputElement).value)}
          required
        />
      </label>
      <label>
        Secret
        <input
          name="secret"
          type="password"
          data-testid="login-secret"
          autocomplete="current-password"
          value={secret}
          onInput={(e) => setSecret((e.target as HTMLInputElement).value)}
          required
        />
      </label>
      <label class="remember">
        <input
          type="checkbox"
          checked={remember}
          onChange={(e) => setRemember((e.target as HTMLInputElement).checked)}
        />
        Remember in this tab
      </label>
      {session.loginError !== null && (
        <div class="err" data-testid="login-error">
          {session.loginError}
        </div>
      )}
      <button type="submit" data-testid="login-submit" disabled={busy}>
        {busy ? 'Checking…' : 'Log in'}
      </button>
      <p class="dim">
        Requests are signed in the browser with HMAC-SHA256; the secret never leaves it.
      </p>
    </form>
  );
}

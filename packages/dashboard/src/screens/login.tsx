import { useState } from 'preact/hooks';
import { ApiError } from '../api.js';

export function LoginScreen({ logIn, notice }: { logIn: (token: string) => Promise<void>; notice: string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(notice);
  const [busy, setBusy] = useState(false);

  const submit = (e: Event) => {
    e.preventDefault();
    const trimmed = token.trim();
    if (trimmed === '') return;
    setBusy(true);
    logIn(trimmed).catch((failure: unknown) => {
      setError(failure instanceof ApiError && failure.status === 401 ? 'That token was refused.' : `Cannot log in: ${String(failure instanceof Error ? failure.message : failure)}`);
      setBusy(false);
    });
  };

  return (
    <form class="login" onSubmit={submit}>
      <h1>banward</h1>
      <p class="muted">Paste the read-only or the admin token (from the files named by <code>read_token_file</code> and <code>admin_token_file</code>). It is kept for this tab only.</p>
      <input type="password" autocomplete="off" placeholder="token" value={token} data-testid="login-token"
        onInput={(e) => setToken(e.currentTarget.value)} />
      <button type="submit" disabled={busy} data-testid="login-button">Log in</button>
      {error !== null && <p class="error" data-testid="login-error">{error}</p>}
    </form>
  );
}

import { type FormEvent, useState } from 'react';
import { api, type StaffMember } from './api.js';
import { Heading, Problem } from './page-parts.js';

export function SignIn({ onSignedIn }: { onSignedIn(staff: StaffMember): void }) {
  const [id, setId] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api<{ staff: StaffMember }>('POST', '/v1/admin/session', { id, password });
      setPassword('');
      onSignedIn(session.staff);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <Heading title="Sign in to the Touchpoint console" />
      <p>For the bank’s staff. Customers sign in to the net bank.</p>
      <form onSubmit={submit} aria-describedby="sign-in-note">
        <label htmlFor="staff-id">Staff id</label>
        <input
          id="staff-id"
          name="username"
          autoComplete="username"
          required
          value={id}
          onChange={(e) => setId(e.target.value)}
        />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <Problem error={error} />
      </form>
      <p id="sign-in-note" className="note">
        The session ends after eight hours or when you sign out.
      </p>
    </main>
  );
}

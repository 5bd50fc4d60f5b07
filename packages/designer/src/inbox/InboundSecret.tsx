import { useEffect, useState } from 'react';
import { api } from '../api.ts';

interface Inbound {
  secret: string;
  url: string;
}

/**
 * The secret a CRM signs its calls to Baton's inbound webhook with (Standard Webhooks), for an admin:
 * hidden until asked, and rotated on demand (the old secret stops working at once).
 */
export function InboundSecret() {
  const [inbound, setInbound] = useState<Inbound | null>(null);
  const [shown, setShown] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<Inbound>('GET', '/webhooks/inbound').then(setInbound, (e: Error) => setError(e.message));
  }, []);
  const rotate = () => {
    if (!window.confirm('Rotate the inbound secret? Calls signed with the current one are refused from now on.'))
      return;
    api<Inbound>('POST', '/webhooks/inbound/rotate').then(
      (next) => {
        setInbound(next);
        setShown(true);
      },
      (e: Error) => setError(e.message),
    );
  };
  return (
    <section className="inbound-secret" aria-label="inbound webhook secret">
      <h4>Your CRM tells Baton what its users did</h4>
      <p className="muted small">
        It posts accepted, rejected and outcome calls to <code>{inbound?.url ?? '/v1/inbound'}</code>, signed as
        Standard Webhooks says with this secret.
      </p>
      {error && <p className="error-banner">{error}</p>}
      {inbound && (
        <div className="secret-row">
          <code data-testid="inbound-secret">
            {shown ? inbound.secret : `${inbound.secret.slice(0, 6)}${'•'.repeat(12)}`}
          </code>
          <button type="button" onClick={() => setShown((s) => !s)}>
            {shown ? 'Hide' : 'Show'}
          </button>
          <button type="button" className="danger" onClick={rotate}>
            Rotate…
          </button>
        </div>
      )}
    </section>
  );
}

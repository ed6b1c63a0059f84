import { useEffect, useRef } from 'react';
import { ApiError } from './api.js';

/** A page's heading, focused when the page opens so screen readers announce it. */
export function Heading({ title, children }: { title: string; children?: React.ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <>
      <h1 ref={ref} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </>
  );
}

/** An API refusal shown to staff: its detail and each field it names. */
export function Problem({ error }: { error: unknown }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error : null;
  return (
    <div role="alert" className="problem" data-testid="problem">
      <strong>{problem?.title ?? 'Something went wrong'}</strong>
      {problem?.detail ? <p>{problem.detail}</p> : null}
      {problem?.errors.length ? (
        <ul>
          {problem.errors.map((e) => (
            <li key={`${e.path}:${e.message}`}>
              <code>{e.path}</code> {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {!problem && error instanceof Error ? <p>{error.message}</p> : null}
    </div>
  );
}

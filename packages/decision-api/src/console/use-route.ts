import { useEffect, useState } from 'react';

/** The console's pages live in the URL's hash, so the API serves one document and a reload keeps the page. */
const read = () => window.location.hash.replace(/^#/, '') || '/experiments';

export function useRoute(): string {
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export const go = (route: string) => {
  window.location.hash = route;
};

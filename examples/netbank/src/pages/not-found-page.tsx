import { useLocale } from '../i18n/locale.js';

export function NotFoundPage() {
  const { t } = useLocale();
  return (
    <div className="page-heading">
      <h1>{t.notFound.title}</h1>
      <p>{t.notFound.body}</p>
      <p>
        <a href="/dashboard">{t.notFound.back}</a>
      </p>
    </div>
  );
}

/** Demo Bank's mark: decorative, the bank's name is always written next to it. */
export function Logo() {
  return (
    <svg className="logo" width="32" height="32" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="currentColor" opacity="0.16" />
      <path d="M6 13 16 6l10 7v2H6z M8 17h3v7H8z M14.5 17h3v7h-3z M21 17h3v7h-3z M6 25h20v2H6z" fill="currentColor" />
    </svg>
  );
}

export function Brand() {
  return (
    <div className="brand">
      <svg width="22" height="22" viewBox="0 0 32 32" aria-hidden>
        <rect width="32" height="32" rx="7" fill="#0f766e" />
        <path d="M8 11h16M8 16h16M8 21h16" stroke="#fff" strokeWidth="2.5" strokeLinecap="round" />
      </svg>
      Crossdock
    </div>
  );
}

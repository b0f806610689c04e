/**
 * Placeholder thumbnails as small SVG files: a video without a poster frame
 * (its codec and duration), a picture that could not be decoded (why). Text
 * from the evidence (codec names) is escaped; the SVG has a fixed size so a
 * browser gives it a natural width like any picture.
 */

const esc = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** "1:02:03", "2:05", "0:03" from seconds. */
export function formatClock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function placeholderSvg(opts: { video: boolean; title: string; lines: string[] }): string {
  const lines = opts.lines.slice(0, 3).map((l) => (l.length > 34 ? `${l.slice(0, 33)}…` : l));
  const icon = opts.video
    ? '<circle cx="120" cy="70" r="30" fill="#3a4655"/><path d="M110 55 L136 70 L110 85 Z" fill="#c9d3df"/>'
    : '<rect x="92" y="46" width="56" height="44" rx="4" fill="none" stroke="#6b7785" stroke-width="3"/><path d="M96 86 L112 68 L124 80 L132 72 L144 86 Z" fill="#6b7785"/>';
  const text = [opts.title, ...lines]
    .map((t, i) => `<text x="120" y="${124 + i * 18}" text-anchor="middle" font-family="sans-serif" font-size="${i === 0 ? 15 : 12}" fill="${i === 0 ? '#e8edf3' : '#aab4c0'}">${esc(t)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="180" viewBox="0 0 240 180"><rect width="240" height="180" fill="#1f2630"/>${icon}${text}</svg>\n`;
}

/** The page's CSS, inline (no external stylesheet or font). */
export const GALLERY_CSS = `
:root { color-scheme: light dark; --bg: #f4f5f7; --card: #fff; --ink: #1d232b; --dim: #5f6b78; --line: #d9dee4;
  --ok: #1f7a3f; --re: #1b5fa8; --tr: #a0620a; --dm: #b3261e; --live: #7b3fb5; }
@media (prefers-color-scheme: dark) { :root { --bg: #14181d; --card: #1e242b; --ink: #e6eaef; --dim: #9aa6b3; --line: #313a44;
  --ok: #5cc27f; --re: #6aa8ee; --tr: #e0a24a; --dm: #f07167; --live: #b98be6; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--ink); }
header { padding: 12px 20px 4px; }
h1 { font-size: 18px; margin: 0 0 8px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
.facts dt { color: var(--dim); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.mono, #d-facts dd { font-family: ui-monospace, monospace; font-size: 12px; }
.hint { color: var(--dim); font-size: 12px; }
details table { border-collapse: collapse; font-size: 12px; margin: 6px 0; }
details td, details th { border-bottom: 1px solid var(--line); padding: 2px 8px; text-align: left; }
.controls { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center;
  padding: 8px 20px; background: var(--bg); border-bottom: 1px solid var(--line); }
.controls label { color: var(--dim); }
.controls select, .controls input, .controls button { font: inherit; }
#count { margin-left: auto; color: var(--dim); }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 14px; padding: 14px 20px 40px; }
.day { grid-column: 1 / -1; margin: 10px 0 0; font-size: 15px; border-bottom: 1px solid var(--line); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; display: flex; }
.card.pair { grid-column: span 2; border-color: var(--live); }
.card figure { margin: 0; flex: 1 1 0; min-width: 0; }
.card.pair figure + figure { border-left: 1px dashed var(--live); }
.thumb { display: block; position: relative; width: 100%; height: 180px; padding: 0; border: 0; background: #0e1114; cursor: pointer; }
.thumb img { width: 100%; height: 100%; object-fit: contain; display: block; }
.dur { position: absolute; right: 6px; bottom: 6px; background: rgba(0,0,0,.7); color: #fff; font-size: 11px; padding: 1px 5px; border-radius: 3px; }
figcaption { padding: 6px 8px 8px; }
.badges { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: 4px; }
.b { font-size: 11px; padding: 0 6px; border-radius: 9px; border: 1px solid var(--line); color: var(--dim); }
.s-complete { color: var(--ok); border-color: var(--ok); }
.s-rebuilt { color: var(--re); border-color: var(--re); }
.s-truncated { color: var(--tr); border-color: var(--tr); }
.s-damaged { color: var(--dm); border-color: var(--dm); }
.live { color: var(--live); border-color: var(--live); }
.del { color: var(--tr); border-style: dashed; }
figcaption dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 8px; margin: 0; font-size: 12px; }
figcaption dt { color: var(--dim); }
figcaption dd { margin: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
dialog { max-width: min(900px, 94vw); border: 1px solid var(--line); border-radius: 8px; background: var(--card); color: var(--ink); }
dialog h2 { font-size: 16px; margin-top: 0; }
#d-facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
#d-facts dt { color: var(--dim); }
#d-facts dd { margin: 0; overflow-wrap: anywhere; }
a { color: var(--re); }
`;

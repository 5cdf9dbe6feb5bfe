/** The playground's look: one column on a phone, form beside results from 760px up; nothing wider than the screen. */
export const PLAYGROUND_CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1d1d1f; background: #f6f6f3; }
header { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; align-items: baseline; justify-content: space-between;
  padding: 0.75rem 1rem; background: #fff; border-bottom: 1px solid #ddd; }
h1 { font-size: 1.25rem; margin: 0; }
h2 { font-size: 1.05rem; display: flex; gap: 0.75rem; align-items: center; }
#credits { color: #555; font-size: 0.9rem; }
main { display: grid; gap: 1rem; max-width: 72rem; margin: 0 auto; padding: 1rem;
  grid-template-columns: minmax(0, 24rem) minmax(0, 1fr); }
#jobs-section { grid-column: 1 / -1; }
@media (max-width: 760px) { main { grid-template-columns: minmax(0, 1fr); padding: 0.75rem; } }
#result[hidden] { display: none; }
form, #result, #jobs-section { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 1rem; min-width: 0; }
label { display: block; font-size: 0.85rem; color: #444; margin-bottom: 0.6rem; }
input, select, textarea { display: block; width: 100%; margin-top: 0.2rem; padding: 0.45rem 0.5rem; font: inherit;
  border: 1px solid #bbb; border-radius: 6px; background: #fff; }
textarea { resize: vertical; }
label.check { display: flex; gap: 0.4rem; align-items: center; }
label.check input { display: inline; width: auto; margin: 0; }
.row { display: grid; gap: 0 0.6rem; grid-template-columns: repeat(auto-fit, minmax(6.5rem, 1fr)); }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem; }
button { font: inherit; padding: 0.55rem 1.1rem; border: 0; border-radius: 6px; background: #2456d3; color: #fff;
  cursor: pointer; }
button:disabled { opacity: 0.6; cursor: progress; }
button.secondary { background: #e7e9ee; color: #1d1d1f; }
button.small { padding: 0.2rem 0.6rem; font-size: 0.85rem; }
#status { min-height: 1.5em; margin: 0.5rem 0 0; font-size: 0.9rem; overflow-wrap: anywhere; }
#status.error { color: #b3261e; }
#progress-box { display: flex; gap: 0.75rem; align-items: center; margin-bottom: 0.75rem; }
#progress-box[hidden] { display: none; }
progress { flex: 1; height: 0.8rem; }
#progress-text { font-size: 0.85rem; color: #555; white-space: nowrap; }
#previews, #images { display: grid; gap: 0.75rem; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); }
#previews img { width: 100%; image-rendering: pixelated; opacity: 0.85; border-radius: 4px; }
figure { margin: 0; min-width: 0; }
figure img { display: block; width: 100%; height: auto; image-rendering: pixelated; border-radius: 4px; background: #eee; }
/* "seed 4294967295" and "open" on one line: a seed broken in two reads as two numbers. */
figcaption { display: flex; gap: 0.5rem; justify-content: space-between; font-size: 0.85rem; color: #444;
  white-space: nowrap; }
details { margin-top: 0.75rem; grid-column: 1 / -1; min-width: 0; overflow-wrap: anywhere; }
pre { font-size: 0.75rem; background: #f3f3f0; padding: 0.5rem; border-radius: 4px; white-space: pre-wrap;
  overflow-wrap: anywhere; max-height: 20rem; overflow: auto; }
#jobs { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.5rem;
  grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); }
#jobs button { display: flex; gap: 0.6rem; width: 100%; align-items: center; text-align: left; background: #f3f3f0;
  color: inherit; padding: 0.4rem; }
#jobs img { width: 3rem; height: 3rem; object-fit: cover; image-rendering: pixelated; border-radius: 4px; flex: none; }
#jobs span { display: flex; flex-direction: column; min-width: 0; font-size: 0.85rem; }
/* The prompt first, on up to two lines; then status and time. */
#jobs q { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden;
  overflow-wrap: anywhere; }
#jobs small { color: #555; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
`;

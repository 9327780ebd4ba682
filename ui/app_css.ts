/**
 * The dashboard's stylesheet, as a module so the single binary carries it.
 * Light and dark themes follow `prefers-color-scheme` unless the reader
 * chose one (`data-theme` on the root element); state colours are
 * variables shared by badges, charts, the timeline and the graph.
 *
 * @module
 */

/** The CSS served at `/assets/app.css`. */
export const APP_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f7f8fa; --panel: #ffffff; --text: #1a202c; --muted: #5f6b7a; --border: #dfe3ea;
  --accent: #3b5bdb; --accent-text: #ffffff; --code: #eef1f5; --hover: #f0f3f8;
  --s-scheduled: #975a16; --s-pending: #5f6b7a; --s-running: #2b6cb0; --s-paused: #6b46c1;
  --s-cancelling: #5f6b7a; --s-completed: #2f855a; --s-failed: #c53030; --s-cancelled: #4a5568;
  --s-crashed: #c05621;
  --font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  --mono: ui-monospace, "SF Mono", Menlo, Consolas, monospace;
}
@media (prefers-color-scheme: dark) {
  :root:not([data-theme=light]) {
    color-scheme: dark;
    --bg: #0f1217; --panel: #171b22; --text: #e6e9ef; --muted: #98a2b3; --border: #2a303b;
    --accent: #748ffc; --accent-text: #0f1217; --code: #1f2530; --hover: #1d232c;
    --s-scheduled: #ecc94b; --s-pending: #a0aec0; --s-running: #63b3ed; --s-paused: #b794f4;
    --s-cancelling: #a0aec0; --s-completed: #68d391; --s-failed: #fc8181; --s-cancelled: #8795a8;
    --s-crashed: #f6ad55;
  }
}
:root[data-theme=light] { color-scheme: light; }
:root[data-theme=dark] {
  color-scheme: dark;
    --bg: #0f1217; --panel: #171b22; --text: #e6e9ef; --muted: #98a2b3; --border: #2a303b;
    --accent: #748ffc; --accent-text: #0f1217; --code: #1f2530; --hover: #1d232c;
    --s-scheduled: #ecc94b; --s-pending: #a0aec0; --s-running: #63b3ed; --s-paused: #b794f4;
    --s-cancelling: #a0aec0; --s-completed: #68d391; --s-failed: #fc8181; --s-cancelled: #8795a8;
    --s-crashed: #f6ad55;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 var(--font); background: var(--bg); color: var(--text); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
code { background: var(--code); padding: 1px 5px; border-radius: 4px; }
pre { background: var(--code); padding: 10px 12px; border-radius: 6px; overflow: auto; margin: 0; }
h1 { font-size: 20px; margin: 0; } h2 { font-size: 16px; margin: 0 0 8px; } h3 { font-size: 14px; margin: 0 0 6px; }
.top { display: flex; align-items: center; gap: 20px; padding: 0 24px; height: 52px; background: var(--panel); border-bottom: 1px solid var(--border); }
.brand { font-weight: 700; color: var(--text); font-size: 16px; letter-spacing: .2px; }
.brand span { color: var(--accent); }
.nav { display: flex; gap: 4px; flex: 1; min-width: 0; overflow-x: auto; white-space: nowrap; }
.nav a { color: var(--muted); padding: 6px 10px; border-radius: 6px; }
.nav a.on, .nav a:hover { color: var(--text); background: var(--hover); text-decoration: none; }
.top form { margin: 0; }
.skip { position: absolute; left: 8px; top: -40px; padding: 6px 12px; background: var(--panel); border: 1px solid var(--accent); border-radius: 6px; z-index: 10; }
.skip:focus { top: 8px; }
main:focus { outline: none; }
main p a, main dd a, main li a, .crumbs a { text-decoration: underline; text-underline-offset: 2px; }
main { padding: 20px 24px 48px; max-width: 1400px; margin: 0 auto; display: grid; gap: 16px; }
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 16px; }
.panel.flush { padding: 0; overflow: auto; }
.row { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.spread { justify-content: space-between; }
.muted { color: var(--muted); }
.tag { margin-left: 6px; }
.pad { padding: 10px 12px; }
.small { font-size: 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 8px 12px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .4px; }
tbody tr:hover { background: var(--hover); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-flex; align-items: center; gap: 6px; padding: 1px 9px 1px 7px; border-radius: 999px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.badge::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: currentColor; }
.badge.big { font-size: 13px; padding: 3px 12px 3px 9px; }
.s-SCHEDULED { color: var(--s-scheduled); } .s-PENDING { color: var(--s-pending); }
.s-RUNNING { color: var(--s-running); } .s-PAUSED { color: var(--s-paused); }
.s-CANCELLING { color: var(--s-cancelling); } .s-COMPLETED { color: var(--s-completed); }
.s-FAILED { color: var(--s-failed); } .s-CANCELLED { color: var(--s-cancelled); }
.s-CRASHED { color: var(--s-crashed); }
.f-SCHEDULED { fill: var(--s-scheduled); } .f-PENDING { fill: var(--s-pending); }
.f-RUNNING { fill: var(--s-running); } .f-PAUSED { fill: var(--s-paused); }
.f-CANCELLING { fill: var(--s-cancelling); } .f-COMPLETED { fill: var(--s-completed); }
.f-FAILED { fill: var(--s-failed); } .f-CANCELLED { fill: var(--s-cancelled); }
.f-CRASHED { fill: var(--s-crashed); }
.chips { display: flex; gap: 6px; flex-wrap: wrap; }
.chip { display: inline-flex; gap: 6px; align-items: center; padding: 3px 10px; border-radius: 999px; border: 1px solid var(--border); color: var(--muted); font-size: 12.5px; }
.chip.on { border-color: currentColor; font-weight: 600; background: var(--hover); }
.chip .n { color: var(--muted); font-weight: 400; font-variant-numeric: tabular-nums; }
.chip:hover { text-decoration: none; border-color: currentColor; }
input, select, button { font: inherit; color: var(--text); background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 5px 10px; }
button, .button { cursor: pointer; background: var(--accent); color: var(--accent-text); border-color: var(--accent); font-weight: 600; display: inline-block; padding: 5px 12px; border-radius: 6px; }
button.secondary, .button.secondary { background: var(--panel); color: var(--text); border-color: var(--border); }
/* A fixed red: white text on the dark theme's light red is unreadable. */
button.danger, .button.danger { background: #c53030; border-color: #c53030; color: #fff; }
button:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.filters { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
.filters input[type=search] { min-width: 240px; }
.tabs { display: flex; gap: 2px; border-bottom: 1px solid var(--border); margin: 0 0 -1px; }
.tabs a { padding: 8px 14px; color: var(--muted); border-bottom: 2px solid transparent; }
.tabs a.on { color: var(--text); border-bottom-color: var(--accent); font-weight: 600; }
.tabs a:hover { text-decoration: none; color: var(--text); }
.tabs .n { font-size: 11px; color: var(--muted); margin-left: 4px; }
.kv { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
.kv dt { color: var(--muted); } .kv dd { margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 16px; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; }
.actions form { margin: 0; display: flex; gap: 6px; }
.kv + .actions { margin-top: 12px; }
.empty { text-align: center; padding: 40px 16px; color: var(--muted); }
.empty h2 { color: var(--text); }
.empty pre { display: inline-block; text-align: left; margin-top: 8px; }
.error h1 { color: var(--s-failed); }
.flash { padding: 10px 14px; border-radius: 8px; border: 1px solid var(--border); background: var(--panel); }
.flash.bad { border-color: var(--s-failed); color: var(--s-failed); }
.pager { display: flex; gap: 12px; align-items: center; justify-content: flex-end; padding: 10px 12px; }
svg text { fill: var(--muted); font: 11px var(--font); }
svg .grid { stroke: var(--border); stroke-width: 1; }
svg .edge { stroke: var(--muted); stroke-width: 1.5; fill: none; }
svg .edge.waitFor { stroke-dasharray: 5 4; }
svg .node rect.box { fill: var(--panel); stroke: var(--border); stroke-width: 1.5; }
svg .node text.label { fill: var(--text); font-weight: 600; font-size: 12px; }
svg .node.subflow rect.box { stroke: var(--accent); stroke-dasharray: 4 3; }
svg .node.planned rect.box { fill: var(--hover); stroke: var(--s-pending); stroke-dasharray: 5 4; }
svg .node.planned text.label { fill: var(--muted); font-weight: 500; }
svg .node.unreachable rect.box { fill: var(--hover); stroke: var(--s-failed); stroke-dasharray: 1.5 3; }
svg .node.unreachable text { fill: var(--muted); } svg .node.unreachable text.label { text-decoration: line-through; font-weight: 500; }
svg .edge.planned { stroke: var(--s-pending); stroke-dasharray: 2 4; opacity: .8; }
svg a:hover rect.box { stroke: var(--accent); }
svg .arrow { fill: var(--muted); }
svg .bar:hover { opacity: .8; }
svg .now { stroke: var(--accent); stroke-dasharray: 3 3; }
.chart { width: 100%; height: auto; display: block; }
.graph { display: block; max-width: none; margin: 8px auto; }
.scroll { overflow: auto; max-height: 70vh; }
.logs { list-style: none; margin: 0; padding: 0; font-family: var(--mono); font-size: 12.5px; }
.logs li { display: grid; grid-template-columns: 170px 70px 1fr; gap: 10px; padding: 3px 12px; border-bottom: 1px solid var(--border); }
.logs li .msg { white-space: pre-wrap; word-break: break-word; }
.lvl-DEBUG { color: var(--muted); } .lvl-INFO { color: var(--s-running); } .lvl-WARNING { color: var(--s-scheduled); }
.lvl-ERROR, .lvl-CRITICAL { color: var(--s-failed); font-weight: 600; }
.artifact { border-top: 1px solid var(--border); padding: 12px 0; }
.markdown :first-child { margin-top: 0; }
progress { width: 100%; height: 10px; accent-color: var(--accent); }
.legend { display: flex; gap: 12px; flex-wrap: wrap; font-size: 12px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; background: currentColor; vertical-align: -1px; }
.legend i.k-planned { background: var(--hover); border: 1.5px dashed var(--s-pending); }
.legend i.k-unreachable { background: var(--hover); border: 1.5px dotted var(--s-failed); }
.legend i.k-edge { width: 16px; height: 0; border-radius: 0; background: none; border-top: 1.5px solid var(--muted); vertical-align: 3px; }
.legend i.k-edge.waitFor { border-top-style: dashed; } .legend i.k-edge.planned { border-top: 1.5px dotted var(--s-pending); }
.login { max-width: 380px; margin: 10vh auto; }
.login form { display: grid; gap: 10px; }
.tight td, .tight th { padding: 5px 12px; }
.live-dot { width: 8px; height: 8px; border-radius: 50%; background: var(--s-pending); display: inline-block; }
.live-dot.on { background: var(--s-completed); }
a.button { border: 1px solid var(--accent); } a.button.secondary { border-color: var(--border); }
a.button:hover { text-decoration: none; border-color: var(--accent); }
.nowrap { white-space: nowrap; }
.tone-ok { color: var(--s-completed); } .tone-warn { color: var(--s-paused); }
.tone-off { color: var(--s-cancelled); } .tone-bad { color: var(--s-failed); }
.dots { display: inline-flex; gap: 4px; align-items: center; }
.dot { display: inline-block; width: 11px; height: 11px; border-radius: 50%; background: currentColor; }
.dot:hover { outline: 2px solid var(--border); }
code.chip-code { margin: 0 4px 2px 0; display: inline-block; }
.description { white-space: pre-wrap; margin: 8px 0 12px; }
.schedules { display: grid; gap: 10px; margin-bottom: 16px; }
.schedule { border: 1px solid var(--border); border-radius: 8px; padding: 10px 12px; }
.schedule.editing { border-color: var(--accent); }
.times { margin: 4px 0 0; padding-left: 22px; font-variant-numeric: tabular-nums; }
.editor { display: grid; gap: 10px; }
ol.plain { margin: 0; padding-left: 18px; }
fieldset.plain { border: 0; padding: 0; margin: 0; min-width: 0; flex: 1; }
.editor h3 { margin: 0; }
.fields { display: flex; gap: 10px; flex-wrap: wrap; align-items: flex-end; }
.fields label, label.block { display: grid; gap: 3px; font-size: 12px; color: var(--muted); }
.fields label.grow { flex: 1; min-width: 220px; }
.fields label.check { display: flex; gap: 6px; align-items: center; padding-bottom: 6px; color: var(--text); font-size: 14px; }
.fields input[type=text] { font-family: var(--mono); font-size: 12.5px; }
textarea { font: 12.5px/1.45 var(--mono); color: var(--text); background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px; width: 100%; resize: vertical; }
textarea[aria-invalid=true] { border-color: var(--s-failed); }
textarea:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.preview { border-left: 3px solid var(--accent); padding: 6px 12px; background: var(--hover); border-radius: 0 6px 6px 0; }
.preview.bad { border-left-color: var(--s-failed); }
.preview p { margin: 0; }
details summary { cursor: pointer; margin-top: 8px; }
.schema-fields { display: grid; gap: 10px; }
.schema-fields .field { display: grid; gap: 3px; font-size: 12px; color: var(--muted); max-width: 520px; }
.schema-fields .field label { color: var(--text); font-size: 13px; }
.schema-fields fieldset.group { border: 1px solid var(--border); border-radius: 8px; padding: 8px 12px; display: grid; gap: 8px; }
.schema-fields legend { font-size: 13px; padding: 0 4px; }
.req { color: var(--s-failed); text-decoration: none; margin-left: 2px; }
.field-error { color: var(--s-failed); font-size: 12.5px; }
[aria-invalid=true] { border-color: var(--s-failed); }
.confirm { display: inline-block; }
.form-grid { display: grid; gap: 10px 14px; grid-template-columns: repeat(auto-fill, minmax(min(100%, 220px), 1fr)); align-items: start; }
.form-grid .field { display: grid; gap: 3px; min-width: 0; }
.form-grid .field > label { font-size: 12px; color: var(--muted); }
.form-grid .field.check > label { display: flex; gap: 6px; align-items: center; color: var(--text); font-size: 14px; }
.form-grid .field > input[type=text], .form-grid .field > select { width: 100%; }
.form-grid .wide { grid-column: 1 / -1; }
form > fieldset.group { border: 1px solid var(--border); border-radius: 8px; padding: 8px 12px; margin: 10px 0 0; min-width: 0; display: grid; gap: 8px; }
form > fieldset.group legend { font-size: 13px; padding: 0 4px; }
.form-grid + .actions, .form-grid .actions { margin-top: 10px; }
.inline-form { display: flex; gap: 6px; margin: 0; }
.inline-form input[type=number] { width: 90px; }
.confirm > summary { list-style: none; margin: 0; }
.confirm > summary::-webkit-details-marker { display: none; }
.confirm[open] > summary { outline: 2px solid var(--border); outline-offset: 1px; }
.confirm form { margin-top: 6px; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.tabs { overflow-x: auto; white-space: nowrap; }
.kv dd, td { overflow-wrap: anywhere; }
/* On a phone: the navigation becomes a scrolling strip under the brand,
   tables and charts scroll inside their panels, never the page. */
@media (max-width: 720px) {
  main { padding: 12px; grid-template-columns: minmax(0, 1fr); }
  .top { padding: 6px 12px; gap: 6px 10px; height: auto; flex-wrap: wrap; }
  .nav { order: 3; flex-basis: 100%; overflow-x: auto; white-space: nowrap; }
  .nav a { padding: 6px 8px; }
  .top .theme { margin-left: auto; }
  .logs li { grid-template-columns: 1fr; }
  .kv { grid-template-columns: minmax(0, 1fr); } .kv dt { margin-top: 6px; }
  .filters input[type=search] { min-width: 0; flex: 1 1 100%; }
  .chart-scroll { overflow-x: auto; }
  .chart-scroll .chart { min-width: 640px; }
  td, th { padding: 6px 8px; }
  td { overflow-wrap: normal; }
}
`;

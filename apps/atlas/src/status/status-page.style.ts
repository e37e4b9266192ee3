import { SafeHtml } from './html-template';

/**
 * The page's whole stylesheet, inline (the CSP allows nothing else): system fonts, neutral
 * dark by default and light when the system asks for it, dense tables that stay readable on a
 * laptop at arm's length. Colour is never the only signal: every badge also says its state.
 */
export const STATUS_PAGE_STYLE = new SafeHtml(`
:root{--bg:#111317;--panel:#181b21;--line:#2a2f38;--text:#e6e8eb;--muted:#9aa3ae;--link:#8ab4f8;
--ok:#3fb950;--ok-bg:#12301c;--bad:#ff7b72;--bad-bg:#3d1417;--warn:#e3b341;--warn-bg:#3a2d0c;
--info:#79c0ff;--info-bg:#132a44;--muted-bg:#23272e;color-scheme:dark}
@media (prefers-color-scheme:light){:root{--bg:#f6f7f9;--panel:#fff;--line:#d8dde3;--text:#1b1f24;
--muted:#5b6570;--link:#0b5cad;--ok:#1a7f37;--ok-bg:#dcf5e3;--bad:#b42318;--bad-bg:#fde4e1;
--warn:#8a5a00;--warn-bg:#fdf0cf;--info:#0b5cad;--info-bg:#ddeafa;--muted-bg:#eceff2;color-scheme:light}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--text)}
body{margin:0 auto;max-width:1280px;padding:16px 20px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
h1{font-size:20px;margin:0 0 2px;letter-spacing:.2px}
h2{font-size:15px;margin:0 0 8px;display:flex;align-items:center;gap:8px}
.top{border-bottom:1px solid var(--line);padding-bottom:12px;margin-bottom:16px}
.meta{margin:0 0 10px;color:var(--muted);font-size:13px}
.summary{list-style:none;display:flex;flex-wrap:wrap;gap:8px;margin:0;padding:0}
.chip{display:inline-block;padding:3px 10px;border-radius:999px;font-weight:600;font-size:13px;border:1px solid transparent}
.chip.ok{color:var(--ok);background:var(--ok-bg)}.chip.bad{color:var(--bad);background:var(--bad-bg)}
.chip.warn{color:var(--warn);background:var(--warn-bg)}.chip.info{color:var(--info);background:var(--info-bg)}
main{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:16px}
section{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:12px 14px;min-width:0;overflow-x:auto}
#incidents,#crew{grid-column:1 / -1}
@media (max-width:900px){main{grid-template-columns:minmax(0,1fr)}}
.count{font-size:12px;font-weight:600;color:var(--muted);background:var(--muted-bg);border-radius:999px;padding:0 8px}
table{width:100%;border-collapse:collapse;font-size:13px}
th{white-space:nowrap;text-align:left;font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.4px;border-bottom:1px solid var(--line);padding:4px 8px 6px}
td{padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:break-word}
tbody tr:last-child td{border-bottom:0}
tbody tr:hover td{background:var(--muted-bg)}
.name{font-weight:600}
.nowrap{white-space:nowrap}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12px}
.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.dim{color:var(--muted)}tr.dim td{opacity:.65}
time{white-space:nowrap;border-bottom:1px dotted var(--muted)}
.badge{display:inline-block;padding:0 7px;border-radius:4px;font-size:12px;font-weight:600;line-height:18px;white-space:nowrap}
.badge.ok{color:var(--ok);background:var(--ok-bg)}.badge.bad{color:var(--bad);background:var(--bad-bg)}
.badge.warn{color:var(--warn);background:var(--warn-bg)}.badge.info{color:var(--info);background:var(--info-bg)}
.badge.muted{color:var(--muted);background:var(--muted-bg)}
.empty,.note{margin:4px 0;color:var(--muted)}.note.bad{color:var(--bad)}
.text-bad{color:var(--bad)}.text-warn{color:var(--warn)}
.more{margin:8px 0 0;color:var(--muted);font-size:13px}
.budget{display:flex;align-items:center;gap:8px}
.bar{flex:0 0 110px;height:8px;border-radius:4px;background:var(--muted-bg);overflow:hidden}
.fill{display:block;height:100%}.fill.ok{background:var(--ok)}.fill.warn{background:var(--warn)}.fill.bad{background:var(--bad)}
`);

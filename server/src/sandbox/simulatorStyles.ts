/** Styles of the fan simulator page, served at /sandbox/simulator.css. WeChat's chat colours, plain CSS. */
export const SIMULATOR_STYLES = `
:root {
  --chat-bg: #ededed;
  --fan-bubble: #95ec69;
  --account-bubble: #ffffff;
  --brand: #07c160;
  --brand-dark: #06ad56;
  --danger: #fa5151;
  --text: #191919;
  --muted: #8a8a8a;
  --line: #e2e2e2;
  --panel: #ffffff;
  font-family: -apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
  color: var(--text);
}
* { box-sizing: border-box; }
body { margin: 0; background: #dfe5ea; min-height: 100vh; }
button, input, textarea { font: inherit; color: inherit; }
[hidden] { display: none !important; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; background: #f1f3f5; padding: 0 4px; border-radius: 3px; }

.page { display: flex; gap: 28px; justify-content: center; align-items: flex-start; padding: 28px 20px; }

/* ---- side panel ---- */
.panel { width: 320px; display: flex; flex-direction: column; gap: 14px; }
.panel-head h1 { margin: 0 0 6px; font-size: 22px; }
.panel-head p { margin: 0 0 6px; font-size: 13px; line-height: 1.6; color: #4a4a4a; }
.mode { display: inline-block; font-size: 12px !important; padding: 2px 8px; border-radius: 10px; background: #e8f7ee; color: var(--brand-dark) !important; }
.card-section { background: var(--panel); border-radius: 10px; padding: 14px; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.06); }
.card-section h2 { margin: 0 0 10px; font-size: 14px; color: #333; }
.hint { margin: 0 0 8px; font-size: 12px; line-height: 1.5; color: var(--muted); }

.fan-list { list-style: none; margin: 0 0 10px; padding: 0; max-height: 300px; overflow-y: auto; }
.fan-list li + li { margin-top: 4px; }
.fan-option { display: flex; align-items: center; gap: 10px; width: 100%; padding: 7px 8px; border: 1px solid transparent; border-radius: 8px; background: none; text-align: left; cursor: pointer; }
.fan-option:hover { background: #f5f6f7; }
.fan-option[aria-current="true"] { background: #eaf8f0; border-color: #b8e6cb; }
.fan-option .name { flex: 1; font-size: 14px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.fan-option .state { font-size: 11px; color: var(--muted); }
.fan-option .state.on { color: var(--brand-dark); }

.avatar { flex: none; width: 32px; height: 32px; border-radius: 5px; display: inline-flex; align-items: center; justify-content: center; color: #fff; font-size: 15px; background: #7d9cc0; }
.avatar.big { width: 44px; height: 44px; font-size: 20px; }
.avatar.account { background: var(--brand); }

.fan-card { display: flex; gap: 10px; align-items: center; margin-bottom: 10px; }
.fan-name { font-size: 16px; font-weight: 600; }
.openid { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11px; color: var(--muted); word-break: break-all; }
.fan-actions { display: flex; align-items: center; justify-content: space-between; gap: 8px; }
.badge { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #f0f0f0; color: #666; }
.badge.on { background: #e8f7ee; color: var(--brand-dark); }

.inline-form { display: flex; gap: 6px; }
.inline-form input { flex: 1; min-width: 0; }
input, textarea { border: 1px solid #d9d9d9; border-radius: 6px; padding: 6px 8px; background: #fff; outline: none; }
input:focus, textarea:focus { border-color: var(--brand); }
button { border: 1px solid #d9d9d9; border-radius: 6px; padding: 6px 12px; background: #fff; cursor: pointer; white-space: nowrap; }
button:hover { background: #f5f5f5; }
button:disabled { opacity: 0.5; cursor: default; }
button.primary { background: var(--brand); border-color: var(--brand); color: #fff; }
button.primary:hover { background: var(--brand-dark); }

/* ---- phone ---- */
.phone { position: relative; width: 390px; height: 800px; flex: none; display: flex; flex-direction: column; background: var(--chat-bg); border: 10px solid #1f1f1f; border-radius: 44px; overflow: hidden; box-shadow: 0 18px 50px rgba(0, 0, 0, 0.25); }
.status-bar { display: flex; justify-content: space-between; padding: 8px 26px 2px; font-size: 12px; font-weight: 600; background: var(--chat-bg); }
.title-bar { display: flex; align-items: center; padding: 6px 14px 8px; border-bottom: 1px solid #d6d6d6; background: var(--chat-bg); }
.title-side { width: 24px; font-size: 20px; color: #333; }
.title-main { flex: 1; text-align: center; }
.title { font-size: 16px; font-weight: 600; }
.typing { font-size: 11px; color: var(--muted); }

.toast { position: absolute; top: 92px; left: 16px; right: 16px; z-index: 5; padding: 9px 12px; border-radius: 8px; background: rgba(40, 40, 40, 0.92); color: #fff; font-size: 13px; line-height: 1.5; }
.toast.error { background: rgba(214, 48, 49, 0.95); }

.messages { flex: 1; overflow-y: auto; padding: 12px 12px 18px; }
.empty { margin-top: 45%; text-align: center; color: var(--muted); font-size: 14px; }
.time { text-align: center; font-size: 12px; color: #a3a3a3; margin: 12px 0 8px; }
.note { text-align: center; margin: 8px 24px; }
.note span { display: inline-block; font-size: 12px; line-height: 1.5; color: #7a7a7a; background: rgba(0, 0, 0, 0.05); border-radius: 4px; padding: 3px 8px; }
.note.failed span { color: var(--danger); }

.row { display: flex; gap: 9px; align-items: flex-start; margin: 10px 0; }
.row.fan { flex-direction: row-reverse; }
.body { display: flex; flex-direction: column; max-width: 72%; }
.row.fan .body { align-items: flex-end; }
.via { font-size: 11px; color: #9a9a9a; margin: 0 2px 3px; }
.line { display: flex; align-items: center; gap: 6px; }
.row.fan .line { flex-direction: row-reverse; }
.bubble { position: relative; padding: 9px 11px; border-radius: 5px; font-size: 15px; line-height: 1.5; white-space: pre-wrap; word-break: break-word; background: var(--account-bubble); }
.row.fan .bubble { background: var(--fan-bubble); }
.bubble::before { content: ""; position: absolute; top: 11px; left: -5px; border: 5px solid transparent; border-left: 0; border-right-color: var(--account-bubble); }
.row.fan .bubble::before { left: auto; right: -5px; border-right: 0; border-left: 5px solid var(--fan-bubble); }
.status { font-size: 11px; color: var(--muted); }
.status.failed { width: 18px; height: 18px; border-radius: 50%; background: var(--danger); color: #fff; font-weight: 700; display: inline-flex; align-items: center; justify-content: center; }

.picture { display: block; max-width: 180px; max-height: 220px; border-radius: 5px; background: #ddd; }
.voice { min-width: 80px; }
/* Drawn, not an emoji: the page must read the same on machines without an emoji font. */
.voice::after { content: ""; display: inline-block; width: 9px; height: 9px; margin-left: 8px; vertical-align: middle; border: 2px solid #333; border-left-color: transparent; border-bottom-color: transparent; border-radius: 50%; transform: rotate(45deg); }
.voice-text { margin-top: 4px; font-size: 12px; color: #555; background: rgba(255, 255, 255, 0.7); border-radius: 4px; padding: 3px 6px; white-space: pre-wrap; }

.card { width: 260px; background: #fff; border-radius: 6px; overflow: hidden; font-size: 14px; }
.card a { color: inherit; text-decoration: none; }
.card-head { padding: 10px 12px 4px; font-size: 15px; font-weight: 600; line-height: 1.4; }
.card-text { padding: 0 12px 10px; font-size: 13px; color: #7a7a7a; line-height: 1.5; white-space: pre-wrap; }
.card-image { display: block; width: 100%; height: 130px; object-fit: cover; background: #e6eef5; }
.card-foot { display: flex; justify-content: space-between; padding: 8px 12px; border-top: 1px solid #f0f0f0; font-size: 12px; color: #576b95; }
.card-foot a { color: #576b95; }
.article-link { display: block; }

.template .card-kicker { padding: 10px 12px 0; font-size: 12px; color: var(--muted); }
.template .fields { padding: 4px 12px 10px; }
.template .field { display: flex; gap: 10px; padding: 3px 0; font-size: 13px; line-height: 1.5; }
.template .field-key { flex: none; width: 78px; color: #9a9a9a; overflow: hidden; text-overflow: ellipsis; }
.template .field-value { flex: 1; white-space: pre-wrap; word-break: break-word; }

.map { height: 90px; background: linear-gradient(135deg, #dbe9d3 25%, #cfe0f0 25%, #cfe0f0 50%, #dbe9d3 50%, #dbe9d3 75%, #cfe0f0 75%); background-size: 40px 40px; position: relative; }
.map::after { content: ""; position: absolute; left: 50%; top: 50%; width: 18px; height: 18px; margin: -16px 0 0 -9px; background: var(--danger); border: 3px solid #fff; border-radius: 50% 50% 50% 0; transform: rotate(-45deg); box-shadow: 0 2px 4px rgba(0, 0, 0, 0.3); }

.options { margin-top: 6px; display: flex; flex-direction: column; gap: 4px; }
.option-link { border: 0; padding: 0; background: none; color: #576b95; text-align: left; cursor: pointer; font-size: 15px; }
.option-link:hover { background: none; text-decoration: underline; }

/* ---- bottom: composer, tools, menu ---- */
.bottom { background: #f7f7f7; border-top: 1px solid #d9d9d9; }
.follow-gate { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 10px 12px; font-size: 13px; color: #555; }
.composer { display: flex; align-items: flex-end; gap: 6px; padding: 8px 10px; }
.composer textarea { flex: 1; resize: none; min-height: 36px; max-height: 96px; line-height: 1.5; }
.round { width: 32px; height: 32px; padding: 0; border-radius: 50%; font-size: 20px; line-height: 1; }
.tools { padding: 0 10px 10px; }
.tool-tabs { display: flex; gap: 6px; margin-bottom: 8px; }
.tool-tab { flex: 1; }
.tool-tab[aria-selected="true"] { border-color: var(--brand); color: var(--brand-dark); }
.tool-panel { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.tool-panel input { flex: 1; min-width: 0; }
.tool-panel .hint { width: 100%; margin: 0; }
.location-panel { flex-direction: column; flex-wrap: nowrap; align-items: stretch; }
.location-panel input { flex: none; width: 100%; }
.coords { display: flex; gap: 6px; }
.coords input { flex: 1; width: auto; min-width: 0; }
.file-button { position: relative; display: inline-block; border: 1px solid #d9d9d9; border-radius: 6px; padding: 6px 12px; background: #fff; cursor: pointer; font-size: 14px; }
.file-button input { position: absolute; inset: 0; opacity: 0; cursor: pointer; }

.menu-bar { display: flex; border-top: 1px solid #dcdcdc; background: #fbfbfb; min-height: 48px; }
.menu-empty { flex: 1; display: flex; align-items: center; justify-content: center; font-size: 12px; color: #ababab; }
.menu-cell { position: relative; flex: 1; display: flex; }
.menu-cell + .menu-cell { border-left: 1px solid #e6e6e6; }
.menu-button { flex: 1; border: 0; border-radius: 0; background: none; font-size: 14px; padding: 12px 4px; overflow: hidden; text-overflow: ellipsis; }
.menu-button.parent::before { content: ""; display: inline-block; width: 10px; height: 8px; margin-right: 5px; vertical-align: middle; border-top: 2px solid #888; border-bottom: 2px solid #888; box-sizing: border-box; }
.menu-button:hover { background: #f0f0f0; }
.submenu { position: absolute; bottom: calc(100% + 8px); left: 6px; right: 6px; min-width: 110px; display: flex; flex-direction: column; background: #fff; border: 1px solid #dcdcdc; border-radius: 6px; box-shadow: 0 4px 14px rgba(0, 0, 0, 0.12); z-index: 4; }
.submenu button { border: 0; border-radius: 0; background: none; padding: 10px 8px; font-size: 14px; }
.submenu button + button { border-top: 1px solid #eee; }
.submenu button:hover { background: #f5f5f5; }

@media (max-width: 780px) {
  .page { flex-direction: column; align-items: center; }
  .panel { width: 100%; max-width: 390px; }
}
`;

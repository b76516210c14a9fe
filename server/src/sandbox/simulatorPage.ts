/**
 * The fan simulator page (GET /sandbox). Kept as a TypeScript string so the compiled server carries it
 * without a copy step; its script and styles are served beside it (simulatorScript.ts, simulatorStyles.ts).
 */
export const SIMULATOR_PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>粉丝模拟器 · 水务客服沙箱</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/sandbox/simulator.css">
<script src="/sandbox/simulator.js" defer></script>
</head>
<body>
<div class="page">
  <aside class="panel">
    <header class="panel-head">
      <h1>粉丝模拟器</h1>
      <p>在这台电脑上扮演关注公众号的微信用户：发消息、点菜单、扫码。每个动作都像微信一样推送到本服务的 <code>/wechat</code>，公众号的回复出现在右边的“手机”里。</p>
      <p class="mode" id="mode"></p>
    </header>

    <section class="card-section">
      <h2>选择粉丝</h2>
      <ul id="fan-list" class="fan-list" aria-label="粉丝列表"></ul>
      <form id="new-fan" class="inline-form">
        <input id="new-fan-name" name="nickname" maxlength="20" placeholder="新粉丝的昵称" aria-label="新粉丝的昵称" autocomplete="off">
        <button type="submit">新建粉丝</button>
      </form>
    </section>

    <section class="card-section" id="fan-card" hidden>
      <h2>当前粉丝</h2>
      <div class="fan-card">
        <span class="avatar big" id="fan-avatar"></span>
        <div>
          <div class="fan-name" id="fan-name"></div>
          <div class="openid" id="fan-openid"></div>
        </div>
      </div>
      <div class="fan-actions">
        <span class="badge" id="fan-state"></span>
        <button type="button" id="follow-toggle"></button>
      </div>
    </section>

    <section class="card-section">
      <h2>扫码</h2>
      <p class="hint">输入二维码的场景值（例如客服登录二维码下方印的那串字符）。还没关注时，扫码会同时关注公众号。</p>
      <form id="scan-form" class="inline-form">
        <input id="scan-scene" maxlength="64" placeholder="二维码场景值" aria-label="二维码场景值" autocomplete="off">
        <button type="submit">扫一扫</button>
      </form>
    </section>
  </aside>

  <main class="phone" aria-label="手机">
    <div class="status-bar"><span id="clock">9:41</span><span class="signal">5G ▮▮▮</span></div>
    <div class="title-bar">
      <span class="title-side">‹</span>
      <div class="title-main">
        <div class="title">水务客服</div>
        <div class="typing" id="typing" hidden>对方正在输入…</div>
      </div>
      <span class="title-side">···</span>
    </div>
    <div class="toast" id="toast" role="alert" hidden></div>
    <div class="messages" id="messages" aria-label="聊天记录">
      <div class="empty" id="empty">请先在左侧选择或新建一个粉丝</div>
    </div>
    <div class="bottom">
      <div class="follow-gate" id="follow-gate" hidden>
        <span>关注公众号后才能发消息</span>
        <button type="button" class="primary" id="follow-button">关注公众号</button>
      </div>
      <form class="composer" id="composer">
        <textarea id="text-input" rows="1" maxlength="2000" placeholder="发消息" aria-label="消息内容"></textarea>
        <button type="submit" class="primary" id="send-button">发送</button>
        <button type="button" class="round" id="tools-toggle" aria-label="更多功能" aria-expanded="false">+</button>
      </form>
      <div class="tools" id="tools" hidden>
        <div class="tool-tabs" role="tablist">
          <button type="button" class="tool-tab" data-tool="image" role="tab">图片</button>
          <button type="button" class="tool-tab" data-tool="voice" role="tab">语音</button>
          <button type="button" class="tool-tab" data-tool="location" role="tab">位置</button>
        </div>
        <div class="tool-panel" data-panel="image" hidden>
          <label class="file-button">选择图片<input type="file" id="image-input" accept="image/png,image/jpeg,image/gif,image/webp,image/bmp"></label>
          <button type="button" id="sample-image">发送示例图片（水表照片）</button>
          <p class="hint">PNG、JPEG、GIF、WebP 或 BMP，不超过 2 MB。</p>
        </div>
        <form class="tool-panel" data-panel="voice" id="voice-form" hidden>
          <input id="voice-text" maxlength="500" placeholder="你“说”的话（语音识别文字）" aria-label="语音内容" autocomplete="off">
          <button type="submit">发送语音</button>
        </form>
        <form class="tool-panel location-panel" data-panel="location" id="location-form" hidden>
          <input id="location-label" maxlength="100" value="人民路 88 号 水务集团营业厅" aria-label="地点名称">
          <div class="coords">
            <input id="location-lat" inputmode="decimal" value="30.5728" aria-label="纬度">
            <input id="location-lng" inputmode="decimal" value="104.0668" aria-label="经度">
          </div>
          <button type="submit">发送位置</button>
        </form>
      </div>
      <nav class="menu-bar" id="menu-bar" aria-label="公众号菜单"></nav>
    </div>
  </main>
</div>
</body>
</html>
`;

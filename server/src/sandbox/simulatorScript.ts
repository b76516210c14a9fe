/**
 * The fan simulator's browser script, served at /sandbox/simulator.js. Plain ES2020, no build step; it
 * only talks to /sandbox/api and renders the server's ready-made chat items (see chatItems.ts).
 * (Written without template literals so it can live inside this one.)
 */
export const SIMULATOR_SCRIPT = String.raw`"use strict";
(function () {
  var POLL_MS = 1500;
  var FANS_REFRESH_MS = 10000;
  var TIME_GAP_MS = 3 * 60 * 1000;

  var state = {
    fans: [],
    openid: null,
    fan: null,
    cursor: 0,
    entries: new Map(),
    nodes: new Map(),
    menuId: undefined,
    pollTimer: null,
    polling: false,
    offline: false,
  };

  function $(id) { return document.getElementById(id); }

  /** createElement with attributes, properties (on*) and children; strings become text, never HTML. */
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === undefined || value === null || value === false) return;
      if (name.slice(0, 2) === "on") el.addEventListener(name.slice(2), value);
      else if (name === "class") el.className = value;
      else if (name === "text") el.textContent = value;
      else el.setAttribute(name, value === true ? "" : String(value));
    });
    [].concat(children === undefined ? [] : children).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    });
    return el;
  }

  function safeHref(url) { return /^https?:\/\//i.test(url || "") || /^\/[^\/]/.test(url || "") ? url : null; }

  function fanPath(suffix) { return "/sandbox/api/fans/" + encodeURIComponent(state.openid) + suffix; }

  async function api(method, path, body) {
    var init = { method: method, headers: {} };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) { init.body = JSON.stringify(body); init.headers["content-type"] = "application/json"; }
    var response;
    try { response = await fetch(path, init); } catch (error) { throw new Error("连接不上服务器，请确认服务仍在运行"); }
    var data = await response.json().catch(function () { return null; });
    if (!response.ok) throw new Error((data && data.error && data.error.message) || ("请求失败（HTTP " + response.status + "）"));
    return data;
  }

  var toastTimer = null;
  function toast(message, kind) {
    var el = $("toast");
    el.textContent = message;
    el.className = "toast" + (kind === "error" ? " error" : "");
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.hidden = true; }, kind === "error" ? 7000 : 3500);
  }

  // ---- fans ----

  async function loadFans() {
    var data = await api("GET", "/sandbox/api/fans");
    state.fans = data.fans;
    $("mode").textContent = data.safeMode ? "安全模式：推送经过 AES 加密与 msg_signature 签名" : "明文模式：推送带 signature 签名";
    renderFans();
    if (!state.openid) {
      var wanted = decodeURIComponent(location.hash.slice(1));
      if (wanted && state.fans.some(function (fan) { return fan.openid === wanted; })) selectFan(wanted);
    }
  }

  function renderFans() {
    var list = $("fan-list");
    list.replaceChildren.apply(list, state.fans.map(function (fan) {
      return h("li", {}, h("button", {
        type: "button", class: "fan-option", "aria-current": fan.openid === state.openid ? "true" : "false",
        "data-openid": fan.openid, onclick: function () { selectFan(fan.openid); },
      }, [
        h("span", { class: "avatar", text: fan.nickname.slice(0, 1) }),
        h("span", { class: "name", text: fan.nickname }),
        h("span", { class: "state" + (fan.subscribed ? " on" : ""), text: fan.subscribed ? "已关注" : "未关注" }),
      ]));
    }));
  }

  function selectFan(openid) {
    if (state.openid === openid) return;
    state.openid = openid;
    state.fan = state.fans.find(function (fan) { return fan.openid === openid; }) || null;
    state.cursor = 0;
    state.entries.clear();
    state.nodes.clear();
    $("messages").replaceChildren();
    history.replaceState(null, "", "#" + encodeURIComponent(openid));
    renderFans();
    renderFan();
    poll();
  }

  function updateFan(fan) {
    state.fan = fan;
    var known = state.fans.find(function (f) { return f.openid === fan.openid; });
    if (known && known.subscribed !== fan.subscribed) { known.subscribed = fan.subscribed; renderFans(); }
    renderFan();
  }

  function renderFan() {
    var fan = state.fan;
    $("fan-card").hidden = !fan;
    var empty = $("empty");
    if (empty) empty.hidden = !!fan;
    var following = !!(fan && fan.subscribed);
    $("follow-gate").hidden = !fan || following;
    $("composer").hidden = !following;
    if (!following) { $("tools").hidden = true; $("tools-toggle").setAttribute("aria-expanded", "false"); }
    if (!fan) return;
    $("fan-avatar").textContent = fan.nickname.slice(0, 1);
    $("fan-name").textContent = fan.nickname;
    $("fan-openid").textContent = fan.openid;
    $("fan-state").textContent = following ? "已关注" : "未关注";
    $("fan-state").className = "badge" + (following ? " on" : "");
    $("follow-toggle").textContent = following ? "取消关注" : "关注公众号";
  }

  // ---- actions ----

  async function act(suffix, body) {
    if (!state.openid) { toast("请先选择一个粉丝", "error"); return null; }
    var openid = state.openid;
    try {
      var result = await api("POST", fanPath(suffix), body);
      if (openid === state.openid) result.entries.forEach(upsert);
      if (!result.callback.ok) toast("公众号没有正常响应：" + result.callback.error, "error");
      if (result.open) window.open(result.open, "_blank", "noopener");
      return result;
    } catch (error) {
      toast(error.message, "error");
      return null;
    } finally {
      if (openid === state.openid) poll();
    }
  }

  async function toggleFollow() {
    if (!state.fan) return;
    await act(state.fan.subscribed ? "/unfollow" : "/follow");
    await loadFans();
  }

  async function sendText(content, bizMsgMenuId) {
    var body = { type: "text", content: content };
    if (bizMsgMenuId) body.bizMsgMenuId = bizMsgMenuId;
    return act("/messages", body);
  }

  async function sendImage(blob, name) {
    var form = new FormData();
    form.append("image", blob, name || "image.png");
    return act("/images", form);
  }

  function sampleImage() {
    var canvas = document.createElement("canvas");
    canvas.width = 320; canvas.height = 240;
    var g = canvas.getContext("2d");
    g.fillStyle = "#cfd8dc"; g.fillRect(0, 0, 320, 240);
    g.fillStyle = "#37474f"; g.beginPath(); g.arc(160, 120, 96, 0, Math.PI * 2); g.fill();
    g.fillStyle = "#eceff1"; g.beginPath(); g.arc(160, 120, 84, 0, Math.PI * 2); g.fill();
    g.fillStyle = "#111"; g.fillRect(95, 92, 130, 34);
    g.fillStyle = "#fff"; g.font = "bold 24px monospace"; g.fillText("0" + String(Math.floor(Math.random() * 9000) + 1000), 106, 118);
    g.fillStyle = "#546e7a"; g.font = "14px sans-serif"; g.fillText("m³  水表", 132, 160);
    canvas.toBlob(function (blob) { if (blob) sendImage(blob, "meter.png"); }, "image/png");
  }

  // ---- timeline ----

  async function poll() {
    clearTimeout(state.pollTimer);
    if (!state.openid || state.polling) { schedulePoll(); return; }
    state.polling = true;
    var openid = state.openid;
    try {
      var data = await api("GET", fanPath("/timeline?since=" + state.cursor));
      if (openid !== state.openid) return;
      if (data.reset) { state.entries.clear(); state.nodes.clear(); $("messages").replaceChildren(); }
      data.entries.forEach(upsert);
      state.cursor = data.cursor;
      updateFan(data.fan);
      $("typing").hidden = !data.typing;
      if (data.menuId !== state.menuId) loadMenu();
      if (state.offline) { state.offline = false; toast("已重新连上服务器"); }
    } catch (error) {
      if (!state.offline) { state.offline = true; toast(error.message, "error"); }
    } finally {
      state.polling = false;
      schedulePoll();
    }
  }

  function schedulePoll() {
    clearTimeout(state.pollTimer);
    state.pollTimer = setTimeout(poll, POLL_MS);
  }

  function upsert(entry) {
    var list = $("messages");
    var nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    var previous = null;
    state.entries.forEach(function (other) { if (other.seq < entry.seq && (!previous || other.seq > previous.seq)) previous = other; });
    state.entries.set(entry.seq, entry);
    var node = h("div", { class: "entry", "data-seq": entry.seq, "data-from": entry.from }, [timeDivider(entry, previous), renderEntry(entry)]);
    var existing = state.nodes.get(entry.seq);
    if (existing) existing.replaceWith(node);
    else {
      var after = null;
      state.nodes.forEach(function (other, seq) { if (seq > entry.seq && (!after || seq < Number(after.dataset.seq))) after = other; });
      list.insertBefore(node, after);
    }
    state.nodes.set(entry.seq, node);
    if (nearBottom || entry.from === "fan") list.scrollTop = list.scrollHeight;
  }

  function timeDivider(entry, previous) {
    var at = new Date(entry.at);
    if (previous && at - new Date(previous.at) < TIME_GAP_MS) return null;
    var sameDay = at.toDateString() === new Date().toDateString();
    var text = (sameDay ? "" : (at.getMonth() + 1) + "月" + at.getDate() + "日 ") + at.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });
    return h("div", { class: "time", text: text });
  }

  var VIA = { passive: "被动回复", custom: "客服消息", template: "模板消息" };

  function renderEntry(entry) {
    var item = entry.item;
    var delivery = entry.delivery;
    var failed = delivery && delivery.state === "failed";
    var failure = failed ? h("div", { class: "note failed" }, h("span", { text: "该公众号暂时无法提供服务，请稍后再试（" + delivery.error + "）" })) : null;
    if (item.kind === "event") return h("div", {}, [h("div", { class: "note" }, h("span", { text: item.label })), failure]);
    if (item.kind === "transfer") {
      return h("div", { class: "note" }, h("span", { text: "（公众号把对话转给了人工客服" + (item.kfAccount ? " " + item.kfAccount : "") + "，粉丝在微信里看不到这条）" }));
    }
    var fromFan = entry.from === "fan";
    var status = null;
    if (delivery && delivery.state === "pending") status = h("span", { class: "status", text: "发送中" });
    if (failed) status = h("span", { class: "status failed", title: delivery.error, text: "!" });
    var via = fromFan ? null : h("div", { class: "via", text: VIA[entry.via] + (entry.kfAccount ? " · " + entry.kfAccount : "") });
    var avatar = fromFan
      ? h("span", { class: "avatar", text: state.fan ? state.fan.nickname.slice(0, 1) : "我" })
      : h("span", { class: "avatar account", text: "水" });
    return h("div", {}, [
      h("div", { class: "row " + (fromFan ? "fan" : "account") }, [avatar, h("div", { class: "body" }, [via, h("div", { class: "line" }, [renderItem(item), status])])]),
      failure,
    ]);
  }

  function link(url, children, className) {
    var href = safeHref(url);
    return href ? h("a", { href: href, target: "_blank", rel: "noopener", class: className }, children) : h("div", { class: className }, children);
  }

  function renderItem(item) {
    switch (item.kind) {
      case "text":
        return h("div", { class: "bubble", text: item.content });
      case "image":
        return link(item.url, h("img", { class: "picture", src: item.url, alt: "图片" }));
      case "voice":
        return h("div", {}, [
          h("div", { class: "bubble voice", text: "1″" }),
          item.recognition ? h("div", { class: "voice-text", text: "转文字：" + item.recognition }) : null,
        ]);
      case "video":
        return h("div", { class: "card" }, [h("div", { class: "card-head", text: "[视频] " + (item.title || "") }), item.description ? h("div", { class: "card-text", text: item.description }) : null]);
      case "music":
        return link(item.url, [h("div", { class: "card-head", text: "[音乐] " + (item.title || "") }), h("div", { class: "card-text", text: item.description })], "card");
      case "location":
        return h("div", { class: "card" }, [
          h("div", { class: "card-head", text: item.label }),
          h("div", { class: "card-text", text: item.latitude + ", " + item.longitude }),
          h("div", { class: "map" }),
        ]);
      case "news":
        return h("div", { class: "card news" }, item.articles.map(function (article, index) {
          var picture = safeHref(article.picUrl) ? h("img", { class: "card-image", src: article.picUrl, alt: "" }) : null;
          return link(article.url, [
            index === 0 ? picture : null,
            h("div", { class: "card-head", text: article.title }),
            article.description ? h("div", { class: "card-text", text: article.description }) : null,
            index === 0 && article.url ? h("div", { class: "card-foot" }, [h("span", { text: "阅读原文" }), h("span", { text: "›" })]) : null,
          ], "article-link");
        }));
      case "template":
        return h("div", { class: "card template" }, [
          h("div", { class: "card-kicker", text: "模板消息 · " + item.templateId }),
          h("div", { class: "fields" }, item.fields.map(function (field) {
            var value = h("span", { class: "field-value", text: field.value });
            if (/^#[0-9a-fA-F]{3,8}$/.test(field.color || "")) value.style.color = field.color;
            return h("div", { class: "field" }, [h("span", { class: "field-key", text: field.key }), value]);
          })),
          item.url ? h("div", { class: "card-foot" }, [link(item.url, "详情"), h("span", { text: "›" })]) : null,
          item.miniprogram ? h("div", { class: "card-foot" }, [h("span", { text: "小程序 " + item.miniprogram.pagePath }), h("span", { text: "›" })]) : null,
        ]);
      case "msgmenu":
        return h("div", { class: "bubble" }, [
          item.head,
          h("div", { class: "options" }, item.options.map(function (option) {
            return h("button", { type: "button", class: "option-link", text: option.content, onclick: function () { sendText(option.content, option.id); } });
          })),
          item.tail ? h("div", { text: item.tail }) : null,
        ]);
      case "miniprogram":
        return h("div", { class: "card" }, [h("div", { class: "card-kicker", text: "小程序" }), h("div", { class: "card-head", text: item.title }), h("div", { class: "card-text", text: item.pagePath })]);
      default:
        return h("div", { class: "bubble", text: "[沙箱暂不能显示的消息类型：" + item.msgType + "]" });
    }
  }

  // ---- menu ----

  async function loadMenu() {
    try {
      var data = await api("GET", "/sandbox/api/menu");
      state.menuId = data.menu ? data.menu.menuId : null;
      renderMenu(data.menu, data.message);
    } catch (error) {
      toast(error.message, "error");
    }
  }

  function closeSubmenus() {
    document.querySelectorAll(".submenu").forEach(function (el) { el.hidden = true; });
  }

  function renderMenu(menu, message) {
    var bar = $("menu-bar");
    if (!menu) { bar.replaceChildren(h("span", { class: "menu-empty", text: message || "公众号还没有发布自定义菜单" })); return; }
    bar.replaceChildren.apply(bar, menu.buttons.map(function (button, top) {
      if (button.subButtons.length === 0) {
        return h("div", { class: "menu-cell" }, h("button", { type: "button", class: "menu-button", text: button.name, onclick: function () { tapMenu(top, undefined, button.name); } }));
      }
      var submenu = h("div", { class: "submenu", hidden: true }, button.subButtons.map(function (sub, index) {
        return h("button", { type: "button", text: sub.name, onclick: function () { closeSubmenus(); tapMenu(top, index, sub.name); } });
      }));
      return h("div", { class: "menu-cell" }, [
        h("button", {
          type: "button", class: "menu-button parent", text: button.name,
          onclick: function (event) { event.stopPropagation(); var open = submenu.hidden; closeSubmenus(); submenu.hidden = !open; },
        }),
        submenu,
      ]);
    }));
  }

  function tapMenu(top, sub, name) {
    var body = { top: top, name: name };
    if (sub !== undefined) body.sub = sub;
    return act("/menu-taps", body);
  }

  // ---- wiring ----

  function showTool(name) {
    document.querySelectorAll(".tool-tab").forEach(function (tab) { tab.setAttribute("aria-selected", String(tab.dataset.tool === name)); });
    document.querySelectorAll(".tool-panel").forEach(function (panel) { panel.hidden = panel.dataset.panel !== name; });
  }

  function wire() {
    $("new-fan").addEventListener("submit", async function (event) {
      event.preventDefault();
      try {
        var data = await api("POST", "/sandbox/api/fans", { nickname: $("new-fan-name").value });
        $("new-fan-name").value = "";
        await loadFans();
        selectFan(data.fan.openid);
        toast("已创建粉丝“" + data.fan.nickname + "”，点“关注公众号”开始体验");
      } catch (error) { toast(error.message, "error"); }
    });
    $("follow-toggle").addEventListener("click", toggleFollow);
    $("follow-button").addEventListener("click", toggleFollow);
    $("scan-form").addEventListener("submit", async function (event) {
      event.preventDefault();
      var scene = $("scan-scene").value.trim();
      if (!scene) { toast("请输入二维码的场景值", "error"); return; }
      var result = await act("/scans", { scene: scene });
      if (result) { $("scan-scene").value = ""; loadFans(); }
    });
    $("composer").addEventListener("submit", async function (event) {
      event.preventDefault();
      var input = $("text-input");
      if (!input.value.trim()) { toast("请输入消息内容", "error"); return; }
      $("send-button").disabled = true;
      var result = await sendText(input.value);
      $("send-button").disabled = false;
      if (result) input.value = "";
      input.focus();
    });
    $("text-input").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); $("composer").requestSubmit(); }
    });
    $("tools-toggle").addEventListener("click", function () {
      var open = $("tools").hidden;
      $("tools").hidden = !open;
      $("tools-toggle").setAttribute("aria-expanded", String(open));
      if (open) showTool("image");
    });
    document.querySelectorAll(".tool-tab").forEach(function (tab) { tab.addEventListener("click", function () { showTool(tab.dataset.tool); }); });
    $("image-input").addEventListener("change", async function () {
      var file = $("image-input").files[0];
      if (file) await sendImage(file, file.name);
      $("image-input").value = "";
    });
    $("sample-image").addEventListener("click", sampleImage);
    $("voice-form").addEventListener("submit", async function (event) {
      event.preventDefault();
      var result = await act("/messages", { type: "voice", recognition: $("voice-text").value });
      if (result) $("voice-text").value = "";
    });
    $("location-form").addEventListener("submit", function (event) {
      event.preventDefault();
      act("/messages", { type: "location", latitude: parseFloat($("location-lat").value), longitude: parseFloat($("location-lng").value), label: $("location-label").value });
    });
    document.addEventListener("click", closeSubmenus);
    var tick = function () { $("clock").textContent = new Date().toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" }); };
    tick();
    setInterval(tick, 1000);
  }

  wire();
  renderFan();
  loadMenu();
  loadFans().catch(function (error) { toast(error.message, "error"); });
  setInterval(function () { loadFans().catch(function () {}); }, FANS_REFRESH_MS);
})();
`;

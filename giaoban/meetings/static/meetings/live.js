// The live consoles of a conference (the host's and a bridge point's): one WebSocket to the
// conference's room, the server's state drawn as it arrives, actions sent as messages.
// The server holds the truth: apart from the clocks, nothing here changes the page by itself;
// every change comes back numbered (the room and the points it touched), and a console that
// missed one asks for the whole state again.
(function () {
  "use strict";

  var root = document.getElementById("console");
  if (!root || !window.WebSocket) { return; }

  var labels = JSON.parse(document.getElementById("live-labels").textContent);
  var config = {
    path: root.dataset.wsPath,
    role: root.dataset.role,                      // "host" or "point"
    point: root.dataset.point ? Number(root.dataset.point) : null,
    readonly: root.dataset.readonly === "true",
    // Beyond this many points the host's list shows those that need attention first, and finds
    // any other by name: tens of thousands of tiles would not be drawn on every change.
    allPointsUpTo: Number(root.dataset.allPointsUpTo || 0),
    delegatesUrl: root.dataset.delegatesUrl || ""
  };

  var PING_EVERY = 3000;      // the server counts a console gone after 9 s of silence
  var SILENT_AFTER = 10000;   // no answer for this long: the line is dead, open a new one
  var MAX_BACKOFF = 15000;
  var READINESS_TOTAL = 5;

  var socket = null;
  var state = null;
  var lastSeq = -1;
  var syncAsked = false;      // a gap was seen and the whole state asked for
  var early = [];             // changes received before the first whole state
  var attempts = 0;
  var lastHeard = 0;
  var clockOffset = 0;        // the server's clock minus this computer's
  var floorPending = false;   // a request for the floor was sent and is not in the queue yet

  // Small helpers -------------------------------------------------------------------------

  function part(name) { return root.querySelector('[data-live="' + name + '"]'); }

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function actionButton(label, action, data, className) {
    var node = el("button", "small" + (className ? " " + className : ""), label);
    node.type = "button";
    node.dataset.action = action;
    Object.keys(data || {}).forEach(function (key) { node.dataset[key] = data[key]; });
    return node;
  }

  function clear(node) { while (node && node.firstChild) { node.removeChild(node.firstChild); } }

  function badge(text, className) { return el("span", "badge " + className, text); }

  // Times are the installation's (TIME_ZONE, given by the page), never the browser's: an
  // official whose computer is set to another zone still sees the hour the pages say.
  var timeFormat = (function () {
    var options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    try {
      return new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: root.dataset.timeZone }, options));
    } catch (error) {  // a zone this browser does not know: its own, rather than nothing
      return new Intl.DateTimeFormat("en-GB", options);
    }
  }());

  function hhmm(iso) {
    var parts = {};
    timeFormat.formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.hour + ":" + parts.minute;
  }

  function elapsed(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var rest = String(s % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + rest : m + ":" + rest;
  }

  function clock(since, plannedMinutes) {
    var node = el("span", "elapsed");
    node.dataset.since = since;
    if (plannedMinutes) { node.dataset.planned = String(plannedMinutes); }
    return node;
  }

  function announce(message) {
    var node = part("announce");
    node.textContent = "";
    // A fresh text node makes screen readers read the same refusal again.
    window.requestAnimationFrame(function () {
      node.textContent = hhmm(new Date().toISOString()) + " — " + message;
      node.classList.add("shown");
    });
  }

  // The connection ------------------------------------------------------------------------

  function isOpen() { return socket !== null && socket.readyState === WebSocket.OPEN; }

  function showConnection(kind) {
    var node = part("connection");
    node.dataset.state = kind;
    node.textContent = labels.connection[kind];
    root.dataset.connection = kind;
    updateControls();
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + window.location.host + config.path);
    socket = ws;
    showConnection(attempts === 0 ? "connecting" : "lost");
    ws.addEventListener("open", function () {
      if (ws !== socket) { return; }
      lastHeard = Date.now();
      if (attempts > 0) { send({ action: "sync" }); }
      attempts = 0;
      showConnection("open");
    });
    ws.addEventListener("message", function (event) {
      if (ws !== socket) { return; }
      lastHeard = Date.now();
      receive(JSON.parse(event.data));
    });
    ws.addEventListener("close", function (event) {
      if (ws !== socket) { return; }   // replaced already (see the silence check below)
      socket = null;
      if (event.code === 4403) { showConnection("denied"); return; }
      reconnectLater();
    });
  }

  function reconnectLater() {
    attempts += 1;
    showConnection("lost");
    var delay = Math.min(MAX_BACKOFF, 500 * Math.pow(2, attempts));
    window.setTimeout(connect, delay * (0.8 + Math.random() * 0.4));
  }

  function send(message) {
    if (!isOpen()) { announce(labels.offline_action); return false; }
    socket.send(JSON.stringify(message));
    return true;
  }

  window.setInterval(function () {
    if (!isOpen()) { return; }
    if (Date.now() - lastHeard > SILENT_AFTER) {
      // A dead line does not always say goodbye: drop it and start again.
      var dead = socket;
      socket = null;
      dead.close();
      reconnectLater();
      return;
    }
    socket.send(JSON.stringify({ action: "ping", seq: lastSeq }));
  }, PING_EVERY);

  // The points in the server's order: the host first, then as arranged.
  function byOrder(a, b) {
    if (a.is_host !== b.is_host) { return a.is_host ? -1 : 1; }
    return (a.order - b.order) || (a.id - b.id);
  }

  // A change carries the room and only the points and agenda items it touched. It applies to
  // the state it follows (number + 1); an older one was overtaken by a sync; a gap means one
  // was missed, and the whole state is asked for.
  function applyChange(message) {
    if (state === null) { early.push(message); return false; }
    if (message.seq <= lastSeq) { return false; }
    if (message.seq !== lastSeq + 1) {
      if (!syncAsked) { syncAsked = send({ action: "sync" }); }
      return false;
    }
    var room = message.room;
    if (room.points_scope === "page") {
      // Paged before: keep the attention list and the page. Not yet (the conference just grew
      // past the limit): draw as before until the sync this change asks for arrives.
      if (state.page) { keepPaged(room, message.points); } else { room.points_scope = state.points_scope; }
    }
    room.points = merge(state.points, message.points).sort(byOrder);
    room.agenda = merge(state.agenda, message.items || []).sort(function (a, b) {
      return (a.order - b.order) || (a.id - b.id);
    });
    state = room;
    lastSeq = message.seq;
    return true;
  }

  // A large conference's host console (points_scope "page") holds the points that need
  // attention and one page; a change brings the counts and the tiles it holds, or of points
  // that now need attention, which join the list.
  function keepPaged(room, changed) {
    var held = state.attention || { ids: [], total: 0 };
    var ids = held.ids.slice();
    var onPage = (state.page && state.page.ids) || [];
    changed.forEach(function (tile) {
      if (!tile.is_host && ids.indexOf(tile.id) < 0 && onPage.indexOf(tile.id) < 0) { ids.push(tile.id); }
    });
    room.attention = { ids: ids, total: room.attention_total === undefined ? held.total : room.attention_total };
    room.page = state.page;
  }

  // Another page of points, or those a search found: the tiles held are the attention list's,
  // the host's and the new page's.
  function applyPage(message) {
    if (!state || state.points_scope !== "page") { return; }
    var keep = (state.attention ? state.attention.ids : []);
    state.page = message.page;
    state.points = merge(
      state.points.filter(function (p) { return p.is_host || keep.indexOf(p.id) >= 0; }),
      message.points
    ).sort(byOrder);
    pageAsked = false;
    render();
  }

  var pageAsked = false;

  function askPage(offset, search) {
    var limit = (state && state.page && state.page.limit) || 50;
    pageAsked = send({ action: "points_page", offset: Math.max(0, offset), limit: limit, search: search });
  }

  // The entries of `held`, with those of `changed` (same id) put in their place.
  function merge(held, changed) {
    var byId = {};
    held.forEach(function (entry) { byId[entry.id] = entry; });
    changed.forEach(function (entry) { byId[entry.id] = entry; });
    return Object.keys(byId).map(function (id) { return byId[id]; });
  }

  // A change cannot say "this tile or item is gone": after a removal the whole state is asked for.
  // Points invited in one step come the same way: the console asks for what it shows.
  var REMOVALS = { "point.removed": true, "agenda.removed": true, "points.invited": true };

  function receive(message) {
    if (message.type === "state" || message.type === "change") {
      var first = state === null;
      if (message.type === "state") {
        state = message.state;
        lastSeq = state.seq;
        syncAsked = false;
        // Changes that overtook the first state on the way in: those after it still count.
        early.splice(0).forEach(applyChange);
      } else if (!applyChange(message)) {
        return;
      } else if ((message.sync || REMOVALS[message.reason]) && !syncAsked) {
        // A change too wide to carry this point's own tile: the whole (compact) state instead.
        syncAsked = send({ action: "sync" });
      }
      clockOffset = Date.parse(state.server_time) - Date.now();
      render();
      var reason = message.reason;
      // Other parts of the console (the media pane) follow the room's changes by their reason.
      document.dispatchEvent(new CustomEvent("giaoban:live", { detail: { reason: reason } }));
      if (first || reason === "sync" || reason === "rollcall" || reason.indexOf("delegate.") === 0) {
        refreshDelegates();
      }
    } else if (message.type === "points_page") {
      applyPage(message);
    } else if (message.type === "refused") {
      floorPending = false;
      announce(message.message);
      updateControls();
    }
  }

  // Drawing the state ---------------------------------------------------------------------

  function ownPoint() {
    if (!state || config.point === null) { return null; }
    return state.points.filter(function (p) { return p.id === config.point; })[0] || null;
  }

  function ownWaiting() {
    if (!state || config.point === null) { return null; }
    return state.queue.filter(function (r) { return r.point_id === config.point; })[0] || null;
  }

  function render() {
    var status = part("status");
    status.textContent = labels.status[state.status] || state.status;
    status.className = "badge big conf-" + state.status;
    renderCurrent();
    renderSpeaking();
    renderSpotlight();
    renderQueue();
    renderAgenda();
    renderTiles();
    renderAttendance();
    if (config.role === "point") { renderOwnPoint(); }
    updateControls();
    tick();
  }

  function renderCurrent() {
    var node = part("current");
    clear(node);
    var item = state.current_item;
    if (!item) { node.appendChild(el("p", "muted", labels.no_item)); return; }
    node.appendChild(el("p", "item-title", item.order + ". " + item.title));
    var meta = labels.item_kind[item.kind] || item.kind;
    if (item.presenter) { meta += " · " + item.presenter; }
    node.appendChild(el("p", "muted", meta));
    var line = el("p", "item-clock");
    if (item.started_at && !item.ended_at) { line.appendChild(clock(item.started_at, item.planned_minutes)); }
    line.appendChild(el("span", "muted", " / " + fmt(labels.planned, { minutes: item.planned_minutes })));
    node.appendChild(line);
    root.querySelectorAll(".doc-group").forEach(function (group) {
      group.classList.toggle("current", Number(group.dataset.item) === item.id);
    });
  }

  function renderSpotlight() {
    var node = part("spotlight");
    if (!node) { return; }
    node.hidden = !state.spotlight;
    node.textContent = state.spotlight ? fmt(labels.spotlight_on, { point: state.spotlight.point }) : "";
  }

  function renderSpeaking() {
    var node = part("speaking");
    var banner = part("floor-banner");
    clear(node);
    var turn = state.speaking;
    if (!turn) {
      node.appendChild(el("p", "muted", labels.nobody_speaking));
    } else {
      var who = el("p", "speaker");
      who.appendChild(el("strong", null, turn.point));
      who.appendChild(document.createTextNode(" "));
      who.appendChild(clock(turn.granted_at));
      node.appendChild(who);
      node.appendChild(el("p", "topic", turn.topic + (turn.speaker ? " — " + turn.speaker : "")));
      if (config.role === "host") {
        node.appendChild(actionButton(labels.finish, "finish", { request: turn.id }, "secondary"));
      }
    }
    if (!banner) { return; }
    var mine = turn && turn.point_id === config.point;
    banner.hidden = !mine;
    clear(banner);
    if (mine) {
      banner.appendChild(el("strong", null, labels.you_have_floor));
      banner.appendChild(el("span", "topic", turn.topic));
      banner.appendChild(clock(turn.granted_at));
    }
  }

  function renderQueue() {
    var list = part("queue");
    clear(list);
    part("queue-count").textContent = state.queue.length ? "(" + state.queue.length + ")" : "";
    if (!state.queue.length) { list.appendChild(el("li", "muted empty", labels.queue_empty)); }
    state.queue.forEach(function (request, index) {
      var item = el("li", request.point_id === config.point ? "mine" : "");
      item.dataset.request = request.id;
      var text = el("div", "request");
      text.appendChild(el("strong", null, request.point));
      text.appendChild(el("span", "topic", request.topic + (request.speaker ? " — " + request.speaker : "")));
      text.appendChild(el("span", "muted when", fmt(labels.requested_at, { time: hhmm(request.requested_at) })));
      item.appendChild(text);
      var actions = el("div", "request-actions");
      if (config.role === "host") {
        actions.appendChild(actionButton(labels.grant, "grant", { request: request.id }, "ok"));
        if (index > 0) { actions.appendChild(actionButton(labels.move_up, "move-up", { request: request.id }, "secondary")); }
        actions.appendChild(actionButton(labels.decline, "decline", { request: request.id }, "secondary"));
      } else if (request.point_id === config.point) {
        actions.appendChild(actionButton(labels.withdraw, "decline", { request: request.id }, "secondary"));
      }
      item.appendChild(actions);
      list.appendChild(item);
    });
  }

  function renderAgenda() {
    var list = part("agenda");
    clear(list);
    var current = state.current_item ? state.current_item.id : null;
    state.agenda.forEach(function (item) {
      var entry = el("li", item.id === current ? "current" : (item.ended_at ? "done" : ""));
      if (item.id === current) { entry.setAttribute("aria-current", "step"); }
      entry.appendChild(el("span", "order", item.order + "."));
      var body = el("span", "body");
      body.appendChild(el("span", "title", item.title));
      var meta = (labels.item_kind[item.kind] || item.kind) + " · " + fmt(labels.planned, { minutes: item.planned_minutes });
      if (item.started_at) { meta += " · " + hhmm(item.started_at) + (item.ended_at ? "–" + hhmm(item.ended_at) : ""); }
      body.appendChild(el("span", "muted meta", meta));
      entry.appendChild(body);
      list.appendChild(entry);
    });
  }

  function readinessDone(point) {
    return Object.keys(point.readiness).filter(function (name) { return point.readiness[name]; }).length;
  }

  var SHOWN_AT_MOST = 120;

  // Lower first: what the host must see in a conference too large to show every point.
  function urgency(point, speaking, waiting) {
    if (point.is_host || point.id === speaking || waiting.indexOf(point.id) >= 0) { return 0; }
    if (state.spotlight && state.spotlight.point_id === point.id) { return 0; }
    if (point.state === "offline" || point.open_incidents) { return 1; }
    if (point.state !== "online") { return 2; }
    return point.ready ? 4 : 3;
  }

  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  // The points to draw: all of them up to config.allPointsUpTo; beyond, those found by name, or
  // the most urgent, SHOWN_AT_MOST at the most.
  function pointsShown(speaking, waiting) {
    var filter = part("points-filter");
    if (state.points_scope === "page") { return pagedShown(filter, speaking, waiting); }
    var large = config.role === "host" && config.allPointsUpTo && state.points.length > config.allPointsUpTo;
    if (filter) { filter.hidden = !large; }
    if (!large) { return state.points; }
    var wanted = filter && filter.value.trim() ? folded(filter.value.trim()) : "";
    var chosen = wanted
      ? state.points.filter(function (p) { return folded(p.name).indexOf(wanted) >= 0; })
      : state.points.filter(function (p) { return urgency(p, speaking, waiting) < 4; });
    return chosen.map(function (p) { return [urgency(p, speaking, waiting), p]; })
      .sort(function (a, b) { return (a[0] - b[0]) || byOrder(a[1], b[1]); })
      .slice(0, SHOWN_AT_MOST)
      .map(function (pair) { return pair[1]; });
  }

  // The attention list first (most urgent first), then the page in the server's order.
  function pagedShown(filter, speaking, waiting) {
    if (filter) { filter.hidden = false; }
    var byId = {};
    state.points.forEach(function (p) { byId[p.id] = p; });
    var seen = {};
    var urgent = state.attention.ids.map(function (id) { return byId[id]; })
      .filter(function (p) { return p; })
      .map(function (p) { return [urgency(p, speaking, waiting), p]; })
      .sort(function (a, b) { return (a[0] - b[0]) || byOrder(a[1], b[1]); })
      .map(function (pair) { return pair[1]; });
    var host = state.points.filter(function (p) { return p.is_host; });
    var page = state.page.ids.map(function (id) { return byId[id]; }).filter(function (p) { return p; });
    if (state.page.search) { return page; }   // a search shows what it found, nothing else
    return host.concat(urgent, page).filter(function (p) {
      if (seen[p.id]) { return false; }
      seen[p.id] = true;
      return true;
    });
  }

  function renderPager() {
    var pager = part("points-pager");
    if (!pager) { return; }
    var page = state.points_scope === "page" ? state.page : null;
    pager.hidden = !page;
    if (!page) { return; }
    var last = Math.min(page.offset + page.ids.length, page.total);
    part("points-range").textContent = fmt(labels.points_page_range, {
      first: page.total ? page.offset + 1 : 0, last: last, total: page.total
    }) + " · " + fmt(labels.attention_count, { n: state.attention.total });
    pager.querySelector('[data-page="prev"]').disabled = page.offset <= 0;
    pager.querySelector('[data-page="next"]').disabled = last >= page.total;
  }

  function renderTiles() {
    var list = part("tiles");
    clear(list);
    var speaking = state.speaking ? state.speaking.point_id : null;
    var waiting = state.queue.map(function (r) { return r.point_id; });
    var online = state.points.filter(function (p) { return p.state === "online"; }).length;
    var shown = pointsShown(speaking, waiting);
    shown.forEach(function (point) {
      var classes = ["tile", "state-" + point.state];
      if (point.is_host) { classes.push("host"); }
      if (point.id === speaking) { classes.push("speaking"); }
      if (waiting.indexOf(point.id) >= 0) { classes.push("waiting"); }
      if (point.id === config.point) { classes.push("mine"); }
      var tile = el("li", classes.join(" "));
      tile.dataset.point = point.id;
      var head = el("div", "tile-head");
      head.appendChild(el("strong", "tile-name", point.name));
      if (point.is_host) { head.appendChild(badge(labels.host_point, "host")); }
      tile.appendChild(head);
      var line = el("div", "tile-state");
      line.appendChild(badge(labels.point_state[point.state] || point.state, "pt-" + point.state));
      var done = readinessDone(point);
      line.appendChild(point.ready
        ? badge(labels.ready, "ok")
        : el("span", "readiness", fmt(labels.readiness, { done: done, total: READINESS_TOTAL })));
      tile.appendChild(line);
      tile.appendChild(el("div", "muted", fmt(labels.delegates_present, { present: point.present, invited: point.invited })));
      if (point.open_incidents) {
        tile.appendChild(el("div", "incidents", fmt(labels.incidents, { n: point.open_incidents })));
      }
      var spotlit = state.spotlight && state.spotlight.point_id === point.id;
      if (spotlit) { tile.classList.add("spotlit"); }
      if (config.role === "host" && !point.is_host && state.status === "live") {
        tile.appendChild(spotlit
          ? actionButton(labels.spotlight_clear, "spotlight", { point: "" }, "secondary")
          : actionButton(labels.spotlight_put, "spotlight", { point: point.id }, "secondary"));
      }
      list.appendChild(tile);
    });
    // The counts come with the room: a point's console in a large conference holds only the
    // host's tile and its own (points_scope "own").
    var total = state.points_total === undefined ? state.points.length : state.points_total;
    if (state.points_online !== undefined) { online = state.points_online; }
    part("points-summary").textContent = "· " + fmt(labels.online_count, { online: online, total: total });
    renderPager();
    var scope = part("points-scope");
    if (state.points_scope === "page") {
      scope.textContent = state.page.search
        ? fmt(labels.points_found, { n: state.page.total, search: state.page.search })
        : fmt(labels.points_paged, { total: total });
    } else if (state.points_scope === "own") {
      scope.textContent = fmt(labels.points_scope_own, { total: total });
    } else if (shown.length < state.points.length) {
      scope.textContent = fmt(labels.points_shown, { shown: shown.length, total: total });
    } else {
      scope.textContent = "";
    }
    scope.hidden = !scope.textContent;
  }

  function renderAttendance() {
    var node = part("attendance");
    if (node) { node.textContent = fmt(labels.attendance_total, state.attendance); }
  }

  function renderOwnPoint() {
    var point = ownPoint();
    if (!point) { return; }
    var stateBadge = part("own-state");
    stateBadge.textContent = labels.point_state[point.state] || point.state;
    stateBadge.className = "badge pt-" + point.state;
    root.querySelectorAll("input[data-readiness]").forEach(function (box) {
      box.checked = Boolean(point.readiness[box.dataset.readiness]);
    });
    part("readiness-summary").textContent = "(" + readinessDone(point) + "/" + READINESS_TOTAL + ")";
    var waiting = ownWaiting();
    var box = part("own-request");
    clear(box);
    box.hidden = !waiting;
    if (waiting) {
      floorPending = false;
      part("floor-form").reset();
      box.appendChild(el("p", null, fmt(labels.you_wait, { n: state.queue.indexOf(waiting) + 1 })));
      box.appendChild(el("p", "topic", waiting.topic));
      box.appendChild(actionButton(labels.withdraw, "decline", { request: waiting.id }, "secondary"));
    }
  }

  // What may be pressed now: the connection, the conference's status and the role decide.
  function allowed(control) {
    if (!isOpen() || !state) { return false; }
    var action = control.dataset.action;
    var live = state.status === "live";
    if (action === "start") { return state.status === "planned"; }
    if (action === "advance" || action === "end") { return live; }
    if (config.role === "host" && !control.closest(".point-console")) { return true; }
    if (config.readonly) { return false; }
    if (action === "confirm") { var own = ownPoint(); return Boolean(own) && !own.confirmed; }
    if (control.dataset.control === "floor") { return live && !ownWaiting() && !floorPending; }
    return true;
  }

  function updateControls() {
    root.querySelectorAll("button[data-action], input[data-readiness], [data-control], input[data-note]")
      .forEach(function (control) { control.disabled = !allowed(control); });
  }

  // The clocks: elapsed time of the current item and of the turn, on the server's time.
  function tick() {
    var now = Date.now() + clockOffset;
    root.querySelectorAll("[data-since]").forEach(function (node) {
      var ms = now - Date.parse(node.dataset.since);
      node.textContent = elapsed(ms);
      if (node.dataset.planned) {
        node.classList.toggle("overtime", ms > Number(node.dataset.planned) * 60000);
      }
    });
  }
  window.setInterval(tick, 1000);

  // The point's delegates (not in the live state: read from the page's own endpoint) --------

  function refreshDelegates() {
    if (!config.delegatesUrl) { return; }
    fetch(config.delegatesUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { renderDelegates(data); } })
      .catch(function () { /* offline for a moment: the next state brings them again */ });
  }

  function renderDelegates(data) {
    var table = part("delegates");
    var body = table.tBodies[0];
    var template = document.getElementById("delegate-row");
    data.delegates.forEach(function (delegate, index) {
      var row = body.querySelector('tr[data-delegate="' + delegate.id + '"]');
      if (!row) {
        row = template.content.firstElementChild.cloneNode(true);
        row.dataset.delegate = delegate.id;
        var cell = row.querySelector('[data-cell="designation"]');
        cell.textContent = delegate.designation;
        if (delegate.is_guest) { cell.appendChild(document.createTextNode(" ")); cell.appendChild(badge(labels.guest, "")); }
        body.appendChild(row);
      }
      row.querySelector('[data-cell="number"]').textContent = index + 1;
      var mark = row.querySelector("[data-mark]");
      mark.textContent = labels.attendance[delegate.attendance] || delegate.attendance;
      mark.className = "badge att-" + delegate.attendance;
      row.querySelector("[data-detail]").textContent = delegate.represented_by
        ? fmt(labels.represented_by, { name: delegate.represented_by })
        : delegate.absence_reason;
    });
    var empty = body.querySelector("tr.empty");
    if (empty && data.delegates.length) { empty.remove(); }
    part("point-attendance").textContent = "· " + fmt(labels.attendance_total, data.counts);
    updateControls();
  }

  // What the user does --------------------------------------------------------------------

  function moveUp(requestId) {
    var order = state.queue.map(function (r) { return r.id; });
    var at = order.indexOf(requestId);
    if (at <= 0) { return; }
    order.splice(at, 1);
    order.splice(at - 1, 0, requestId);
    send({ action: "reorder", order: order });
  }

  function rollcall(control) {
    var row = control.closest("[data-delegate]");
    var note = row.querySelector("[data-note]");
    var attendance = control.dataset.attendance;
    var message = { action: "rollcall", delegate: Number(row.dataset.delegate), attendance: attendance };
    if (attendance !== "present" && !note.value.trim()) {
      announce(labels.note_needed);
      note.focus();
      return;
    }
    if (attendance === "absent") { message.reason = note.value.trim(); }
    if (attendance === "represented") { message.represented_by = note.value.trim(); }
    if (send(message)) { note.value = ""; }
  }

  root.addEventListener("click", function (event) {
    var control = event.target.closest("button[data-action]");
    if (!control || control.disabled || !root.contains(control)) { return; }
    var action = control.dataset.action;
    if (action === "move-up") { moveUp(Number(control.dataset.request)); return; }
    if (action === "rollcall") { rollcall(control); return; }
    if (action === "end" && !window.confirm(labels.confirm_end)) { return; }
    var message = { action: action };
    if (control.dataset.request) { message.request = Number(control.dataset.request); }
    if (action === "spotlight") { message.point = control.dataset.point ? Number(control.dataset.point) : null; }
    if (action === "confirm") { message.point = config.point; }
    send(message);
  });

  var searchTimer = null;

  root.addEventListener("input", function (event) {
    var filter = event.target.closest('[data-live="points-filter"]');
    if (!state || !filter) { return; }
    if (state.points_scope !== "page") { renderTiles(); return; }
    // Asked of the server (it holds every point), once the typing pauses.
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(function () { askPage(0, filter.value.trim()); }, 300);
  });

  root.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-page]");
    if (!button || button.disabled || !state || !state.page) { return; }
    var page = state.page;
    var step = button.dataset.page === "next" ? page.limit : -page.limit;
    askPage(page.offset + step, page.search);
  });

  root.addEventListener("change", function (event) {
    var box = event.target.closest("input[data-readiness]");
    if (!box) { return; }
    var sent = send({ action: "readiness", point: config.point, item: box.dataset.readiness, done: box.checked });
    if (!sent) { box.checked = !box.checked; }
  });

  var floorForm = part("floor-form");
  if (floorForm) {
    floorForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var topic = floorForm.elements.topic.value.trim();
      if (!topic) { announce(labels.topic_needed); floorForm.elements.topic.focus(); return; }
      var sent = send({
        action: "request_floor",
        point: config.point,
        topic: topic,
        speaker: floorForm.elements.speaker.value.trim()
      });
      if (sent) { floorPending = true; updateControls(); }
    });
  }

  connect();
})();

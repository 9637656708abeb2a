/* The media pane of the consoles: publishes this point's camera and microphone into the
 * conference's Janus room, shows the host and the floor (bridge point) or every point as a tile
 * (host), and runs the point's media test. The server decides everything: the room, the token,
 * who is muted. This script polls /api/v1/media/conferences/ID every 3 s and follows.
 * Uses Debian's janus.js (global Janus) and adapter.js, served by the app. */
(function () {
  "use strict";
  var pane = document.getElementById("media-pane");
  if (!pane) { return; }
  var labels = JSON.parse(document.getElementById("media-labels").textContent);
  var kind = pane.dataset.kind;
  var readonly = pane.dataset.readonly === "true";
  var PER_PAGE = 8;
  var POLL_MS = 3000;

  var state = null;
  var janus = null;
  var starting = false;
  var inited = false;
  var publisher = null;     // plugin handle, or "watch" when another console publishes this point
  var published = false;
  var subscriber = null;
  var subscriberReady = false;  // joined and started: streams can be added and taken away
  var subscribedKey = "";
  var subscribedFeeds = [];
  var subscriberHandles = 0;    // for the tests: a change of feeds must not make a new one
  var localAudio = null;        // this console's microphone track, closed while muted
  var ownPicture = null;        // this console's camera, for wherever this point is shown here
  var midFeed = {};         // subscriber mid -> feed id
  var feedStreams = {};     // feed id -> MediaStream
  var talking = {};
  var page = 0;
  var removed = false;      // the chair removed this point's stream: it rejoins after a reload

  function $(name) { return pane.querySelector('[data-media="' + name + '"]'); }

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, key) {
      return values[key] === undefined || values[key] === null ? "–" : values[key];
    }).replace(/%%/g, "%");
  }

  // Numbers the way the page's language writes them: "0,0" in Vietnamese, "0.0" in English.
  var lang = document.documentElement.lang || "vi";
  function number(value, digits) {
    return new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  }

  function setStatus(text) {
    var el = $("status");
    if (el) { el.textContent = text || ""; }
  }

  function api(path, body) {
    return fetch(pane.dataset.api + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": pane.dataset.csrf },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          var message = data && data.error ? data.error.message : String(response.status);
          setStatus(fmt(labels.refused, { message: message }));
          throw new Error(message);
        }
        return data;
      });
    });
  }

  // The server's view, every few seconds ---------------------------------------------------

  // The host's (and a viewer's) console asks for the page of points it shows: the server sends
  // their peers, those of the points watched wherever the page is (the host, the floor, the
  // spotlight, those asking for it) and counts for the rest, never every point every 3 s; the
  // origin then gets the page's streams from the edges they are placed on (8 tiles).
  function stateUrl() {
    if (kind === "point") { return pane.dataset.stateUrl; }
    return pane.dataset.stateUrl + "?offset=" + page * PER_PAGE + "&limit=" + PER_PAGE;
  }

  // A refusal (the session ended, the user's place in the briefing was taken away) is not
  // asked again every 3 s: the page says why and stops, since each refused poll would count
  // against the user's session and slow all of its pages (core/offenders.py).
  var refused = false;

  function poll() {
    fetch(stateUrl(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401 || r.status === 403) {
          return r.json().then(stopRefused, stopRefused);
        }
        return r.ok ? r.json().then(apply) : Promise.reject(r.status);
      })
      .catch(function () { setStatus(labels.lost); })
      .then(function () { if (!refused) { window.setTimeout(poll, POLL_MS); } });
  }

  function stopRefused(data) {
    refused = true;
    var message = data && data.error ? data.error.message : "";
    setStatus(fmt(labels.refused, { message: message }));
  }

  function apply(next) {
    var serverChanged = state && (state.server !== next.server || state.room !== next.room ||
      state.token !== next.token);
    if (serverChanged && state.server && next.server && state.server !== next.server) {
      setStatus(labels.moved);
    }
    state = next;
    var testButton = pane.querySelector('[data-media-action="test"]');
    if (testButton && !testButton.dataset.running) { testButton.disabled = !next.test_server; }
    if (next.status !== "up" || serverChanged) {
      teardown();
      if (next.status !== "up") { setStatus(next.message); showRecordings(next.recordings); return; }
    }
    if (removed) { setStatus(labels.removed); render(); return; }
    if (!janus) { connect(); render(); return; }
    ensurePublisher();
    ensureSubscription();
    render();
  }

  // Janus -----------------------------------------------------------------------------------

  function connect() {
    if (starting) { return; }
    if (!window.Janus) { setStatus(labels.no_library); return; }
    starting = true;
    setStatus(labels.connecting);
    var open = function () {
      janus = new window.Janus({
        server: state.server,
        token: state.janus_token,  // Janus opens nothing without a token the app signed
        success: function () { starting = false; setStatus(""); apply(state); },
        error: function () { starting = false; teardown(); setStatus(labels.lost); },
        destroyed: function () {}
      });
    };
    if (inited) { open(); return; }
    window.Janus.init({
      debug: false,
      dependencies: window.Janus.useDefaultDependencies(),
      callback: function () { inited = true; open(); }
    });
  }

  function teardown() {
    var old = janus;
    janus = null;
    publisher = null;
    published = false;
    subscriber = null;
    subscriberReady = false;
    subscribedKey = "";
    subscribedFeeds = [];
    localAudio = null;
    ownPicture = null;
    midFeed = {};
    feedStreams = {};
    starting = false;
    if (old) {
      try { old.destroy({ cleanupHandles: true, notifyDestroyed: false }); } catch (e) { /* gone */ }
    }
    pane.querySelectorAll("video").forEach(function (v) { v.srcObject = null; });
  }

  function ensurePublisher() {
    if (publisher || readonly || !state.token || !state.feed || kind === "viewer") { return; }
    publisher = "attaching";
    janus.attach({
      plugin: "janus.plugin.videoroom",
      opaqueId: "giaoban-" + state.feed,
      success: function (handle) {
        publisher = handle;
        handle.send({ message: {
          request: "join", ptype: "publisher", room: state.room, id: state.feed,
          display: String(state.feed), token: state.token
        } });
      },
      error: function (error) { publisher = null; setStatus(fmt(labels.refused, { message: error })); },
      onmessage: onPublisherMessage,
      onlocaltrack: function (track, on) {
        if (track.kind === "audio") { localAudio = on ? track : null; followMute(); return; }
        // The picture only: the point must not hear itself where it is shown.
        ownPicture = on ? new MediaStream([track]) : null;
        render();
      },
      webrtcState: function (up) { published = up; render(); }
    });
  }

  function onPublisherMessage(message, jsep) {
    var event = message.videoroom;
    if (event === "joined") {
      publisher.createOffer({
        tracks: [{ type: "audio", capture: true, recv: false }, { type: "video", capture: true, recv: false }],
        success: function (offer) {
          publisher.send({ message: { request: "publish", audio: true, video: true }, jsep: offer });
        },
        error: function (error) { setStatus(fmt(labels.no_camera, { error: error.message || error })); }
      });
    } else if (event === "talking" || event === "stopped-talking") {
      talking[message.id] = event === "talking";
      render();
    } else if (message.leaving === "ok" && message.reason === "kicked") {
      setStatus(labels.removed);
      removed = true;
    } else if (message.error) {
      if (message.error_code === 436) { publisher.detach(); publisher = "watch"; ensureSubscription(); return; }
      setStatus(fmt(labels.refused, { message: message.error }));
    }
    if (jsep && publisher && publisher.handleRemoteJsep) { publisher.handleRemoteJsep({ jsep: jsep }); }
  }

  function peersUp() {
    var up = {};
    // "here": the point's stream is on this console's server (placed or relayed there).
    state.peers.forEach(function (p) { if (p.up && p.here !== false) { up[p.point] = p; } });
    return up;
  }

  function wantedFeeds() {
    var up = peersUp();
    // Another console of this point publishes its camera: this one shows it from the server.
    var feeds = publisher === "watch" && up[state.feed] ? [state.feed] : [];
    if (kind === "point") {
      [state.host_feed, second()].forEach(function (feed) {
        if (feed && feed !== state.feed && up[feed] && feeds.indexOf(feed) < 0) { feeds.push(feed); }
      });
    } else {
      pagePeers().forEach(function (p) {
        if (p.up && p.here !== false && p.point !== state.feed) { feeds.push(p.point); }
      });
    }
    return feeds;
  }

  // One subscriber handle for the console's life: when the feeds it wants change (a point comes
  // up or goes, the chair turns the page, the floor passes) streams are added and taken away on
  // it ("update"), so the pictures already shown do not stop. It is made anew only after an
  // error, a new server or a new room.
  function ensureSubscription() {
    if (!state.token) { return; }
    var feeds = wantedFeeds();
    var key = feeds.join(",");
    if (key === subscribedKey) { return; }
    if (subscriber && !subscriberReady) { return; }  // still joining: the next poll comes back
    if (subscriber && feeds.length) {
      updateSubscription(feeds, key);
      return;
    }
    subscribe(feeds, key);
  }

  function updateSubscription(feeds, key) {
    var add = feeds.filter(function (feed) { return subscribedFeeds.indexOf(feed) < 0; });
    var drop = subscribedFeeds.filter(function (feed) { return feeds.indexOf(feed) < 0; });
    subscribedKey = key;
    subscribedFeeds = feeds;
    if (!add.length && !drop.length) { return; }  // the same feeds in another order
    subscriberReady = false;  // until this renegotiation is answered
    var message = { request: "update" };
    if (add.length) { message.subscribe = add.map(function (feed) { return { feed: feed }; }); }
    if (drop.length) { message.unsubscribe = drop.map(function (feed) { return { feed: feed }; }); }
    drop.forEach(function (feed) { delete feedStreams[feed]; });
    subscriber.send({ message: message, error: resubscribeLater });
  }

  function resubscribeLater() {
    if (subscriber && subscriber.detach) { subscriber.detach(); }
    subscriber = null;
    subscriberReady = false;
    subscribedKey = "";
    subscribedFeeds = [];
  }

  function subscribe(feeds, key) {
    resubscribeLater();
    subscribedKey = key;
    subscribedFeeds = feeds;
    midFeed = {};
    feedStreams = {};
    if (!feeds.length) { return; }
    subscriberHandles += 1;
    janus.attach({
      plugin: "janus.plugin.videoroom",
      opaqueId: "giaoban-sub-" + state.feed,
      success: function (handle) {
        subscriber = handle;
        handle.send({ message: {
          request: "join", ptype: "subscriber", room: state.room, token: state.token,
          streams: feeds.map(function (feed) { return { feed: feed }; })
        } });
      },
      error: resubscribeLater,
      onmessage: function (message, jsep) {
        (message.streams || []).forEach(function (s) {
          if (s.feed_id && s.active !== false) { midFeed[s.mid] = s.feed_id; }
        });
        if (message.error) { resubscribeLater(); return; }  // a feed went away: next poll
        if (!jsep) {
          if (message.videoroom === "updated") { subscriberReady = true; }  // nothing to renegotiate
          return;
        }
        subscriber.createAnswer({
          jsep: jsep,
          tracks: [],
          success: function (answer) {
            subscriber.send({ message: { request: "start" }, jsep: answer });
            subscriberReady = true;
          },
          error: resubscribeLater
        });
      },
      onremotetrack: function (track, mid, on) {
        var feed = midFeed[mid];
        if (!feed || (!on && !feedStreams[feed])) { return; }
        var stream = feedStreams[feed] || (feedStreams[feed] = new MediaStream());
        if (on) {
          stream.getTracks().filter(function (t) { return t.kind === track.kind; })
            .forEach(function (t) { stream.removeTrack(t); });
          stream.addTrack(track);
        } else {
          stream.removeTrack(track);
        }
        render();
      }
    });
  }

  // Drawing ---------------------------------------------------------------------------------

  function showRecordings(list) {
    var box = $("recordings");
    if (!box || !list || !list.length) { return; }
    box.hidden = false;
    var ul = box.querySelector("ul");
    ul.textContent = "";
    list.forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = r.url;
      a.textContent = r.name;
      li.appendChild(a);
      ul.appendChild(li);
    });
  }

  // This point's own feed is its camera (or, where another console of the point publishes it,
  // that console's stream from the server).
  function show(video, feed) {
    if (!video) { return; }
    var own = feed && feed === state.feed;
    var stream = own ? ownPicture || feedStreams[feed] : (feed ? feedStreams[feed] : null);
    if (video.srcObject !== (stream || null)) { video.srcObject = stream || null; }
  }

  // The page the server sent, in its order (it pages; this script only asks).
  function pagePeers() {
    if (!state.page) { return []; }
    return state.page.ids.map(peer).filter(function (p) { return p && p.point !== state.feed; });
  }

  function pageCount() {
    var total = state && state.page ? state.page.total : 0;
    return Math.max(1, Math.ceil(total / PER_PAGE));
  }

  // Janus drops a muted point's audio (moderate); the console also stops sending it, so that
  // nothing is heard in the moment between joining and the server's first word.
  function followMute() {
    if (!localAudio || !state) { return; }
    var own = state.feed ? peer(state.feed) : null;
    localAudio.enabled = own ? !own.muted : kind === "host";
  }

  function render() {
    if (!state) { return; }
    followMute();
    show($("self"), state.feed);
    if (kind === "point") { renderPoint(); } else { renderHost(); }
  }

  function peer(feed) {
    return state.peers.filter(function (p) { return p.point === feed; })[0];
  }

  // The large place beside the host's: the point with the floor, or else the one the host put
  // in the spotlight. A point's console still receives two streams at most.
  function second() { return state.floor_feed || state.spotlight_feed || null; }

  function renderPoint() {
    show($("host"), state.host_feed);
    show($("floor"), second());
    var shown = second() ? peer(second()) : null;
    var title = state.floor_feed ? labels.floor : labels.spotlight;
    $("floor-name").textContent = shown ? title + ": " + shown.name : labels.nobody_floor;
    var own = state.feed ? peer(state.feed) : null;
    var mic = $("mic");
    if (mic && own) {
      mic.textContent = own.muted ? labels.muted : labels.open;
      mic.className = "badge " + (own.muted ? "mic-closed" : "mic-open");
    }
    if (readonly && state.status === "up") { setStatus(labels.readonly); }
  }

  function renderHost() {
    var tiles = $("tiles");
    var pages = pageCount();
    if (page > pages - 1) { page = pages - 1; poll1(); }  // points were removed: the last page
    $("page").textContent = fmt(labels.page, { n: page + 1, total: pages });
    var counts = state.counts;
    if (counts) {
      $("counts").textContent = fmt(labels.counts, {
        points: number(counts.points, 0), up: number(counts.up, 0), muted: number(counts.muted, 0)
      });
    }
    var shown = pagePeers();
    var ids = shown.map(function (p) { return String(p.point); });
    Array.prototype.slice.call(tiles.children).forEach(function (tile) {
      if (ids.indexOf(tile.dataset.point) < 0) { tile.remove(); }
    });
    shown.forEach(function (p) {
      var tile = tiles.querySelector('[data-point="' + p.point + '"]') || newTile(p, tiles);
      tile.classList.toggle("talking", !!talking[p.point]);
      tile.classList.toggle("down", !p.up);
      var facts = [p.muted ? labels.muted : labels.open];
      if (!p.up) { facts.push(labels.offline); } else if (p.quality !== null) { facts.push(fmt(labels.quality, { q: p.quality })); }
      if (talking[p.point]) { facts.push(labels.talking); }
      if (p.server) { facts.push(fmt(labels.server, { name: p.server })); }  // its placement
      tile.querySelector(".facts-line").textContent = facts.join(" · ");
      var toggle = tile.querySelector('[data-act="toggle"]');
      toggle.textContent = p.muted ? labels.unmute : labels.mute;
      toggle.dataset.muted = p.muted ? "true" : "false";
      show(tile.querySelector("video"), p.point);
    });
  }

  function newTile(p, tiles) {
    var tile = document.createElement("div");
    tile.className = "media-tile";
    tile.dataset.point = String(p.point);
    var video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    video.dataset.feed = String(p.point);
    var name = document.createElement("p");
    name.className = "name";
    name.textContent = p.name;
    var facts = document.createElement("p");
    facts.className = "facts-line";
    var bar = document.createElement("div");
    bar.className = "toolbar";
    [["toggle", labels.mute], ["remove", labels.remove]].forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "small" + (b[0] === "remove" ? " danger" : "");
      button.dataset.act = b[0];
      button.textContent = b[1];
      bar.appendChild(button);
    });
    tile.append(video, name, facts, bar);
    tiles.appendChild(tile);
    return tile;
  }

  pane.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    var tile = button.closest(".media-tile");
    var action = button.dataset.mediaAction || button.dataset.act;
    if (action === "toggle" && tile) {
      api("points/" + tile.dataset.point + "/mute", { muted: button.dataset.muted !== "true" }).then(poll1);
    } else if (action === "remove" && tile && window.confirm(labels.confirm_remove)) {
      api("points/" + tile.dataset.point + "/remove").then(poll1);
    } else if (action === "mute-all") {
      api("conferences/" + state.conference + "/mute-all").then(poll1);
    } else if (action === "prev" || action === "next") {
      page = Math.min(pageCount() - 1, Math.max(0, page + (action === "next" ? 1 : -1)));
      poll1();  // the server sends the new page, and its streams come up to the origin
    } else if (action === "test") {
      runTest(button);
    }
  });

  // The live room says when the media state changed (a microphone opened or closed, the
  // spotlight moved, the conference started or ended): it is asked for before the next poll,
  // at a moment spread over 1.5 s so that thousands of consoles do not ask together.
  // "media.placement": an edge server stopped answering and its points were placed on
  // others; the state names the console's new server and token, and apply() reconnects.
  var FOLLOW = {
    "media.mute": true, "media.placement": true, "spotlight": true,
    "conference.start": true, "conference.end": true
  };
  document.addEventListener("giaoban:live", function (event) {
    if (FOLLOW[event.detail.reason]) { window.setTimeout(poll1, Math.random() * 1500); }
  });

  function poll1() {
    fetch(stateUrl(), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(apply);
  }

  // The point's media test: camera and microphone to the server and back (EchoTest) ---------

  // Before the conference (no room yet) the test opens a Janus session of its own.
  function runTest(button) {
    var result = $("test-result");
    if (!window.Janus || !state || !state.test_server) {
      result.textContent = fmt(labels.test_failed, { why: state ? state.message || labels.lost : labels.lost });
      return;
    }
    button.disabled = true;
    button.dataset.running = "1";
    result.textContent = labels.test_running;
    if (janus) { echoTest(janus, null, button, result); return; }
    var own = null;
    var open = function () {
      own = new window.Janus({
        server: state.test_server,
        token: state.janus_token,
        success: function () { echoTest(own, own, button, result); },
        error: function (error) { finish(null, own, button, result, fmt(labels.test_failed, { why: error })); }
      });
    };
    if (inited) { open(); return; }
    window.Janus.init({ debug: false, dependencies: window.Janus.useDefaultDependencies(),
      callback: function () { inited = true; open(); } });
  }

  function echoTest(session, own, button, result) {
    var point = document.getElementById("console").dataset.point;
    var echo = null;
    var captured = { audio: false, video: false };
    session.attach({
      plugin: "janus.plugin.echotest",
      success: function (handle) {
        echo = handle;
        handle.createOffer({
          tracks: [{ type: "audio", capture: true, recv: true }, { type: "video", capture: true, recv: true }],
          success: function (offer) {
            handle.send({ message: { audio: true, video: true }, jsep: offer });
            window.setTimeout(function () { measure(echo, own, captured, point, result, button); }, 6000);
          },
          error: function (error) { finish(echo, own, button, result, fmt(labels.no_camera, { error: error.message || error })); }
        });
      },
      error: function (error) { finish(null, own, button, result, fmt(labels.test_failed, { why: error })); },
      onmessage: function (message, jsep) { if (jsep) { echo.handleRemoteJsep({ jsep: jsep }); } },
      onlocaltrack: function (track, on) { if (on) { captured[track.kind] = true; } }
    });
  }

  function measure(echo, own, captured, point, result, button) {
    var pc = echo && echo.webrtcStuff && echo.webrtcStuff.pc;
    if (!pc) { finish(echo, own, button, result, fmt(labels.test_failed, { why: labels.test_no_media })); return; }
    pc.getStats().then(function (stats) {
      var frames = 0, rtt = null, lost = 0, received = 0;
      stats.forEach(function (s) {
        if (s.type === "inbound-rtp") {
          if (s.kind === "video") { frames += s.framesDecoded || 0; }
          lost += s.packetsLost || 0;
          received += s.packetsReceived || 0;
        }
        if (s.type === "candidate-pair" && s.nominated && s.currentRoundTripTime !== undefined) {
          rtt = s.currentRoundTripTime * 1000;
        }
      });
      var loss = received + lost > 0 ? (100 * lost) / (received + lost) : null;
      return api("points/" + point + "/tests", {
        camera: captured.video, microphone: captured.audio, frames_received: frames,
        round_trip_ms: rtt, packet_loss: loss
      }).then(function (test) {
        var text = test.passed
          ? fmt(labels.test_passed, { frames: number(frames, 0), rtt: rtt === null ? null : number(rtt, 0), loss: loss === null ? null : number(loss, 1) })
          : fmt(labels.test_failed, { why: labels.test_no_media });
        finish(echo, own, button, result, text);
      });
    }).catch(function (error) { finish(echo, own, button, result, fmt(labels.test_failed, { why: error.message || error })); });
  }

  function finish(echo, own, button, result, text) {
    if (echo) { try { echo.detach(); } catch (e) { /* gone */ } }
    if (own) { try { own.destroy({ notifyDestroyed: false }); } catch (e) { /* gone */ } }
    button.disabled = false;
    delete button.dataset.running;
    result.textContent = text;
  }

  // For the browser tests: what the subscriber's PeerConnection decoded.
  window.giaobanMedia = {
    published: function () { return published; },
    subscriberHandles: function () { return subscriberHandles; },
    microphoneSending: function () { return !!(localAudio && localAudio.enabled); },
    // Frames a <video> of the page showed (the local camera is not decoded by a PeerConnection).
    framesShown: function (selector) {
      var video = pane.querySelector(selector);
      return video ? video.getVideoPlaybackQuality().totalVideoFrames : 0;
    },
    framesDecoded: function () {
      var pc = subscriber && subscriber.webrtcStuff && subscriber.webrtcStuff.pc;
      if (!pc) { return Promise.resolve(0); }
      return pc.getStats().then(function (stats) {
        var frames = 0;
        stats.forEach(function (s) { if (s.type === "inbound-rtp" && s.kind === "video") { frames += s.framesDecoded || 0; } });
        return frames;
      });
    }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", poll);
  } else {
    poll();
  }
}());

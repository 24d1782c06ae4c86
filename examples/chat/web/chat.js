// The chat page's script: one WebSocket to /ws (the page's own query string goes along, so a
// proxy can route by it: docs/deployment.md), reconnected with exponential backoff and jitter,
// re-joining the room each time. Users' text reaches the DOM only as textContent: never
// innerHTML, so nothing anyone types can become markup.
'use strict';

(() => {
  const BACKOFF_MIN_MS = 250;
  const BACKOFF_MAX_MS = 8000;
  // A node that dies sends no `left` for its users: every page says it is here every
  // PRESENCE_REFRESH_MS, and drops members it has not heard of for PRESENCE_TTL_MS (users who
  // reconnect elsewhere are heard of again long before).
  const PRESENCE_REFRESH_MS = 20000;
  const PRESENCE_TTL_MS = 65000;
  // A browser does not show WebSocket pings to the page, and a connection whose peer vanished
  // (a proxy or network gone) may stay "open" for minutes: the page pings the server itself
  // every HEARTBEAT_MS and drops the connection if no pong comes within PONG_TIMEOUT_MS.
  const HEARTBEAT_MS = 20000;
  const PONG_TIMEOUT_MS = 10000;
  const $ = (id) => document.getElementById(id);

  const ui = {
    state: $('state'), node: $('node'), roomLabel: $('room-label'), error: $('error'),
    joinView: $('join-view'), chatView: $('chat-view'), joinForm: $('join-form'),
    name: $('name'), room: $('room'), sayForm: $('say-form'), text: $('text'),
    members: $('members'), count: $('count'), messages: $('messages'),
  };

  // Chosen once per tab and kept across reconnects (and reloads), so that coming back through
  // another node replaces this user's entry in everyone's member list instead of adding one.
  const myId = (() => {
    const fresh = () => {
      const bytes = new Uint8Array(12);
      crypto.getRandomValues(bytes);
      return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    };
    try {
      let id = sessionStorage.getItem('chat-id');
      if (!id) sessionStorage.setItem('chat-id', (id = fresh()));
      return id;
    } catch (e) {
      return fresh();  // storage refused (privacy settings): one id for this page's life
    }
  })();

  let ws = null;
  let attempt = 0;          // reconnect attempts since a node last said hello
  let retryTimer = null;
  let pongTimer = null;
  let wanted = null;        // {name, room} once the user has asked to join
  let welcomed = false;     // the server has confirmed the join on this connection
  let everWelcomed = false;
  const members = new Map();  // id -> {name, session, node}
  // After a reconnect the list is rebuilt from the answers; those who were listed before are
  // not announced as newcomers.
  let listedBefore = new Set();

  function setState(state, text) {
    document.body.dataset.state = state;
    ui.state.textContent = text;
  }

  function showError(text) {
    ui.error.textContent = text;
    ui.error.hidden = !text;
  }

  function wsUrl() {
    const url = new URL('/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = location.search;
    return url.href;
  }

  function send(message) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    setState('connecting', attempt ? `connecting (attempt ${attempt + 1})…` : 'connecting…');
    const socket = new WebSocket(wsUrl());
    ws = socket;
    welcomed = false;
    socket.onopen = () => {
      setState('online', 'online');
      if (wanted) send({ type: 'join', name: wanted.name, room: wanted.room, id: myId });
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return;  // not ours to show
      }
      if (message && typeof message.type === 'string') handle(message);
    };
    socket.onclose = () => {
      if (ws === socket) lost();
    };
  }

  // The connection is gone (closed, or silent past the pong timeout): retry.
  function lost() {
    clearTimeout(pongTimer);
    pongTimer = null;
    const socket = ws;
    ws = null;
    welcomed = false;
    if (socket) {
      socket.onclose = null;
      socket.close();
    }
    scheduleReconnect();
  }

  setInterval(() => {
    if (!ws || ws.readyState !== WebSocket.OPEN || pongTimer) return;
    send({ type: 'ping' });
    pongTimer = setTimeout(lost, PONG_TIMEOUT_MS);
  }, HEARTBEAT_MS);

  // Exponential backoff with "equal jitter": half the capped delay, plus a random part of the
  // other half, so that the pages of a node that died do not all come back at the same moment.
  function scheduleReconnect() {
    attempt += 1;
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (attempt - 1));
    const delay = cap / 2 + Math.random() * (cap / 2);
    const seconds = (delay / 1000).toFixed(1);
    setState('reconnecting', `offline: retrying in ${seconds} s (attempt ${attempt})`);
    retryTimer = setTimeout(connect, delay);
  }

  // Back online (the OS says so) or the tab shown again: no need to wait for the timer.
  function retryNow() {
    if (retryTimer) connect();
  }
  window.addEventListener('online', retryNow);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') retryNow();
  });

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function scrollToEnd() {
    ui.messages.scrollTop = ui.messages.scrollHeight;
  }

  function addSystemLine(text) {
    ui.messages.append(el('li', 'system', text));
    scrollToEnd();
  }

  function addChatMessage(m) {
    const li = el('li', m.id === myId ? 'msg mine' : 'msg');
    li.dataset.from = m.id;
    const meta = el('div', 'meta');
    meta.append(el('span', 'from', m.name), el('span', 'via', `via ${m.node}`));
    const when = new Date(m.ts);
    const time = el('time', '', when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
    time.dateTime = when.toISOString();
    meta.append(time);
    li.append(meta, el('div', 'text', m.text));
    ui.messages.append(li);
    scrollToEnd();
  }

  function renderMembers() {
    const sorted = [...members.entries()].sort((a, b) => a[1].name.localeCompare(b[1].name));
    ui.members.replaceChildren(...sorted.map(([id, m]) => {
      const li = el('li');
      li.dataset.id = id;
      li.dataset.node = m.node;
      li.append(el('span', 'who', m.name));
      if (id === myId) li.append(el('span', 'you', '(you)'));
      li.append(el('span', 'via', m.node));
      return li;
    }));
    ui.count.textContent = String(members.size);
  }

  function handle(m) {
    switch (m.type) {
      case 'hello':
        // The backoff starts over only once a node speaks: one that accepts and drops the
        // connection at once (starting, or failing) is still retried ever more slowly.
        attempt = 0;
        ui.node.textContent = m.node;
        if (m.max_name) ui.name.maxLength = m.max_name;
        if (m.max_room) ui.room.maxLength = m.max_room;
        if (m.max_text) ui.text.maxLength = m.max_text;
        break;
      case 'welcome':
        welcomed = true;
        listedBefore = new Set(members.keys());
        members.clear();
        members.set(m.id, { name: m.name, session: m.session, node: m.node, seen: Date.now() });
        renderMembers();
        showError('');
        ui.roomLabel.textContent = `# ${m.room}`;
        ui.joinView.hidden = true;
        ui.chatView.hidden = false;
        document.body.dataset.joined = m.room;
        addSystemLine(everWelcomed ? `Reconnected through node ${m.node}.`
                                   : `You joined # ${m.room} through node ${m.node}.`);
        everWelcomed = true;
        ui.text.focus();
        break;
      case 'joined':
      case 'present': {
        if (m.id === myId) break;  // this user's older connection, through another node
        const known = members.has(m.id);
        members.set(m.id, { name: m.name, session: m.session, node: m.node, seen: Date.now() });
        renderMembers();
        if (m.type === 'joined') {
          if (!known && !listedBefore.has(m.id)) addSystemLine(`${m.name} joined.`);
          send({ type: 'here' });  // so that the newcomer learns who is here
        }
        break;
      }
      case 'left': {
        const current = members.get(m.id);
        // Only the connection that is in the list: a user who came back through another node
        // before their old connection's `left` arrived stays.
        if (current && current.session === m.session) {
          members.delete(m.id);
          renderMembers();
          addSystemLine(`${m.name} left.`);
        }
        break;
      }
      case 'message':
        addChatMessage(m);
        break;
      case 'pong':
        clearTimeout(pongTimer);
        pongTimer = null;
        break;
      case 'error':
        showError(m.message);
        break;
      default:
        break;
    }
  }

  ui.joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = ui.name.value.trim();
    const room = ui.room.value.trim();
    if (!name || !room) return;
    wanted = { name, room };
    if (!send({ type: 'join', name, room, id: myId })) {
      showError('Not connected yet: joining once the connection is back.');
    }
  });

  ui.sayForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = ui.text.value.trim();
    if (!text) return;
    if (!welcomed || !send({ type: 'say', text })) {
      showError('Not connected: your message was not sent.');
      return;
    }
    ui.text.value = '';
  });

  setInterval(() => {
    if (!welcomed) return;
    send({ type: 'here' });
    const now = Date.now();
    for (const [id, m] of members) {
      if (id !== myId && now - m.seen > PRESENCE_TTL_MS) {
        members.delete(id);
        addSystemLine(`${m.name} is gone (not heard from).`);
      }
    }
    renderMembers();
  }, PRESENCE_REFRESH_MS);

  connect();
})();

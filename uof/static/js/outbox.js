/* The outbox: reports made on this phone wait in IndexedDB until the server's JSON reply echoes their
   client_id. Workbox's queue drops a request on any reply (a 302 to the login page included) and expires it
   after a week; a use-of-force record must not vanish that way, so this one is ours:
   - an entry leaves the outbox only on a 201/200 JSON reply with its client_id; nothing expires;
   - a 422 hands it back to the officer (needs_attention) with the server's messages;
   - 5xx, network errors and anything unexpected keep it waiting, with exponential backoff and jitter;
   - it is sent only under the session of the officer who made it (shared phones), with a CSRF token fetched
     just before sending and never stored;
   - one sender at a time across pages and the service worker (Web Locks, or an IndexedDB lease).
   The service worker loads this file with importScripts and calls UofOutbox.flush(), so the top level touches
   no DOM; the page part at the end runs only where there is a document. */
(function (self) {
  "use strict";

  var DB_NAME = "uof";
  var DB_VERSION = 1;
  var LOCK = "uof-outbox";
  var SYNC_TAG = "uof-outbox";
  var WAITING = "waiting";
  var ATTENTION = "needs_attention";
  var SENT = "sent";
  var BACKOFF_BASE = 5000;
  var BACKOFF_CAP = 300000;
  // Renewed before each request, so it need only outlast one; a sender that died frees it this soon after.
  var LEASE_MS = 20000;
  // Triggers that mean "try now", whatever the backoff says: the officer asked, or the connection came back.
  var EAGER = ["send-now", "online", "submit", "sync"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("uof-outbox") : null;

  // --- IndexedDB through a small promise wrapper ---------------------------------------------------------------

  var opening = null;

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = self.indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = function () {
          var db = request.result;
          ["drafts", "outbox", "sent"].forEach(function (name) {
            if (!db.objectStoreNames.contains(name)) { db.createObjectStore(name, {keyPath: "client_id"}); }
          });
          if (!db.objectStoreNames.contains("meta")) { db.createObjectStore("meta", {keyPath: "key"}); }
        };
        request.onsuccess = function () {
          var db = request.result;
          // A newer version of this script (another tab, the worker) must be able to upgrade the database.
          db.onversionchange = function () { db.close(); opening = null; };
          resolve(db);
        };
        request.onerror = function () { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  // Runs body(stores, done) in one transaction; resolves with what done() was given once it has committed.
  function transact(names, mode, body) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(names, mode);
        var stores = {};
        var result;
        names.forEach(function (name) { stores[name] = tx.objectStore(name); });
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error || new Error("IndexedDB transaction failed")); };
        body(stores, function (value) { result = value; });
      });
    });
  }

  function getAll(name) {
    return transact([name], "readonly", function (s, done) {
      s[name].getAll().onsuccess = function (event) { done(event.target.result || []); };
    });
  }

  function get(name, key) {
    return transact([name], "readonly", function (s, done) {
      s[name].get(key).onsuccess = function (event) { done(event.target.result || null); };
    });
  }

  function put(name, value) {
    return transact([name], "readwrite", function (s, done) { s[name].put(value); done(value); });
  }

  function remove(name, key) {
    return transact([name], "readwrite", function (s) { s[name].delete(key); });
  }

  // Read, change and write back one record atomically; change returns the new record, or null to leave it.
  function update(name, key, change) {
    return transact([name], "readwrite", function (s, done) {
      s[name].get(key).onsuccess = function (event) {
        var record = event.target.result;
        var changed = record ? change(record) : null;
        if (changed) { s[name].put(changed); }
        done(changed || null);
      };
    });
  }

  function getMeta(key) {
    return get("meta", key).then(function (record) { return record ? record.value : null; });
  }

  function putMeta(key, value) {
    return put("meta", {key: key, value: value});
  }

  function randomId() {
    if (self.crypto && typeof self.crypto.randomUUID === "function") { return self.crypto.randomUUID(); }
    var bytes = self.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function notify(detail) {
    var message = Object.assign({type: "changed"}, detail || {});
    if (channel) { channel.postMessage(message); }
    if (typeof self.dispatchEvent === "function" && typeof CustomEvent === "function") {
      self.dispatchEvent(new CustomEvent("uof-outbox", {detail: message}));
    }
  }

  // --- the session: who is logged in, and a fresh CSRF token (never stored) -------------------------------------

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
  }

  function fetchSession() {
    return self.fetch("/api/v1/session", {credentials: "same-origin", redirect: "manual", cache: "no-store",
                                          headers: {Accept: "application/json"}})
      .then(function (response) {
        if (response.status === 401) {
          return rememberSession(null, "out").then(function () { return {kind: "unauthenticated"}; });
        }
        if (response.status !== 200 || !isJson(response)) {
          return {kind: "other", error: "The server did not answer as expected (" + (response.status || "redirect") +
                                        ")."};
        }
        return response.json().then(function (body) {
          if (!body || !body.user || typeof body.user.id !== "number" || typeof body.csrf_token !== "string") {
            return {kind: "other", error: "The server did not answer as expected."};
          }
          var user = {id: body.user.id, name: body.user.name, force_number: body.user.force_number,
                      teams: body.user.teams || []};
          return rememberSession(user, "in").then(function () {
            return {kind: "ok", user: user, csrf: body.csrf_token};
          });
        });
      }, function () {
        return {kind: "network", error: "No connection to the server."};
      });
  }

  // The last officer seen logged in here (no token): it names who a report made offline belongs to.
  function rememberSession(user, state) {
    return getMeta("session").then(function (known) {
      var last = user || (known && known.user) || null;
      return putMeta("session", {user: last, state: state, checked_at: Date.now()});
    }).then(function () { notify({session: state}); });
  }

  // {user, state}: state "in" or "out" when the server was asked, "unknown" when it could not be.
  function session() {
    return fetchSession().then(function (found) {
      return getMeta("session").then(function (known) {
        var state = found.kind === "ok" ? "in" : found.kind === "unauthenticated" ? "out" : "unknown";
        return {user: found.kind === "ok" ? found.user : (known && known.user) || null, state: state};
      });
    });
  }

  // --- sending ----------------------------------------------------------------------------------------------------

  function backoff(attempts) {
    var base = Math.min(BACKOFF_CAP, BACKOFF_BASE * Math.pow(2, Math.max(0, attempts - 1)));
    return Math.round(base / 2 + Math.random() * base / 2);
  }

  function retryLater(entry, error) {
    return update("outbox", entry.client_id, function (current) {
      if (current.state !== WAITING) { return null; }
      var now = Date.now();
      current.attempts = (current.attempts || 0) + 1;
      current.last_error = error;
      current.last_attempt_at = now;
      current.next_attempt_at = now + backoff(current.attempts);
      return current;
    });
  }

  function needsAttention(entry, kind, fields, message) {
    return update("outbox", entry.client_id, function (current) {
      if (current.state !== WAITING) { return null; }
      current.state = ATTENTION;
      current.attempts = (current.attempts || 0) + 1;
      current.last_attempt_at = Date.now();
      current.problem = kind;
      current.errors = fields;
      current.last_error = message;
      return current;
    });
  }

  // Moves the entry to the sent store with the server's id, reference and URL. The content is not kept: once the
  // server holds the report, a copy on a shared phone is only a risk.
  function markSent(entry, body) {
    return transact(["outbox", "sent"], "readwrite", function (s, done) {
      s.outbox.get(entry.client_id).onsuccess = function (event) {
        var current = event.target.result;
        if (!current) { return; }
        var receipt = {
          client_id: current.client_id, user_id: current.user_id, state: SENT, id: body.id,
          reference: body.reference, url: body.url, status: body.status, created_at: current.created_at,
          sent_at: Date.now(), attempts: (current.attempts || 0) + 1,
          incident_at: current.content && current.content.incident_at,
          incident_reference: current.content && current.content.incident_reference
        };
        s.outbox.delete(current.client_id);
        s.sent.put(receipt);
        done(receipt);
      };
    });
  }

  function post(entry, token) {
    return self.fetch("/api/v1/reports", {
      method: "POST", credentials: "same-origin", redirect: "manual", cache: "no-store",
      headers: {"Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token},
      body: JSON.stringify(entry.content)
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 0) {
        return {kind: "other", error: "The server redirected the report instead of accepting it."};
      }
      var read = isJson(response) ? response.json().catch(function () { return null; }) : Promise.resolve(null);
      return read.then(function (body) {
        var status = response.status;
        var echoed = body && typeof body.client_id === "string" &&
          body.client_id.toLowerCase() === String(entry.client_id).toLowerCase();
        if ((status === 201 || status === 200) && echoed) { return {kind: "accepted", body: body}; }
        if (status === 422 && body && body.error === "validation") { return {kind: "validation", fields: body.fields}; }
        if (status === 422 && body && body.error === "idempotency_conflict") { return {kind: "conflict"}; }
        if (status === 400 && body && body.error === "csrf") { return {kind: "csrf"}; }
        if (status === 401) { return {kind: "unauthenticated"}; }
        return {kind: "other", error: "The server did not accept the report yet (" + status + ")."};
      });
    }, function () {
      return {kind: "network", error: "No connection to the server."};
    });
  }

  var leaseOwner = null;

  function takeLease(owner) {
    return transact(["meta"], "readwrite", function (s, done) {
      s.meta.get("lease").onsuccess = function (event) {
        var lease = event.target.result && event.target.result.value;
        if (lease && lease.owner !== owner && lease.expires > Date.now()) { done(false); return; }
        s.meta.put({key: "lease", value: {owner: owner, expires: Date.now() + LEASE_MS}});
        done(true);
      };
    });
  }

  function renewLease() {
    return leaseOwner ? takeLease(leaseOwner) : Promise.resolve(true);
  }

  function dropLease(owner) {
    return transact(["meta"], "readwrite", function (s) {
      s.meta.get("lease").onsuccess = function (event) {
        var lease = event.target.result && event.target.result.value;
        if (lease && lease.owner === owner) { s.meta.delete("lease"); }
      };
    });
  }

  // One sender at a time in every window and worker of this origin; a busy lock means someone is sending now.
  function exclusively(task) {
    var locks = self.navigator && self.navigator.locks;
    if (locks && typeof locks.request === "function") {
      return locks.request(LOCK, {ifAvailable: true}, function (lock) { return lock ? task() : {busy: true}; });
    }
    // Without Web Locks: a lease in IndexedDB that expires, so a sender that died does not block the rest.
    var owner = randomId();
    return takeLease(owner).then(function (taken) {
      if (!taken) { return {busy: true}; }
      leaseOwner = owner;
      var release = function () { leaseOwner = null; return dropLease(owner); };
      return Promise.resolve().then(task).then(function (outcome) {
        return release().then(function () { return outcome; });
      }, function (error) {
        return release().then(function () { throw error; });
      });
    });
  }

  async function sendAll(trigger) {
    var outcome = {trigger: trigger, sent: 0, attention: 0, retry: 0, offline: false, loggedOut: false, busy: false};
    if (self.navigator && self.navigator.onLine === false) {
      outcome.offline = true; // the browser knows there is no network: no attempt, so no backoff
      return outcome;
    }
    var eager = EAGER.indexOf(trigger) >= 0;
    var tried = {};
    for (;;) {
      // Entries queued while this run was sending are picked up by the next turn of the loop.
      var now = Date.now();
      var due = (await getAll("outbox")).filter(function (entry) {
        return entry.state === WAITING && !tried[entry.client_id] && (eager || !(entry.next_attempt_at > now));
      });
      if (!due.length) { return outcome; }
      var current = await fetchSession();
      if (current.kind === "unauthenticated") {
        outcome.loggedOut = true; // kept as they are: sent after the next login of their officer
        return outcome;
      }
      if (current.kind !== "ok") {
        for (var d = 0; d < due.length; d += 1) { await retryLater(due[d], current.error); outcome.retry += 1; }
        return outcome;
      }
      due.forEach(function (entry) { tried[entry.client_id] = true; });
      // Another officer's reports are never sent under this session: they wait for their own officer.
      var mine = due.filter(function (entry) { return entry.user_id === current.user.id; });
      var token = current.csrf;
      var refreshed = false;
      for (var i = 0; i < mine.length; i += 1) {
        var entry = mine[i];
        await renewLease();
        var reply = await post(entry, token);
        if (reply.kind === "csrf" && !refreshed) {
          refreshed = true; // a token past its lifetime: fetch a fresh one, once
          var fresh = await fetchSession();
          if (fresh.kind === "unauthenticated") { outcome.loggedOut = true; return outcome; }
          if (fresh.kind === "ok" && fresh.user.id === entry.user_id) {
            token = fresh.csrf;
            reply = await post(entry, token);
          }
        }
        if (reply.kind === "accepted") {
          await markSent(entry, reply.body);
          outcome.sent += 1;
        } else if (reply.kind === "validation") {
          await needsAttention(entry, "validation", reply.fields || {},
                               "The server could not accept this report. Correct it and send it again.");
          outcome.attention += 1;
        } else if (reply.kind === "conflict") {
          await needsAttention(entry, "conflict", {},
                               "The server already holds a different report with this report's identifier, so it " +
                               "did not take this one. Check My reports: if the report is not there, correct this one " +
                               "and send it again as a new report.");
          outcome.attention += 1;
        } else if (reply.kind === "unauthenticated") {
          outcome.loggedOut = true;
          return outcome;
        } else {
          await retryLater(entry, reply.kind === "csrf" ? "The server refused the security token." : reply.error);
          outcome.retry += 1;
          if (reply.kind === "network") { return outcome; } // no point trying the rest now
        }
        notify();
      }
    }
  }

  /* Send every waiting report that is due, under the current session. Resolves with what happened; never
     rejects, as the service worker calls it from sync, start-up and message events. */
  function flush(options) {
    var trigger = (options && options.trigger) || "manual";
    return Promise.resolve()
      .then(function () { return exclusively(function () { return sendAll(trigger); }); })
      .catch(function (error) { return {trigger: trigger, error: String(error)}; })
      .then(function (outcome) { notify({outcome: outcome}); return outcome; });
  }

  // --- what the pages use --------------------------------------------------------------------------------------

  /* Queue a report: the draft becomes a waiting outbox entry in one transaction, so it is never in both or
     neither. entry: {client_id, user_id, content, fields, created_at}. replaces: an earlier entry to take the
     place of (a report re-sent under a new client_id after a conflict). */
  function queue(entry, replaces) {
    var record = {
      client_id: entry.client_id, user_id: entry.user_id, content: entry.content, fields: entry.fields || null,
      state: WAITING, attempts: 0, next_attempt_at: 0, last_error: null, errors: null, problem: null,
      created_at: entry.created_at || Date.now(), queued_at: Date.now()
    };
    return transact(["drafts", "outbox"], "readwrite", function (s, done) {
      s.drafts.delete(record.client_id);
      if (replaces && replaces !== record.client_id) {
        s.drafts.delete(replaces);
        s.outbox.delete(replaces);
      }
      s.outbox.put(record);
      done(record);
    }).then(function (saved) { notify(); return saved; });
  }

  // Background Sync where the browser has it; register() rejects without the permission (headless Chromium,
  // some browsers), and then the other triggers do the work.
  function requestSync() {
    try {
      var container = self.navigator && self.navigator.serviceWorker;
      if (!container || typeof container.getRegistration !== "function") { return Promise.resolve(false); }
      return container.getRegistration().then(function (registration) {
        if (!registration || !registration.sync) { return false; }
        return registration.sync.register(SYNC_TAG).then(function () { return true; });
      }).catch(function () { return false; });
    } catch (error) {
      return Promise.resolve(false);
    }
  }

  function all() {
    return Promise.all([getAll("drafts"), getAll("outbox"), getAll("sent")]).then(function (found) {
      return {drafts: found[0], outbox: found[1], sent: found[2]};
    });
  }

  function ukDateTime(iso) {
    if (typeof iso !== "string" || !iso) { return ""; }
    var when = new Date(iso);
    if (isNaN(when.getTime())) { return ""; }
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {timeZone: "Europe/London", year: "numeric", month: "numeric", day: "numeric",
                                       hour: "2-digit", minute: "2-digit", hourCycle: "h23"})
      .formatToParts(when).forEach(function (part) { parts[part.type] = part.value; });
    return Number(parts.day) + " " + MONTHS[Number(parts.month) - 1] + " " + parts.year + ", " + parts.hour + ":" +
      parts.minute;
  }

  self.UofOutbox = {
    flush: flush,
    queue: queue,
    requestSync: requestSync,
    session: session,
    all: all,
    getDraft: function (id) { return get("drafts", id); },
    saveDraft: function (draft) { return put("drafts", draft).then(function (saved) { notify(); return saved; }); },
    deleteDraft: function (id) { return remove("drafts", id).then(function () { notify(); }); },
    getEntry: function (id) { return get("outbox", id); },
    updateEntry: function (id, change) { return update("outbox", id, change); },
    getMeta: getMeta,
    putMeta: putMeta,
    newId: randomId,
    ukDateTime: ukDateTime,
    WAITING: WAITING,
    NEEDS_ATTENTION: ATTENTION,
    SENT: SENT
  };

  if (typeof document === "undefined") { return; }

  // --- in a page: the count in the header, the list on My reports and the device page, the triggers -----------

  var body = document.body;
  var pageSession = body.getAttribute("data-session") || "unknown";
  var pageUserId = pageSession === "user" ? Number(body.getAttribute("data-user-id")) : null;
  var loggedOut = pageSession === "none";
  var retryTimer = null;

  function text(tag, className, content) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (content !== undefined && content !== null) { element.textContent = content; }
    return element;
  }

  function link(href, content) {
    var element = text("a", null, content);
    element.href = href;
    return element;
  }

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  // Whose reports this page is about: the logged-in officer, else the last one seen.
  function knownUser() {
    return getMeta("session").then(function (known) {
      var last = known && known.user ? known.user : null;
      if (pageUserId !== null) {
        return {id: pageUserId, name: last && last.id === pageUserId ? last.name : null, state: "in"};
      }
      if (!last) { return null; }
      return {id: last.id, name: last.name, force_number: last.force_number,
              state: loggedOut ? "out" : known.state};
    });
  }

  function renderStatus(stores, user) {
    var region = document.querySelector("[data-outbox-status]");
    if (!region) { return; }
    var waiting = stores.outbox.filter(function (e) { return e.state === WAITING; });
    var attention = stores.outbox.filter(function (e) { return e.state === ATTENTION; });
    var mine = function (e) { return !user || e.user_id === user.id; };
    region.textContent = "";
    if (loggedOut || (user && user.state === "out")) {
      if (waiting.length) {
        var line = text("p", "outbox-status__line", "Log in to send " + plural(waiting.length, "report", "reports") +
                        ". ");
        if (!document.querySelector("form [name=password]")) { line.appendChild(link("/login", "Log in")); }
        region.appendChild(line);
      }
      return;
    }
    var parts = [];
    var myWaiting = waiting.filter(mine).length;
    var others = waiting.length - myWaiting;
    var myAttention = attention.filter(mine).length;
    if (myWaiting) {
      parts.push(myWaiting + " waiting to send" + (self.navigator.onLine === false ? " (no signal)" : ""));
    }
    if (myAttention) { parts.push(myAttention + " " + (myAttention === 1 ? "needs" : "need") + " attention"); }
    if (others) { parts.push(plural(others, "report", "reports") + " of another officer, sent when they log in"); }
    if (!parts.length) { return; }
    var p = text("p", "outbox-status__line", parts.join(" · ") + ". ");
    if (!document.querySelector("[data-outbox-list]")) { p.appendChild(link("/reports", "See them")); }
    region.appendChild(p);
  }

  function fact(list, term, value) {
    var row = document.createElement("div");
    row.appendChild(text("dt", null, term));
    row.appendChild(text("dd", null, value));
    list.appendChild(row);
  }

  function card(title, tag, tagClass) {
    var item = text("li", "card");
    var heading = text("h3", null, title + " ");
    heading.appendChild(text("span", tagClass, tag));
    item.appendChild(heading);
    return item;
  }

  function messagesOf(entry) {
    var lines = [];
    var errors = entry.errors || {};
    Object.keys(errors).forEach(function (path) {
      (errors[path] || []).forEach(function (message) { lines.push(message); });
    });
    return lines;
  }

  function entryCard(entry) {
    var content = entry.content || {};
    var reference = (content.incident_reference || entry.incident_reference || "").trim();
    var when = ukDateTime(content.incident_at || entry.incident_at);
    var item;
    var facts = text("dl", "facts");
    if (entry.state === SENT) {
      item = card(entry.reference || reference || "Report", "Sent", "tag tag--green");
      fact(facts, "Incident reference", reference || "Not given");
      fact(facts, "Incident date", when || "Not given");
      fact(facts, "Sent", ukDateTime(new Date(entry.sent_at).toISOString()));
      item.appendChild(facts);
      if (entry.url) {
        item.appendChild(text("p", null)).appendChild(link(entry.url, "Open " + (entry.reference || "the report")));
      }
      return item;
    }
    if (entry.state === ATTENTION) {
      item = card(reference || "Report", "Needs attention", "tag tag--red");
      item.appendChild(text("p", null, entry.last_error || "The server could not accept this report."));
      var messages = messagesOf(entry);
      if (messages.length) {
        var list = text("ul", "outbox-messages");
        messages.forEach(function (message) { list.appendChild(text("li", null, message)); });
        item.appendChild(list);
      }
      fact(facts, "Incident date", when || "Not given");
      item.appendChild(facts);
      var fix = link("/record/device?draft=" + encodeURIComponent(entry.client_id), "Correct it and send again");
      fix.className = "button button--secondary";
      item.appendChild(fix);
      return item;
    }
    if (entry.state === WAITING) {
      item = card(reference || "Report", "Waiting to send", "tag tag--yellow");
      fact(facts, "Incident date", when || "Not given");
      fact(facts, "Saved on this phone", ukDateTime(new Date(entry.queued_at || entry.created_at).toISOString()));
      if (entry.attempts) {
        fact(facts, "Tries so far", String(entry.attempts));
        if (entry.last_error) { fact(facts, "Last try", entry.last_error); }
      }
      item.appendChild(facts);
      return item;
    }
    // A draft: still being written on this phone.
    item = card(reference || "Draft report", "Draft", "tag tag--grey");
    fact(facts, "Incident date", when || "Not given yet");
    fact(facts, "Last saved", ukDateTime(new Date(entry.updated_at || entry.created_at).toISOString()));
    item.appendChild(facts);
    var actions = text("div", "card__actions");
    var resume = link("/record/device?draft=" + encodeURIComponent(entry.client_id), "Continue");
    resume.className = "button button--secondary";
    actions.appendChild(resume);
    var discard = text("button", "button button--warning", "Delete draft");
    discard.type = "button";
    discard.setAttribute("data-outbox-delete-draft", entry.client_id);
    actions.appendChild(discard);
    item.appendChild(actions);
    return item;
  }

  function renderLists(stores, user) {
    var containers = document.querySelectorAll("[data-outbox-list]");
    if (!containers.length) { return; }
    var mine = function (e) { return user && e.user_id === user.id; };
    var newest = function (a, b) {
      return (b.updated_at || b.sent_at || b.queued_at || b.created_at || 0) -
        (a.updated_at || a.sent_at || a.queued_at || a.created_at || 0);
    };
    var skip = document.querySelector("[data-device]") ? new URLSearchParams(self.location.search).get("draft") : null;
    var shown = [].concat(
      stores.drafts.filter(mine).filter(function (d) { return d.client_id !== skip; }).sort(newest),
      stores.outbox.filter(mine).filter(function (e) { return e.state === ATTENTION; }).sort(newest),
      stores.outbox.filter(mine).filter(function (e) { return e.state === WAITING; }).sort(newest),
      stores.sent.filter(mine).sort(newest).slice(0, 10)
    );
    var others = stores.outbox.filter(function (e) { return !mine(e); }).length;
    var waiting = stores.outbox.filter(function (e) { return mine(e) && e.state === WAITING; }).length;
    Array.prototype.forEach.call(containers, function (container) {
      container.textContent = "";
      var panel = container.closest("[data-outbox-panel]");
      if (panel) { panel.hidden = !shown.length && !others; }
      if (waiting) {
        var send = text("button", "button", "Send now");
        send.type = "button";
        send.setAttribute("data-outbox-send", "");
        container.appendChild(send);
      }
      if (shown.length) {
        var list = text("ul", "cards");
        shown.forEach(function (entry) { list.appendChild(entryCard(entry)); });
        container.appendChild(list);
      }
      if (others) {
        container.appendChild(text("p", "muted", plural(others, "report", "reports") + " of another officer " +
          (others === 1 ? "is" : "are") + " kept on this phone and sent when they log in here."));
      }
    });
  }

  function scheduleRetry(stores, user) {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    var next = null;
    stores.outbox.forEach(function (entry) {
      if (entry.state === WAITING && (!user || entry.user_id === user.id) && entry.next_attempt_at &&
          (next === null || entry.next_attempt_at < next)) {
        next = entry.next_attempt_at;
      }
    });
    if (next !== null && !loggedOut) {
      retryTimer = setTimeout(function () { flush({trigger: "retry"}); }, Math.max(1000, next - Date.now()));
    }
  }

  var rendering = null;

  function render() {
    // Coalesce bursts of changes into one read of the stores.
    if (!rendering) {
      rendering = Promise.resolve().then(function () {
        rendering = null;
        return Promise.all([all(), knownUser()]).then(function (found) {
          renderStatus(found[0], found[1]);
          renderLists(found[0], found[1]);
          scheduleRetry(found[0], found[1]);
        });
      }).catch(function () { rendering = null; });
    }
    return rendering;
  }

  function onChange(message) {
    var outcome = message && message.outcome;
    if (outcome && outcome.loggedOut) { loggedOut = true; }
    if (message && message.session === "in" && pageSession !== "none") { loggedOut = false; }
    if (message && message.session === "out") { loggedOut = true; }
    render();
  }

  self.addEventListener("uof-outbox", function (event) { onChange(event.detail); });
  if (channel) { channel.onmessage = function (event) { onChange(event.data); }; }

  // The logout form: the page's token may be old (a cached page), so fetch a fresh one; and warn first when
  // reports of this officer are still on the phone.
  function logOut(form) {
    return fetchSession().then(function (found) {
      if (found.kind === "unauthenticated") { self.location.href = "/login"; return; }
      var field = form.querySelector("[name=csrf_token]");
      if (found.kind === "ok" && field) { field.value = found.csrf; }
      form.setAttribute("data-confirmed", "");
      form.submit();
    });
  }

  function warnBeforeLogout(form, count) {
    var dialog = text("dialog", "logout-warning");
    dialog.setAttribute("aria-labelledby", "logout-warning-title");
    dialog.appendChild(text("h2", null, "You have " + plural(count, "report", "reports") + " not sent yet"))
      .id = "logout-warning-title";
    dialog.appendChild(text("p", null, (count === 1 ? "It stays" : "They stay") + " on this phone and " +
      (count === 1 ? "is" : "are") + " sent after you next log in here. Another officer logging in on this phone " +
      "does not send " + (count === 1 ? "it" : "them") + "."));
    var actions = text("div", "button-group");
    var leave = text("button", "button button--warning", "Log out anyway");
    var stay = text("button", "button button--secondary", "Stay logged in");
    leave.type = stay.type = "button";
    actions.appendChild(leave);
    actions.appendChild(stay);
    dialog.appendChild(actions);
    document.body.appendChild(dialog);
    var close = function () { dialog.close(); dialog.remove(); };
    leave.addEventListener("click", function () { close(); logOut(form); });
    stay.addEventListener("click", close);
    dialog.addEventListener("cancel", function () { dialog.remove(); });
    dialog.showModal();
    stay.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-logout-form]") || form.hasAttribute("data-confirmed")) { return; }
    event.preventDefault();
    Promise.all([getAll("outbox"), knownUser()]).then(function (found) {
      var user = found[1];
      var unsent = found[0].filter(function (e) {
        return (e.state === WAITING || e.state === ATTENTION) && (!user || e.user_id === user.id);
      }).length;
      if (unsent && typeof HTMLDialogElement === "function") {
        warnBeforeLogout(form, unsent);
      } else if (!unsent || self.confirm("You have " + plural(unsent, "report", "reports") + " not sent yet. " +
                 "They stay on this phone and are sent after you next log in here. Log out anyway?")) {
        logOut(form);
      }
    }, function () { logOut(form); });
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-outbox-send], [data-outbox-delete-draft]") : null;
    if (!target) { return; }
    if (target.hasAttribute("data-outbox-send")) {
      target.disabled = true;
      flush({trigger: "send-now"}).then(function () { target.disabled = false; });
      return;
    }
    if (self.confirm("Delete this draft from the phone? This cannot be undone.")) {
      remove("drafts", target.getAttribute("data-outbox-delete-draft")).then(function () { notify(); });
    }
  });

  // A page left in the middle of sending gives the lease back (Web Locks do this by themselves).
  self.addEventListener("pagehide", function () { if (leaseOwner) { dropLease(leaseOwner); } });
  self.addEventListener("online", function () { render(); flush({trigger: "online"}); });
  self.addEventListener("offline", render);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush({trigger: "visible"}); }
  });

  // Ask the browser not to evict the outbox under storage pressure; it may say no, which changes nothing here.
  if (self.navigator.storage && typeof self.navigator.storage.persist === "function") {
    self.navigator.storage.persisted().then(function (persisted) {
      return persisted || self.navigator.storage.persist();
    }).catch(function () { return false; });
  }

  render();
  flush({trigger: "load"});
})(self);

/* The app shell's service worker, served at /sw.js with its configuration (self.UOF_SHELL) in front.

   It keeps what recording needs in a cache named after the shell's version, so that the form opens with no
   signal; it never caches personal pages or API answers other than the form's configuration, and never
   touches a non-GET request. Sending the outbox belongs to outbox.js: the worker only says when. */
"use strict";

var SHELL = self.UOF_SHELL;
var CACHE = SHELL.cachePrefix + SHELL.version;
// Long enough for a slow but working connection, short enough that a phone with one bar of signal ("lie-fi")
// shows the cached form instead of a blank page.
var NAVIGATION_TIMEOUT_MS = 4000;
var SHELL_PAGES = [SHELL.deviceForm, SHELL.offlinePage];

try {
  importScripts("/static/js/outbox.js");
} catch (error) {
  // Without the outbox the shell must still install and open offline; pages send what they can.
  console.warn("uof: the outbox could not be loaded in the service worker", error);
}

function hasOutbox() {
  return Boolean(self.UofOutbox && typeof self.UofOutbox.flush === "function");
}

// A flush that nobody waits on: its failure is logged, because the outbox keeps the entry for the next try.
function flushQuietly(trigger) {
  if (!hasOutbox()) {
    return Promise.resolve();
  }
  return Promise.resolve()
    .then(function () { return self.UofOutbox.flush({trigger: trigger}); })
    .catch(function (error) { console.warn("uof: sending the outbox failed (" + trigger + ")", error); });
}

// Only a direct, successful, same-origin answer is worth keeping: a redirect here means "log in first".
function keepable(response) {
  return Boolean(response) && response.ok && !response.redirected && response.type === "basic";
}

// URLs this worker was refused (403: someone who does not record, such as an administrator), so that it stops
// asking on every page they open; forgotten when the worker stops, which is often.
var refused = {};

function refresh(cache, url) {
  return fetch(url, {cache: "no-cache"})
    .then(function (response) {
      if (response.status === 403) {
        refused[url] = true;
      }
      return keepable(response) ? cache.put(url, response) : undefined;
    })
    .catch(function () { return undefined; });
}

function fillMissingLoginOnly() {
  return caches.open(CACHE).then(function (cache) {
    return Promise.all(SHELL.loginOnly.map(function (url) {
      return cache.match(url, {ignoreVary: true}).then(function (found) {
        return found || refused[url] ? undefined : refresh(cache, url);
      });
    }));
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE)
    .then(function (cache) {
      // cache: "no-cache" revalidates with the server, so an older copy in the HTTP cache is never taken.
      var requests = SHELL.precache.map(function (url) { return new Request(url, {cache: "no-cache"}); });
      return cache.addAll(requests).then(function () {
        return Promise.all(SHELL.loginOnly.map(function (url) { return refresh(cache, url); }));
      });
    })
    // Take over at once: every version's worker sends the same outbox, which lives in IndexedDB, not here.
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys()
    .then(function (names) {
      // Only our own old shells: IndexedDB (the outbox) and any other cache are left alone.
      return Promise.all(names.filter(function (name) {
        return name.indexOf(SHELL.cachePrefix) === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    })
    .then(function () { return self.clients.claim(); })
    .then(function () { return flushQuietly("worker-start"); }));
});

self.addEventListener("sync", function (event) {
  if (event.tag === "uof-outbox" && hasOutbox()) {
    // Not caught: a rejection tells the browser to try this sync again later.
    event.waitUntil(self.UofOutbox.flush({trigger: "sync"}));
  }
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "flush") {
    event.waitUntil(flushQuietly("message"));
  }
});

// Web Push. A payload is {type, title, url} with no personal data (it passes through the browser maker's push
// service and shows on a locked screen); the alert itself is read in the inbox after logging in.
var INBOX_PATH = "/alerts";
var NOTIFICATION_BODIES = {
  immediate: "A use of force needs your attention. Log in to read the alert.",
  pattern: "An early-intervention alert is waiting for you. Log in to read it.",
  workflow: "A report is waiting on you. Log in to read the alert.",
  digest: "Your digest is ready. Log in to read it.",
  test: "Test notification: alerts reach this device."
};
var DEFAULT_TITLE = "Use of force alert";
var DEFAULT_BODY = "An alert is waiting for you. Log in to read it.";

// A path on this site, or null: a notification must never open somewhere else, whatever a payload says.
function ownPath(candidate) {
  if (typeof candidate !== "string" || candidate.charAt(0) !== "/" || candidate.charAt(1) === "/" ||
      candidate.charAt(1) === "\\") {
    return null;
  }
  try {
    var url = new URL(candidate, self.location.origin);
    return url.origin === self.location.origin ? url.pathname + url.search + url.hash : null;
  } catch (error) {
    return null;
  }
}

function pushMessage(event) {
  var message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    console.warn("uof: a push message that is not JSON", error);
  }
  return message && typeof message === "object" ? message : {};
}

self.addEventListener("push", function (event) {
  // A push must always show something: browsers penalise a subscription whose pushes show nothing.
  var message = pushMessage(event);
  var url = ownPath(message.url) || INBOX_PATH;
  var title = typeof message.title === "string" && message.title ? message.title.slice(0, 120) : DEFAULT_TITLE;
  event.waitUntil(self.registration.showNotification(title, {
    body: NOTIFICATION_BODIES[message.type] || DEFAULT_BODY,
    // The alert's page as the tag: the same alert pushed again replaces its notification instead of adding one.
    tag: url,
    data: {url: url},
    icon: SHELL.staticPrefix + "icons/icon-192.png",
    badge: SHELL.staticPrefix + "icons/icon-192.png",
    lang: "en-GB"
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var data = event.notification.data || {};
  var target = new URL(ownPath(data.url) || INBOX_PATH, self.location.origin).href;
  // An open window on the alert is brought forward; otherwise a new one opens (on the login page first, when
  // the session has ended, which comes back to the alert after logging in).
  event.waitUntil(self.clients.matchAll({type: "window", includeUncontrolled: true}).then(function (windows) {
    for (var i = 0; i < windows.length; i += 1) {
      if (windows[i].url === target && "focus" in windows[i]) {
        return windows[i].focus();
      }
    }
    return self.clients.openWindow ? self.clients.openWindow(target) : undefined;
  }));
});

var TIMED_OUT = {};

function withTimeout(promise, milliseconds) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(TIMED_OUT); }, milliseconds);
    promise.then(
      function (value) { clearTimeout(timer); resolve(value); },
      function (error) { clearTimeout(timer); reject(error); }
    );
  });
}

function isRecordPath(path) {
  return path === "/record" || path.indexOf("/record/") === 0;
}

// The cached page for this URL, else the cached device form for a recording page, else (when the network has
// failed, not merely been slow) the offline page.
function fallback(url, offlineToo) {
  return caches.open(CACHE).then(function (cache) {
    var options = {ignoreVary: true};
    return cache.match(url.href, options)
      .then(function (found) {
        return found || (isRecordPath(url.pathname) ? cache.match(SHELL.deviceForm, options) : undefined);
      })
      .then(function (found) { return found || (offlineToo ? cache.match(SHELL.offlinePage, options) : undefined); });
  });
}

function navigate(event) {
  var url = new URL(event.request.url);
  var network = fetch(event.request).then(function (response) {
    if (SHELL_PAGES.indexOf(url.pathname) !== -1 && url.search === "" && keepable(response)) {
      // Only the shell's own pages are kept: other pages hold personal data and must not stay on the phone.
      var copy = response.clone();
      event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(url.pathname, copy); }));
    } else if (response.ok && url.pathname !== SHELL.loginPage) {
      // A page that needed no login redirect: the officer is logged in, so fetch what install had to skip.
      event.waitUntil(fillMissingLoginOnly());
    }
    return response;
  });
  // The network keeps going after a timeout, to refresh the cache; its failure is handled below.
  event.waitUntil(network.catch(function () { return undefined; }));

  function answered(response) {
    if (response.status < 500) {
      return response;
    }
    // A server error (a proxy in front of a stopped app): the cached form is more use to an officer.
    return fallback(url, false).then(function (cached) { return cached || response; });
  }

  function failed() {
    return fallback(url, true).then(function (cached) { return cached || Response.error(); });
  }

  return withTimeout(network, NAVIGATION_TIMEOUT_MS).then(answered, function (error) {
    if (error !== TIMED_OUT) {
      return failed();
    }
    // Slow, not failed: the cached copy of this page or the form if there is one; otherwise wait, as "You are
    // offline" would not be true.
    return fallback(url, false).then(function (cached) {
      return cached || network.then(answered, failed);
    });
  });
}

function networkFirst(event) {
  return caches.open(CACHE).then(function (cache) {
    return fetch(event.request)
      .then(function (response) {
        if (keepable(response)) {
          var copy = response.clone();
          event.waitUntil(cache.put(event.request.url, copy));
        }
        return response;
      })
      .catch(function (error) {
        return cache.match(event.request.url, {ignoreVary: true}).then(function (cached) {
          if (cached) {
            return cached;
          }
          throw error;
        });
      });
  });
}

function cacheFirst(event) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(event.request, {ignoreVary: true}).then(function (cached) {
      if (cached) {
        return cached;
      }
      return fetch(event.request).then(function (response) {
        if (keepable(response)) {
          var copy = response.clone();
          event.waitUntil(cache.put(event.request, copy));
        }
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;  // A POST goes to the server or fails: nothing is cached or replayed here.
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (url.pathname === SHELL.formApi) {
    // The form's vocabularies and policy: always the newest when online, the last one seen when not.
    event.respondWith(networkFirst(event));
  } else if (url.pathname.indexOf("/api/") === 0) {
    return;  // Personal data and the server's current truth: never from a cache.
  } else if (url.pathname.indexOf(SHELL.staticPrefix) === 0 || SHELL.precache.indexOf(url.pathname) !== -1) {
    // Static files change only with a new shell version, which brings a new cache.
    event.respondWith(cacheFirst(event));
  }
});

// The worker starts for many reasons (a page, a sync, a push): each start is a chance to send.
flushQuietly("worker-start");

/* "Enable alerts on this device" on the alert inbox: Web Push where the browser can do it, and a plain account
   of why not where it cannot. Push is best effort; the inbox holds every alert with or without this script. */
(function () {
  "use strict";

  // Browsers without a reachable push service (headless ones, some without Google services) never settle
  // subscribe(): without a limit the button would spin for ever.
  var SUBSCRIBE_TIMEOUT_MS = 15000;
  var WORKER_TIMEOUT_MS = 10000;
  var KEY_URL = "/api/v1/push/key";
  var SUBSCRIPTIONS_URL = "/api/v1/push/subscriptions";
  var TEST_URL = "/api/v1/push/test";
  var INBOX_ONLY = " Alerts still appear in this inbox.";
  var SERVER_OFF = "Notifications are not available on this server; alerts still appear in this inbox.";

  // register-sw.js (on every page) keeps the device registered for whoever is logged in; a stand-in if absent.
  var device = window.uofPushDevice || {
    claim: function () { return Promise.resolve(true); },
    remember: function () {},
    forget: function () {},
    currentUser: function () { return null; }
  };

  var section = document.querySelector("[data-device-alerts]");
  if (!section) {
    return;
  }
  var status = section.querySelector("[data-push-status]");
  var enableButton = section.querySelector("[data-push-enable]");
  var testButton = section.querySelector("[data-push-test]");
  var disableButton = section.querySelector("[data-push-disable]");

  function say(text, state) {
    status.textContent = text;
    section.setAttribute("data-push-state", state);
  }

  function show(enable, test, disable) {
    enableButton.hidden = !enable;
    testButton.hidden = !test;
    disableButton.hidden = !disable;
  }

  function busy(on) {
    [enableButton, testButton, disableButton].forEach(function (button) { button.disabled = on; });
    section.setAttribute("aria-busy", on ? "true" : "false");
  }

  function isAppleMobile() {
    return /iPad|iPhone|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  function isInstalled() {
    return window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  }

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function Failure(state, message) {
    this.state = state;
    this.message = message;
  }

  function withTimeout(promise, milliseconds, failure) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(failure); }, milliseconds);
      promise.then(
        function (value) { clearTimeout(timer); resolve(value); },
        function (error) { clearTimeout(timer); reject(error); }
      );
    });
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function serverFailure(status, body) {
    if (status === 503 && body.error === "push_disabled") {
      return new Failure("disabled", SERVER_OFF);
    }
    if (status === 401) {
      return new Failure("failed", "Your session has ended. Log in again, then enable alerts.");
    }
    if (status === 400 && body.error === "csrf") {
      return new Failure("failed", "This page has expired. Reload it and try again.");
    }
    var fields = body.fields ? Object.keys(body.fields).map(function (name) { return body.fields[name].join(" "); }) : [];
    var reason = (fields.join(" ") || body.message || "the server answered " + status).replace(/\.+$/, "");
    return new Failure("failed", "The server refused this: " + reason + "." + INBOX_ONLY);
  }

  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: {"Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken()},
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          throw serverFailure(response.status, data);
        }
        return data;
      });
    }, function () {
      throw new Failure("failed", "The server could not be reached. Check your signal and try again.");
    });
  }

  function registration() {
    var ready = navigator.serviceWorker.register("/sw.js", {scope: "/"})
      .then(function () { return navigator.serviceWorker.ready; });
    return withTimeout(ready, WORKER_TIMEOUT_MS, new Failure(
      "failed", "The app's service worker did not start, so this browser cannot show notifications." + INBOX_ONLY));
  }

  function keyBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  // The key a subscription was made with, or null where the browser does not say.
  function keyOf(subscription) {
    var used = subscription.options && subscription.options.applicationServerKey;
    return used ? new Uint8Array(used) : null;
  }

  function madeWithKey(subscription, key) {
    var bytes = keyOf(subscription);
    return bytes !== null && bytes.length === key.length &&
      bytes.every(function (value, index) { return value === key[index]; });
  }

  // Made, as far as the browser says, with a key other than the server's (the server's key was replaced).
  function madeWithAnotherKey(subscription, key) {
    return key !== null && keyOf(subscription) !== null && !madeWithKey(subscription, key);
  }

  /* A subscription made with another key cannot receive our pushes: the server is told to forget the old
     endpoint first (it would otherwise keep posting to it until the push service refuses), then the browser
     drops it and makes a new one. */
  function subscribe(pushManager, key) {
    return pushManager.getSubscription().then(function (existing) {
      if (existing && madeWithKey(existing, key)) {
        return existing;
      }
      var forgotten = existing
        // Best effort: a server that still has it removes it at the push service's first refusal.
        ? api("DELETE", SUBSCRIPTIONS_URL, {endpoint: existing.endpoint}).catch(function (error) {
          if (error instanceof Failure && error.state === "disabled") {
            throw error;
          }
        })
        : Promise.resolve();
      var cleared = forgotten.then(function () { return existing ? existing.unsubscribe() : undefined; });
      return cleared.then(function () {
        var made = pushManager.subscribe({userVisibleOnly: true, applicationServerKey: key});
        return withTimeout(made, SUBSCRIBE_TIMEOUT_MS, new Failure("timed-out",
          "This browser did not finish setting up notifications within " + SUBSCRIBE_TIMEOUT_MS / 1000 +
          " seconds, so they are unavailable here (some browsers cannot reach a push service)." + INBOX_ONLY));
      });
    });
  }

  function askPermission() {
    // Older Safari takes a callback and returns nothing; newer browsers return a promise.
    return new Promise(function (resolve) {
      var asked = Notification.requestPermission(resolve);
      if (asked && typeof asked.then === "function") {
        asked.then(resolve);
      }
    });
  }

  function showEnabled(message) {
    say(message || "Alerts are on for this device.", "enabled");
    show(false, true, true);
  }

  function showOff(message) {
    say(message || "Alerts are not turned on for this device.", "off");
    show(true, false, false);
  }

  function showBlocked() {
    say("Notifications are blocked for this site. Allow them in your browser's site settings, then reload this " +
        "page." + INBOX_ONLY, "blocked");
    show(false, false, false);
  }

  function showDisabled() {
    say(SERVER_OFF, "disabled");
    show(false, false, false);
  }

  function showFailure(error) {
    if (error instanceof Failure && error.state === "disabled") {
      showDisabled();
      return;
    }
    if (error instanceof Failure) {
      say(error.message, error.state);
    } else {
      var reason = (error && error.message ? error.message : String(error)).replace(/\.+$/, "");
      say("Alerts could not be turned on: " + reason + "." + INBOX_ONLY, "failed");
    }
    show(true, false, false);
  }

  function enable() {
    busy(true);
    say("Enabling alerts on this device…", "enabling");
    // Asked straight away, inside the tap: browsers only show the question in answer to a user's gesture.
    askPermission()
      .then(function (permission) {
        if (permission === "denied") {
          throw new Failure("blocked", "");
        }
        if (permission !== "granted") {
          throw new Failure("off", "You did not allow notifications, so alerts are off for this device.");
        }
        return Promise.all([registration(), api("GET", KEY_URL)]);
      })
      .then(function (results) {
        return subscribe(results[0].pushManager, keyBytes(results[1].public_key));
      })
      .then(function (subscription) { return api("POST", SUBSCRIPTIONS_URL, subscription.toJSON()); })
      .then(function () {
        device.remember(device.currentUser());
        showEnabled();
      })
      .catch(function (error) {
        if (error instanceof Failure && error.state === "blocked") {
          showBlocked();
        } else if (error instanceof Failure && error.state === "off") {
          showOff(error.message);
        } else {
          showFailure(error);
        }
      })
      .then(function () { busy(false); });
  }

  function disable() {
    busy(true);
    say("Turning alerts off on this device…", "disabling");
    registration()
      .then(function (found) { return found.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) {
          return undefined;
        }
        return api("DELETE", SUBSCRIPTIONS_URL, {endpoint: subscription.endpoint})
          .then(function () { return subscription.unsubscribe(); });
      })
      .then(function () {
        device.forget();
        showOff("Alerts are off for this device.");
      })
      .catch(function (error) {
        say(error instanceof Failure ? error.message : "Alerts could not be turned off. Try again.", "enabled");
        show(false, true, true);
      })
      .then(function () { busy(false); });
  }

  function sendTest() {
    busy(true);
    say("Sending a test notification…", "testing");
    api("POST", TEST_URL)
      .then(function (answer) {
        var devices = answer.devices === 1 ? "1 device" : answer.devices + " devices";
        showEnabled("Test sent to " + devices + ". It should arrive within a minute; reload this page to see it " +
                    "in your inbox.");
      })
      .catch(function (error) {
        if (error instanceof Failure && error.state === "disabled") {
          showDisabled();
        } else {
          showEnabled(error instanceof Failure ? error.message : "The test could not be sent. Try again.");
        }
      })
      .then(function () { busy(false); });
  }

  function start() {
    section.hidden = false;
    if (!supported()) {
      show(false, false, false);
      if (isAppleMobile() && !isInstalled()) {
        say("On iPhone and iPad, alerts need this app on your Home Screen: tap Share, then Add to Home Screen, " +
            "open it from there and come back to this page." + INBOX_ONLY, "unsupported");
      } else {
        say("This browser cannot show notifications from this site." + INBOX_ONLY, "unsupported");
      }
      return;
    }
    enableButton.addEventListener("click", enable);
    disableButton.addEventListener("click", disable);
    testButton.addEventListener("click", sendTest);
    say("Checking notifications on this device…", "checking");
    show(false, false, false);
    // The server's key first: it says whether push is on at all, and which key a subscription must be made with.
    api("GET", KEY_URL)
      .then(function (answer) { return keyBytes(answer.public_key); }, function (error) {
        if (error instanceof Failure && error.state === "disabled") {
          throw error;
        }
        return null;  // offline, say: what the browser knows will do for now
      })
      .then(function (key) {
        if (Notification.permission === "denied") {
          showBlocked();
          return undefined;
        }
        // getRegistration, not ready: ready never settles where no worker was ever registered.
        return navigator.serviceWorker.getRegistration("/")
          .then(function (found) { return found ? found.pushManager.getSubscription() : null; })
          .then(function (subscription) {
            if (!subscription || Notification.permission !== "granted") {
              showOff();
              return undefined;
            }
            if (madeWithAnotherKey(subscription, key)) {
              showOff("Alerts on this device were set up with the server's previous key. Enable them again.");
              return undefined;
            }
            // Registered for someone else (a shared phone): moved to this user before saying alerts are on.
            return device.claim(subscription).then(function (mine) {
              if (mine) {
                showEnabled();
              } else {
                showOff("Alerts on this device are not set up for you yet. Enable them to get your alerts here.");
              }
            });
          }, function () { showOff(); });
      })
      .catch(function (error) {
        if (error instanceof Failure && error.state === "disabled") {
          showDisabled();
        } else {
          showOff();
        }
      });
  }

  start();
})();
